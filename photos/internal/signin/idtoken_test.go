package signin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

const (
	issuer   = "http://localhost:9001"
	clientID = "photos-web"
	nonce    = "n-0S6_WzA2Mj"
)

func newKey(t *testing.T, alg jwa.SignatureAlgorithm, kid string) jwk.Key {
	t.Helper()
	var raw any
	var err error
	if alg == jwa.ES256 {
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, kid)
	key.Set(jwk.AlgorithmKey, alg)
	return key
}

// keysOf is the KeyFunc of a published JWKS holding the public halves of keys.
func keysOf(keys ...jwk.Key) KeyFunc {
	set := jwk.NewSet()
	for _, k := range keys {
		pub, _ := k.PublicKey()
		set.AddKey(pub)
	}
	return func(_ context.Context, kid string) (jwk.Key, error) {
		if k, ok := set.LookupKeyID(kid); ok {
			return k, nil
		}
		return nil, refuse("signature", "kid %q is not one of Accounts' keys", kid)
	}
}

func goodClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": issuer, "sub": "alice", "aud": clientID, "azp": clientID, "nonce": nonce,
		"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(), "auth_time": now.Unix(), "name": "Alice Liddell",
	}
}

func sign(t *testing.T, key jwk.Key, typ string, claims map[string]any) string {
	t.Helper()
	tok := jwt.New()
	tok.Options().Enable(jwt.FlattenAudience)
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, typ)
	signed, err := jwt.Sign(tok, jwt.WithKey(key.Algorithm(), key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// unsigned builds a token with alg none (RFC 8725 §3.2).
func unsigned(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT", "kid": "k1"}) + "." + enc(claims) + "."
}

// OpenID Connect Core §3.1.3.7: each step refuses a token that breaks it, and names itself.
func TestValidateIDToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	key := newKey(t, jwa.RS256, "k1")
	impostor := newKey(t, jwa.RS256, "k1") // same kid, not Accounts' key
	ecKey := newKey(t, jwa.ES256, "k2")
	keys := keysOf(key, ecKey)
	with := func(change func(map[string]any)) map[string]any {
		c := goodClaims(now)
		change(c)
		return c
	}
	tests := []struct {
		name      string
		token     string
		wantCheck string // "" means valid
	}{
		{"a good ID token passes", sign(t, key, "JWT", goodClaims(now)), ""},
		{"exp 30 s ago is within the skew (step 9 leeway)", sign(t, key, "JWT", with(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() })), ""},
		{"signature by another key is refused (step 6)", sign(t, impostor, "JWT", goodClaims(now)), "signature"},
		{"alg none is refused (step 6, RFC 8725 §3.2)", unsigned(t, goodClaims(now)), "signature"},
		{"ES256 is refused: ID tokens are RS256 (step 7)", sign(t, ecKey, "JWT", goodClaims(now)), "signature"},
		{"an access token is refused as an ID token (RFC 8725 §3.11)", sign(t, key, "at+jwt", with(func(c map[string]any) {
			c["aud"] = "http://localhost:9002"
			c["client_id"] = clientID
			c["scope"] = "openid profile"
			delete(c, "nonce")
		})), "typ"},
		{"another issuer is refused (step 2)", sign(t, key, "JWT", with(func(c map[string]any) { c["iss"] = "http://evil.example" })), "iss"},
		{"an issuer with a trailing slash is refused (step 2: exactly)", sign(t, key, "JWT", with(func(c map[string]any) { c["iss"] = issuer + "/" })), "iss"},
		{"aud of another client is refused (step 3)", sign(t, key, "JWT", with(func(c map[string]any) { c["aud"] = "printing" })), "aud"},
		{"aud with an untrusted extra audience is refused (step 3)", sign(t, key, "JWT", with(func(c map[string]any) { c["aud"] = []string{clientID, "printing"} })), "aud"},
		{"azp of another client is refused (step 5)", sign(t, key, "JWT", with(func(c map[string]any) { c["azp"] = "printing" })), "azp"},
		{"expired more than 60 s ago is refused (step 9)", sign(t, key, "JWT", with(func(c map[string]any) { c["exp"] = now.Add(-61 * time.Second).Unix() })), "exp"},
		{"no exp is refused (§2)", sign(t, key, "JWT", with(func(c map[string]any) { delete(c, "exp") })), "exp"},
		{"iat in the future is refused (step 10)", sign(t, key, "JWT", with(func(c map[string]any) { c["iat"] = now.Add(2 * time.Minute).Unix() })), "iat"},
		{"iat long ago is refused (step 10)", sign(t, key, "JWT", with(func(c map[string]any) { c["iat"] = now.Add(-time.Hour).Unix() })), "iat"},
		{"no iat is refused (§2)", sign(t, key, "JWT", with(func(c map[string]any) { delete(c, "iat") })), "iat"},
		{"another sign-in's nonce is refused (step 11)", sign(t, key, "JWT", with(func(c map[string]any) { c["nonce"] = "someone-else" })), "nonce"},
		{"no nonce is refused (step 11)", sign(t, key, "JWT", with(func(c map[string]any) { delete(c, "nonce") })), "nonce"},
		{"no sub is refused (§2)", sign(t, key, "JWT", with(func(c map[string]any) { delete(c, "sub") })), "sub"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateIDToken(context.Background(), tc.token,
				Expected{Issuer: issuer, ClientID: clientID, Nonce: nonce, Now: now}, keys)
			if tc.wantCheck == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if got.Subject != "alice" || got.Name != "Alice Liddell" {
					t.Errorf("got sub %q name %q", got.Subject, got.Name)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a refusal of %s", err, tc.wantCheck)
			}
			if e.Check != tc.wantCheck {
				t.Errorf("got check %q (%s), want %q", e.Check, e.Reason, tc.wantCheck)
			}
			if !strings.Contains(e.Error(), tc.wantCheck) {
				t.Errorf("the message %q does not name the check", e.Error())
			}
		})
	}
}

// An unknown kid's lookup error comes back as it is, so the caller can tell "Accounts is down"
// from "this token is bad".
func TestValidateIDTokenPassesKeyErrors(t *testing.T) {
	down := fmt.Errorf("accounts is down")
	keys := func(context.Context, string) (jwk.Key, error) { return nil, down }
	tok := sign(t, newKey(t, jwa.RS256, "k1"), "JWT", goodClaims(time.Now()))
	if _, err := ValidateIDToken(context.Background(), tok, Expected{Issuer: issuer, ClientID: clientID, Nonce: nonce, Now: time.Now()}, keys); !errors.Is(err, down) {
		t.Errorf("got %v, want the key source's error", err)
	}
}
