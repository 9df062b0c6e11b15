package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/keys"
)

// Access tokens are JWTs in the RFC 9068 profile, signed with the configured algorithm, and
// verifiable with the published JWKS alone.
func TestAccessTokenIsRFC9068JWT(t *testing.T) {
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256, jwa.EdDSA} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := newTestServer(t, withAlg(alg))
			tok := exchange(t, srv, newBrowser(t, srv).code("photos.read"))

			msg, err := jws.ParseString(tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Signatures()[0].ProtectedHeaders()
			if h.Type() != "at+jwt" {
				t.Errorf("got typ %q, want at+jwt (RFC 9068 §2.1)", h.Type())
			}
			if h.Algorithm() != alg {
				t.Errorf("got alg %q, want %q", h.Algorithm(), alg)
			}
			if h.KeyID() == "" {
				t.Error("no kid in the header")
			}

			set, err := jwk.Fetch(context.Background(), srv.base()+"/.well-known/jwks.json")
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jwt.ParseString(tok.AccessToken, jwt.WithKeySet(set), jwt.WithValidate(true),
				jwt.WithIssuer(srv.URL), jwt.WithAudience("http://localhost:9002"), jwt.WithClock(jwt.ClockFunc(srv.Clock.Now)))
			if err != nil {
				t.Fatalf("the token does not verify against the published JWKS: %v", err)
			}
			for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "auth_time"} {
				if _, ok := parsed.Get(claim); !ok {
					t.Errorf("claim %s is missing (RFC 9068 §2.2)", claim)
				}
			}
			if parsed.Subject() != "alice" || stringClaim(parsed, "client_id") != "printing" || stringClaim(parsed, "scope") != "photos.read" {
				t.Errorf("got sub %q client_id %q scope %q", parsed.Subject(), stringClaim(parsed, "client_id"), stringClaim(parsed, "scope"))
			}
			if got := parsed.Expiration().Sub(parsed.IssuedAt()); got != 10*time.Minute {
				t.Errorf("got lifetime %s, want the configured 10m", got)
			}
			// The contract: aud is a single string, not an array.
			var raw map[string]any
			payload := strings.Split(tok.AccessToken, ".")[1]
			if err := json.Unmarshal(mustDecodeSegment(t, payload), &raw); err != nil {
				t.Fatal(err)
			}
			if _, ok := raw["aud"].(string); !ok {
				t.Errorf("aud is %T (%v), want a single string", raw["aud"], raw["aud"])
			}
		})
	}
}

// Every published key has kid, alg and use "sig", and no private part. There is one key per
// algorithm in use: the access token algorithm, and RS256 for ID tokens.
func TestJWKSPublishesPublicKeysOnly(t *testing.T) {
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256, jwa.EdDSA} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := newTestServer(t, withAlg(alg))
			p := newBrowser(t, srv).get("/.well-known/jwks.json")
			var doc struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal([]byte(p.Body), &doc); err != nil {
				t.Fatal(err)
			}
			want := keys.InUse(alg)
			if len(doc.Keys) != len(want) {
				t.Fatalf("got %d keys, want %d (%v)", len(doc.Keys), len(want), want)
			}
			for i, k := range doc.Keys {
				if k["kid"] == "" || k["use"] != "sig" || !slices.Contains(want, jwa.SignatureAlgorithm(fmt.Sprint(k["alg"]))) {
					t.Errorf("key %d: got kid %v alg %v use %v, want a kid, one of %v and sig", i, k["kid"], k["alg"], k["use"], want)
				}
				for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
					if _, ok := k[private]; ok {
						t.Errorf("key %d: the JWKS leaks private member %q", i, private)
					}
				}
			}
		})
	}
}

// An ID token is not an access token: typ JWT is refused where at+jwt is required.
func TestIDTokenIsNotAcceptedAsAccessToken(t *testing.T) {
	srv := newTestServer(t)
	_, idToken := photosWebTokens(t, srv, "openid profile photos.read")
	if got := introspect(t, srv, idToken)["active"]; got != false {
		t.Errorf("introspecting an ID token: active = %v, want false", got)
	}
}

func mustDecodeSegment(t *testing.T, s string) []byte {
	t.Helper()
	b, err := jwsDecode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
