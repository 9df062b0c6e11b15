package web

// Workshop exercise 04's checker: validating a JWT access token, RFC 9068 §4 and RFC 8725. Each
// case is a token a careless resource server accepts; TestTokenChecks holds the full list.

import (
	"net/http"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

func TestExercise04JWTAccessTokenRFC9068Section4(t *testing.T) {
	readNext(t, "RFC 9068 §4, RFC 8725 §3.1-3.2; workshop/04-jwt-access-token.md, hints 1 and 2")
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	ecKey := newKey(t, jwa.ES256, "key-ec")
	accounts.publish(key, ecKey)
	srv := newPhotosServer(t, accounts)
	now := srv.Clock.Now()
	with := func(change func(map[string]any)) map[string]any {
		c := goodClaims(now)
		change(c)
		return c
	}
	if r := srv.get(t, "/api/photos", forge(t, key, goodClaims(now), nil)); r.StatusCode != http.StatusOK {
		t.Fatalf("a good token signed by Accounts got %d (%s), want 200: your check refuses good tokens", r.StatusCode, r.Body)
	}
	cases := []struct {
		name, token, mistake string
	}{
		{"alg none, RFC 8725 §3.2", unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt", "kid": "key-1"}, goodClaims(now)),
			"your check accepts `alg: none`: an unsigned token proves nothing, anyone can write one"},
		{"a signature that does not verify, RFC 9068 §4", tamper(t, forge(t, key, goodClaims(now), nil)),
			"your check accepted a token whose payload was changed after signing (photos.delete added): verify the signature with Accounts' key"},
		{"HS256 signed with the public key, RFC 8725 §2.1", hs256WithPublicKey(t, key, goodClaims(now)),
			"your check took the algorithm from the token: HS256 with Accounts' PUBLIC key as the secret passed (key confusion). Use key.Algorithm() (hint 2)"},
		{"the EC key's token claiming the RSA key's kid, RFC 8725 §3.1", forge(t, ecKey, goodClaims(now), map[string]any{"kid": "key-1"}),
			"your check did not compare the header's alg with the key's algorithm (RFC 8725 §3.1)"},
		{"an ID token, typ JWT, RFC 9068 §4", forge(t, key, goodClaims(now), map[string]any{"typ": "JWT"}),
			"your check accepts an ID token (typ JWT) as an access token: require typ at+jwt (RFC 9068 §2.1)"},
		{"wrong iss, RFC 9068 §4", forge(t, key, with(func(c map[string]any) { c["iss"] = "http://evil.example" }), nil),
			"your check accepted a token from another issuer: iss must be identical to the configured issuer"},
		{"a token for PrintShop, RFC 9068 §4", forge(t, key, with(func(c map[string]any) { c["aud"] = "http://localhost:9000" }), nil),
			"your check accepted a token meant for another resource (aud): a token PrintShop received for itself would open Photos"},
		{"expired, RFC 9068 §4", forge(t, key, with(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }), nil),
			"your check accepted a token that expired an hour ago: compare exp with now (allow MaxSkew)"},
		{"no jti, RFC 9068 §2.2", forge(t, key, with(func(c map[string]any) { delete(c, "jti") }), nil),
			"your check accepted a token without jti: RFC 9068 §2.2 makes sub, client_id, jti, iat and exp required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := srv.get(t, "/api/photos", tc.token); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s (got %d, want 401)", tc.mistake, r.StatusCode)
			}
		})
	}
}
