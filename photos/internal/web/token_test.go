package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// unsignedToken builds a token with alg none by hand: jwx refuses to sign one.
func unsignedToken(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "."
}

// hs256WithPublicKey is the key-confusion attack: an HMAC signature whose secret is the RSA
// public key, which anyone can download from the JWKS.
func hs256WithPublicKey(t *testing.T, key jwk.Key, claims map[string]any) string {
	t.Helper()
	var raw any
	pub, _ := key.PublicKey()
	if err := pub.Raw(&raw); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signingInput := enc(map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": key.KeyID()}) + "." + enc(claims)
	mac := hmac.New(sha256.New, der)
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Every way a token can be forged, stale or misdirected gets 401 invalid_token (RFC 6750 §3.1),
// with an error_description naming the check (RFC 9068 §4, RFC 8725). A few near misses that
// must pass are in the table too, so the checks are not simply stricter than the rules.
func TestTokenChecks(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	ecKey := newKey(t, jwa.ES256, "key-ec")
	accounts.publish(key, ecKey)
	unpublished := newKey(t, jwa.RS256, "key-unknown")
	srv := newPhotosServer(t, accounts)
	now := srv.Clock.Now()

	with := func(change func(map[string]any)) map[string]any {
		c := goodClaims(now)
		change(c)
		return c
	}
	attacker := newKey(t, jwa.RS256, "attacker")
	attackerJWK, _ := attacker.PublicKey()

	tests := []struct {
		name  string
		token string
		want  string // a word of the error_description; "" means the token must pass
	}{
		{"a good RS256 token passes", forge(t, key, goodClaims(now), nil), ""},
		{"a good ES256 token passes", forge(t, ecKey, goodClaims(now), nil), ""},
		{"typ application/at+jwt passes (RFC 9068 §2.1)", forge(t, key, goodClaims(now), map[string]any{"typ": "application/at+jwt"}), ""},
		{"typ is compared case-insensitively (RFC 9068 §4)", forge(t, key, goodClaims(now), map[string]any{"typ": "AT+JWT"}), ""},
		{"exp 30 s ago is within the 60 s skew", forge(t, key, with(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() }), nil), ""},
		{"nbf 30 s ahead is within the 60 s skew", forge(t, key, with(func(c map[string]any) { c["nbf"] = now.Add(30 * time.Second).Unix() }), nil), ""},

		{"alg none (RFC 8725 §3.2)", unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt", "kid": "key-1"}, goodClaims(now)), "alg none"},
		{"HS256 signed with the RSA public key (RFC 8725 §2.1)", hs256WithPublicKey(t, key, goodClaims(now)), "algorithm comes from the key"},
		{"an alg other than the key's (RFC 8725 §3.1)", forge(t, ecKey, goodClaims(now), map[string]any{"kid": "key-1"}), "algorithm comes from the key"},
		{"unknown kid", forge(t, unpublished, goodClaims(now), nil), "not one of Accounts' keys"},
		{"no kid", forge(t, key, goodClaims(now), map[string]any{"kid": nil}), "no kid"},
		{"a signature that does not verify", tamper(t, forge(t, key, goodClaims(now), nil)), "signature"},
		{"typ JWT, as an ID token has (RFC 9068 §4)", forge(t, key, goodClaims(now), map[string]any{"typ": "JWT"}), "typ"},
		{"an ID token from Photos' own sign-in is refused (RFC 9068 §4, OIDC Core §2)", forge(t, key, idTokenClaims(now), map[string]any{"typ": "JWT"}), "typ"},
		{"no typ (RFC 9068 §4)", forge(t, key, goodClaims(now), map[string]any{"typ": nil}), "typ"},
		{"jku header (RFC 8725 §3.10)", forge(t, key, goodClaims(now), map[string]any{"jku": "https://attacker.example/jwks.json"}), "jku"},
		{"x5u header", forge(t, key, goodClaims(now), map[string]any{"x5u": "https://attacker.example/cert.pem"}), "x5u"},
		{"jwk header carrying the attacker's key", forge(t, attacker, goodClaims(now), map[string]any{"jwk": attackerJWK, "kid": "key-1"}), "jwk"},
		{"crit header (RFC 7515 §4.1.11)", forge(t, key, goodClaims(now), map[string]any{"crit": []string{"exp"}}), "crit"},
		{"wrong iss (RFC 9068 §4)", forge(t, key, with(func(c map[string]any) { c["iss"] = "http://localhost:9001/" }), nil), "iss"},
		{"wrong aud (RFC 9068 §4)", forge(t, key, with(func(c map[string]any) { c["aud"] = "http://localhost:9000" }), nil), "aud"},
		{"aud of Photos and Accounts passes: Photos is among the values (RFC 9068 §4)", forge(t, key, with(func(c map[string]any) { c["aud"] = []string{testAudience, testIssuer} }), nil), ""},
		{"aud of two resources, neither Photos (RFC 9068 §4)", forge(t, key, with(func(c map[string]any) { c["aud"] = []string{testIssuer, "http://other.example"} }), nil), "aud"},
		{"no aud", forge(t, key, with(func(c map[string]any) { delete(c, "aud") }), nil), "aud"},
		{"expired more than 60 s ago (RFC 9068 §4)", forge(t, key, with(func(c map[string]any) { c["exp"] = now.Add(-61 * time.Second).Unix() }), nil), "expired"},
		{"not valid for more than 60 s yet (nbf)", forge(t, key, with(func(c map[string]any) { c["nbf"] = now.Add(2 * time.Minute).Unix() }), nil), "not valid before"},
		{"issued in the future (iat)", forge(t, key, with(func(c map[string]any) { c["iat"] = now.Add(2 * time.Minute).Unix() }), nil), "future"},
		{"missing sub (RFC 9068 §2.2)", forge(t, key, with(func(c map[string]any) { delete(c, "sub") }), nil), "sub"},
		{"missing client_id (RFC 9068 §2.2)", forge(t, key, with(func(c map[string]any) { delete(c, "client_id") }), nil), "client_id"},
		{"missing jti (RFC 9068 §2.2)", forge(t, key, with(func(c map[string]any) { delete(c, "jti") }), nil), "jti"},
		{"missing iat (RFC 9068 §2.2)", forge(t, key, with(func(c map[string]any) { delete(c, "iat") }), nil), "iat"},
		{"missing exp (RFC 9068 §2.2)", forge(t, key, with(func(c map[string]any) { delete(c, "exp") }), nil), "exp"},
		{"not a JWT at all", "this-is-not-a-jwt", "not a signed JWT"},
	}
	wwwAuth := regexp.MustCompile(`^Bearer realm="photos", error="invalid_token", error_description="([\x20\x21\x23-\x5b\x5d-\x7e]+)", resource_metadata="` +
		regexp.QuoteMeta(testAudience+"/.well-known/oauth-protected-resource") + `", ` + dpopAlgsChallenge + `$`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, "/api/photos", tc.token)
			if tc.want == "" {
				if r.StatusCode != http.StatusOK {
					t.Fatalf("got %d %s, want 200", r.StatusCode, r.Body)
				}
				return
			}
			if r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, http.StatusUnauthorized, r.Body)
			}
			m := wwwAuth.FindStringSubmatch(r.Header.Get("WWW-Authenticate"))
			if m == nil {
				t.Fatalf("got WWW-Authenticate %q, want the invalid_token challenge", r.Header.Get("WWW-Authenticate"))
			}
			if !strings.Contains(m[1], tc.want) {
				t.Errorf("error_description %q does not name the failed check (%q)", m[1], tc.want)
			}
			body := r.jsonBody(t)
			if body["error"] != "invalid_token" || !strings.Contains(body["error_description"].(string), tc.want) {
				t.Errorf("got body %v, want invalid_token naming %q", body, tc.want)
			}
		})
	}
}

