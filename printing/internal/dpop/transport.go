package dpop

import (
	"context"
	"net/http"
	"strings"
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
//   - sends an access token under the DPoP scheme instead of Bearer (RFC 9449 §7.1), and
//   - adds a fresh proof in the DPoP header (RFC 9449 §4.1): one per request, never reused.
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
	// RoundTrip must not change the caller's request (net/http's rule): work on a copy.
	signed := req.Clone(req.Context())
	if hasToken {
		signed.Header.Set("Authorization", "DPoP "+token)
	} else {
		token = "" // a Basic header, at the token endpoint: no access token to hash
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	proof, err := NewProof(key, req.Method, t.htu(req), token, now())
	if err != nil {
		return nil, err
	}
	signed.Header.Set("DPoP", proof)
	return base.RoundTrip(signed)
}

// htu is the request's URL without query and fragment, on the public origin.
func (t *Transport) htu(req *http.Request) string {
	origin := req.URL.Scheme + "://" + req.URL.Host
	if public, ok := t.Public[origin]; ok {
		origin = public
	}
	return origin + req.URL.EscapedPath()
}
