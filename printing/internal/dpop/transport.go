package dpop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

type keyContextKey struct{}

// WithKey marks ctx so that requests made with it are signed with key. The callback uses it
// for the code exchange, before the key is stored with the tokens it binds.
func WithKey(ctx context.Context, key jwk.Key) context.Context {
	return context.WithValue(ctx, keyContextKey{}, key)
}

// KeyFrom returns the key WithKey put in ctx.
func KeyFrom(ctx context.Context) (jwk.Key, bool) {
	key, ok := ctx.Value(keyContextKey{}).(jwk.Key)
	return key, ok && key != nil
}

// Transport is an http.RoundTripper that makes PrintShop's tokens DPoP-bound: it wraps the
// HTTP client that x/oauth2 and the Photos client use, so neither is changed. For a request
// whose connection has a key, it
//   - sends an access token under the DPoP scheme instead of Bearer (RFC 9449 §7.1),
//   - adds a fresh proof in the DPoP header (RFC 9449 §4.1): one per request, never reused,
//   - and, when the server asks for a nonce (use_dpop_nonce, §8 and §9), signs the request
//     again with it, once, and remembers the server's latest nonce for the next request.
//
// A request without a key goes out untouched: bearer mode, and connections made before DPoP. So
// does a GET or HEAD that carries no token (metadata, keys): there is nothing to bind.
type Transport struct {
	Base http.RoundTripper
	// Key finds the key for a request: KeyFrom first, else the connection of the user the
	// request is made for. nil and no error means the request is not bound.
	Key func(ctx context.Context) (jwk.Key, error)
	// Public maps each back-channel origin to its public one ("http://authserver:9001" →
	// "http://localhost:9001"): htu names the URL the server publishes (its metadata's
	// token_endpoint, PHOTOS_PUBLIC_URL + the path), not the address PrintShop dials.
	Public map[string]string
	Now    func() time.Time

	nonces sync.Map // public origin → the latest DPoP-Nonce it sent
}

// RoundTrip signs and sends the request.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	scheme, token, hasToken := strings.Cut(req.Header.Get("Authorization"), " ")
	hasToken = hasToken && strings.EqualFold(scheme, "Bearer")
	if !hasToken && (req.Method == http.MethodGet || req.Method == http.MethodHead) {
		return base.RoundTrip(req)
	}
	key, err := t.Key(req.Context())
	if err != nil {
		return nil, err
	}
	if key == nil {
		return base.RoundTrip(req)
	}
	if !hasToken {
		token = "" // a Basic header, at the token endpoint: no access token to hash
	}
	origin, htu := t.htu(req)
	resp, err := t.send(base, req, key, htu, token, origin)
	if err != nil {
		return nil, err
	}
	if resp.Header.Get("DPoP-Nonce") == "" || !asksForNonce(resp) || (req.Body != nil && req.GetBody == nil) {
		return resp, nil
	}
	resp.Body.Close()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return t.send(base, req, key, htu, token, origin)
}

// send signs one proof, with origin's latest nonce if it gave one, sends a copy of req with it
// (RoundTrip must not change the caller's request: net/http's rule), and remembers the nonce
// the answer carries.
func (t *Transport) send(base http.RoundTripper, req *http.Request, key jwk.Key, htu, token, origin string) (*http.Response, error) {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	proof, err := NewProof(key, req.Method, htu, token, t.nonce(origin), now())
	if err != nil {
		return nil, err
	}
	signed := req.Clone(req.Context())
	if token != "" {
		signed.Header.Set("Authorization", "DPoP "+token)
	}
	signed.Header.Set("DPoP", proof)
	resp, err := base.RoundTrip(signed)
	if err == nil && resp.Header.Get("DPoP-Nonce") != "" {
		t.nonces.Store(origin, resp.Header.Get("DPoP-Nonce"))
	}
	return resp, err
}

// asksForNonce reports whether the server refused the proof for want of its nonce: error
// use_dpop_nonce in a 400 JSON body (an authorization server, RFC 9449 §8) or in the
// WWW-Authenticate of a 401 (a resource server, §9). The body is read and put back.
func asksForNonce(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="use_dpop_nonce"`)
	case http.StatusBadRequest:
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
		var answer struct {
			Error string `json:"error"`
		}
		return err == nil && json.Unmarshal(data, &answer) == nil && answer.Error == "use_dpop_nonce"
	}
	return false
}

// nonce is the latest nonce the origin sent, or "".
func (t *Transport) nonce(origin string) string {
	n, _ := t.nonces.Load(origin)
	s, _ := n.(string)
	return s
}

// htu is the request's URL without query and fragment, on the public origin, and that origin.
func (t *Transport) htu(req *http.Request) (origin, htu string) {
	origin = req.URL.Scheme + "://" + req.URL.Host
	if public, ok := t.Public[origin]; ok {
		origin = public
	}
	return origin, origin + req.URL.EscapedPath()
}