// tamper changes one claim without re-signing.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), `"scope":"photos.read"`, `"scope":"photos.read photos.delete"`, 1)
	if changed == string(payload) {
		t.Fatal("nothing to tamper with")
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(changed)) + "." + parts[2]
}

// RFC 6750 §2.1 and §3.1: the token is read from the Authorization header only, whose scheme is
// case-insensitive; without a token the answer is 401 with a challenge and no error code.
func TestTokenTransport(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	token := forge(t, key, goodClaims(srv.Clock.Now()), nil)
	form := "access_token=" + url.QueryEscape(token)

	tests := []struct {
		name        string
		method      string
		path        string
		header      string
		body        string
		contentType string
		want        int
		challenge   string
	}{
		{"Bearer in the header", "GET", "/api/photos", "Bearer " + token, "", "", 200, ""},
		{"scheme in lower case (RFC 6750 §2.1, RFC 9110 §11.1)", "GET", "/api/photos", "bearer " + token, "", "", 200, ""},
		{"scheme in upper case", "GET", "/api/photos", "BEARER " + token, "", "", 200, ""},
		{"no token: no error attribute (RFC 6750 §3.1)", "GET", "/api/photos", "", "", "", 401, challenge()},
		{"token in the query string is ignored (RFC 6750 §2.3)", "GET", "/api/photos?" + form, "", "", "", 401, challenge()},
		{"token in a form body is ignored (RFC 6750 §2.2)", "POST", "/api/photos", "", form, "application/x-www-form-urlencoded", 401, challenge()},
		{"Basic credentials are not a token", "GET", "/api/photos", "Basic YWxpY2U6d29uZGVybGFuZA==", "", "", 401, challenge()},
		{"Bearer with nothing after it", "GET", "/api/photos", "Bearer ", "", "", 401, challenge()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			} else {
				body = strings.NewReader("")
			}
			r := srv.call(t, tc.method, tc.path, tc.header, body, tc.contentType)
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
			if got := r.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("got WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if tc.want == 401 && r.jsonBody(t)["error"] != nil {
				t.Errorf("a request without a token got an error code: %s", r.Body)
			}
		})
	}
}

