package web

// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1):
// client_secret_basic, client_secret_post, and public clients that only say who they are.

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/store"
)

// clientAuthenticator checks client credentials.
//
// Secrets are stored as bcrypt hashes, which take tens of milliseconds to check on purpose. A
// client calls the token endpoint over and over with the same secret, so after one successful
// bcrypt check the authenticator remembers a SHA-256 of that secret for that stored hash, and
// later checks cost one SHA-256 and a constant-time compare. A wrong secret never matches the
// remembered hash and always pays for a full bcrypt check.
type clientAuthenticator struct {
	store *store.Store

	mu       sync.Mutex
	verified map[string][sha256.Size]byte // bcrypt hash → SHA-256 of the secret that matched it
}

func newClientAuthenticator(st *store.Store) *clientAuthenticator {
	return &clientAuthenticator{store: st, verified: map[string][sha256.Size]byte{}}
}

// authenticate identifies the client making a back-channel request. It returns the client and
// whether it proved its identity with a secret; a public client is identified but not
// authenticated. RFC 6749 §2.3: a client "MUST NOT use more than one authentication method in
// each request".
func (a *clientAuthenticator) authenticate(ctx context.Context, r *http.Request, form url.Values) (store.Client, bool, error) {
	id, secret, basic, err := clientCredentials(r, form)
	if err != nil {
		return store.Client{}, false, err
	}
	if id == "" {
		return store.Client{}, false, errInvalidClient("client authentication is missing: send client_id and client_secret with HTTP Basic, or client_id alone for a public client")
	}
	client, err := a.store.Client(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Client{}, false, errInvalidClient("unknown client_id " + quote(id))
	}
	if err != nil {
		return store.Client{}, false, err
	}
	if client.Public() {
		if secret != "" {
			return store.Client{}, false, errInvalidClient("client " + quote(id) + " is a public client and has no secret; send client_id alone")
		}
		return client, false, nil
	}
	if secret == "" {
		return store.Client{}, false, errInvalidClient("client " + quote(id) + " is confidential: authenticate with its client_secret (HTTP Basic or client_secret_post)")
	}
	if !a.checkSecret(client.SecretHash, secret) {
		how := "client_secret_post"
		if basic {
			how = "HTTP Basic"
		}
		return store.Client{}, false, errInvalidClient("client_secret sent with " + how + " is wrong for client " + quote(id))
	}
	return client, true, nil
}

// checkSecret compares a presented secret with the stored bcrypt hash, using the remembered
// SHA-256 when this hash has been verified before.
func (a *clientAuthenticator) checkSecret(hash, secret string) bool {
	sum := sha256.Sum256([]byte(secret))
	a.mu.Lock()
	known, ok := a.verified[hash]
	a.mu.Unlock()
	if ok && subtle.ConstantTimeCompare(known[:], sum[:]) == 1 {
		return true
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) != nil {
		return false
	}
	a.mu.Lock()
	a.verified[hash] = sum
	a.mu.Unlock()
	return true
}

// clientCredentials reads client_id and client_secret from the Authorization header or the
// form body, refusing a request that uses both.
func clientCredentials(r *http.Request, form url.Values) (id, secret string, basic bool, err error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return form.Get("client_id"), form.Get("client_secret"), false, nil
	}
	scheme, value, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, errInvalidClient("the Authorization header must use the Basic scheme for client authentication")
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", "", false, errInvalidClient("the Basic credentials are not valid base64")
	}
	rawID, rawSecret, ok := strings.Cut(string(decoded), ":")
	if !ok {
		return "", "", false, errInvalidClient("the Basic credentials must be client_id:client_secret")
	}
	// RFC 6749 §2.3.1: the id and secret are form-encoded before they are put in the header.
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", false, errInvalidClient("the client_id in the Basic credentials is not form-encoded correctly")
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", false, errInvalidClient("the client_secret in the Basic credentials is not form-encoded correctly")
	}
	if form.Get("client_secret") != "" {
		return "", "", false, errInvalidRequest("the client authenticated twice, with HTTP Basic and client_secret in the body; use one method (RFC 6749 §2.3)")
	}
	if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
		return "", "", false, errInvalidRequest("client_id in the body does not match the client_id in the Authorization header")
	}
	return id, secret, true, nil
}

func quote(s string) string { return `"` + truncate(s, 80) + `"` }