// RFC 6750 §3.1: a token without the scope gets 403 insufficient_scope naming the scope needed,
// and the scope is checked before the photo is looked up (403 before 404).
func TestScopeChecks(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	tokenWith := func(scope string) string {
		c := goodClaims(srv.Clock.Now())
		c["scope"] = scope
		return forge(t, key, c, nil)
	}
	readOnly := tokenWith("photos.read")
	tests := []struct {
		name, method, path, token, scope string
	}{
		{"DELETE needs photos.delete", "DELETE", "/api/photos/" + srv.AlicePhoto, readOnly, "photos.delete"},
		{"403 comes before 404 for DELETE", "DELETE", "/api/photos/pnosuchphoto", readOnly, "photos.delete"},
		{"upload needs photos.write", "POST", "/api/photos", readOnly, "photos.write"},
		{"listing needs photos.read", "GET", "/api/photos", tokenWith("photos.write"), "photos.read"},
		{"403 comes before 404 for GET", "GET", "/api/photos/pnosuchphoto", tokenWith("photos.delete"), "photos.read"},
		{"content needs photos.read", "GET", "/api/photos/" + srv.AlicePhoto + "/content", tokenWith("openid"), "photos.read"},
		{"a token with no scope at all", "GET", "/api/photos", tokenWith(""), "photos.read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.call(t, tc.method, tc.path, "Bearer "+tc.token, nil, "")
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("got status %d, want 403: %s", r.StatusCode, r.Body)
			}
			want := `^Bearer realm="photos", error="insufficient_scope", error_description="[^"]*", scope="` +
				regexp.QuoteMeta(tc.scope) + `", resource_metadata="` + regexp.QuoteMeta(testAudience) + `/\.well-known/oauth-protected-resource"$`
			if got := r.Header.Get("WWW-Authenticate"); !regexp.MustCompile(want).MatchString(got) {
				t.Errorf("got WWW-Authenticate %q, want insufficient_scope with scope=%q", got, tc.scope)
			}
			body := r.jsonBody(t)
			if body["error"] != "insufficient_scope" || body["scope"] != tc.scope {
				t.Errorf("got body %v", body)
			}
		})
	}
	// The photo was not deleted by the refused request.
	if r := srv.get(t, "/api/photos/"+srv.AlicePhoto, readOnly); r.StatusCode != http.StatusOK {
		t.Errorf("after a refused DELETE the photo answers %d, want 200", r.StatusCode)
	}
}
