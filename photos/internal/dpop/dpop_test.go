package dpop

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

var testNow = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

const testURL = "https://accounts.example/token"

func newKey(t *testing.T) jwk.Key {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// proof signs a DPoP proof with key; edit may change the header and claims first.
func proof(t *testing.T, key jwk.Key, edit func(h jws.Headers, claims map[string]any)) string {
	t.Helper()
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, "dpop+jwt")
	h.Set(jws.JWKKey, pub)
	claims := map[string]any{"jti": randomID(t), "htm": "POST", "htu": testURL, "iat": testNow.Unix()}
	alg := jwa.ES256
	if edit != nil {
		edit(h, claims)
	}
	payload, _ := json.Marshal(claims)
	signed, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

func randomID(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestVerifyRefusesEachBrokenRuleRFC9449Section4_3 breaks one rule of RFC 9449 §4.3 at a
// time and checks that the proof is refused, naming that rule.
func TestVerifyRefusesEachBrokenRuleRFC9449Section4_3(t *testing.T) {
	key := newKey(t)
	private, _ := json.Marshal(key)
	privateJWK, _ := jwk.ParseKey(private)
	symmetric, _ := jwk.FromRaw([]byte("a shared secret of thirty-two b"))
	tests := []struct {
		name      string
		edit      func(h jws.Headers, c map[string]any)
		token     string
		wantCheck string
	}{
		{"typ must be dpop+jwt (§4.3 step 4)", func(h jws.Headers, c map[string]any) { h.Set(jws.TypeKey, "JWT") }, "", "typ"},
		{"jwk must not be private (§4.3 step 7)", func(h jws.Headers, c map[string]any) { h.Set(jws.JWKKey, privateJWK) }, "", "jwk"},
		{"jwk must be asymmetric (§4.3 step 7)", func(h jws.Headers, c map[string]any) { h.Set(jws.JWKKey, symmetric) }, "", "jwk"},
		{"jwk must be the signing key (§4.3 step 6)", func(h jws.Headers, c map[string]any) {
			other, _ := newKey(t).PublicKey()
			h.Set(jws.JWKKey, other)
		}, "", "signature"},
		{"jti is required (§4.3 step 3)", func(h jws.Headers, c map[string]any) { delete(c, "jti") }, "", "jti"},
		{"htm must match the method (§4.3 step 8)", func(h jws.Headers, c map[string]any) { c["htm"] = "GET" }, "", "htm"},
		{"htu must match the URI (§4.3 step 9)", func(h jws.Headers, c map[string]any) { c["htu"] = "https://accounts.example/revoke" }, "", "htu"},
		{"htu must be the public URL, not the back channel (§4.3 step 9)", func(h jws.Headers, c map[string]any) { c["htu"] = "http://authserver:9001/token" }, "", "htu"},
		{"iat too old (§4.3 step 11)", func(h jws.Headers, c map[string]any) { c["iat"] = testNow.Add(-61 * time.Second).Unix() }, "", "iat"},
		{"iat in the future (§4.3 step 11)", func(h jws.Headers, c map[string]any) { c["iat"] = testNow.Add(61 * time.Second).Unix() }, "", "iat"},
		{"ath is required with a token (§4.3 step 3)", nil, "the-token", "ath"},
		{"ath must hash the token sent (§4.3 step 12)", func(h jws.Headers, c map[string]any) { c["ath"] = AccessTokenHash("another token") }, "the-token", "ath"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(func() time.Time { return testNow }, 100)
			_, err := v.Verify([]string{proof(t, key, tc.edit)}, Request{Method: "POST", URL: testURL, AccessToken: tc.token})
			e, ok := err.(*Error)
			if !ok || e.Check != tc.wantCheck {
				t.Fatalf("got %v, want a failed %s check", err, tc.wantCheck)
			}
		})
	}
}

// TestVerifyAcceptsAGoodProofOnceRFC9449Section11_1: a good proof passes, with the key's RFC 7638
// thumbprint, and the same proof a second time is a replay.
func TestVerifyAcceptsAGoodProofOnceRFC9449Section11_1(t *testing.T) {
	key := newKey(t)
	v := NewVerifier(func() time.Time { return testNow }, 100)
	raw := proof(t, key, func(h jws.Headers, c map[string]any) {
		c["htu"] = "HTTPS://Accounts.Example:443/token?ignored=1" // normalized, query ignored
		c["ath"] = AccessTokenHash("tok")
	})
	got, err := v.Verify([]string{raw}, Request{Method: "POST", URL: testURL, AccessToken: "tok"})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want, _ := Thumbprint(key)
	if got.Thumbprint != want || len(want) != 43 {
		t.Errorf("thumbprint: got %q, want %q (43 base64url characters)", got.Thumbprint, want)
	}
	if _, err := v.Verify([]string{raw}, Request{Method: "POST", URL: testURL, AccessToken: "tok"}); err == nil || err.(*Error).Check != "jti" {
		t.Errorf("replayed proof: got %v, want a failed jti check", err)
	}
}

func TestCheckOneHeaderRFC9449Section4_3Steps1And2(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		ok     bool
	}{
		{"one JWT", []string{"a.b.c"}, true},
		{"none", nil, false},
		{"two DPoP headers", []string{"a.b.c", "a.b.c"}, false},
		{"not a JWT", []string{"not-a-jwt"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := checkOneHeader(tc.values); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckAlgorithmRFC9449Section4_3Step5(t *testing.T) {
	for _, tc := range []struct {
		alg jwa.SignatureAlgorithm
		ok  bool
	}{{jwa.ES256, true}, {jwa.EdDSA, true}, {jwa.RS256, true}, {jwa.NoSignature, false}, {"", false}, {jwa.HS256, false}, {jwa.ES512, false}} {
		t.Run(string(tc.alg), func(t *testing.T) {
			if err := checkAlgorithm(tc.alg, Algorithms); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckTypeRFC9449Section4_3Step4(t *testing.T) {
	for _, tc := range []struct {
		typ string
		ok  bool
	}{{"dpop+jwt", true}, {"at+jwt", false}, {"JWT", false}, {"", false}} {
		t.Run(tc.typ, func(t *testing.T) {
			if err := checkType(tc.typ); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckURIRFC9449Section4_3Step9(t *testing.T) {
	for _, tc := range []struct {
		name, htu string
		ok        bool
	}{
		{"same", testURL, true},
		{"query and fragment ignored", testURL + "?a=1#f", true},
		{"case of scheme and host", "HTTPS://ACCOUNTS.EXAMPLE/token", true},
		{"default port", "https://accounts.example:443/token", true},
		{"other path", "https://accounts.example/token2", false},
		{"other host", "https://evil.example/token", false},
		{"http for https", "http://accounts.example/token", false},
		{"relative", "/token", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkURI(tc.htu, testURL); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckIssuedAtRFC9449Section4_3Step11(t *testing.T) {
	for _, tc := range []struct {
		name string
		iat  time.Time
		ok   bool
	}{
		{"now", testNow, true},
		{"60 s ago", testNow.Add(-Window), true},
		{"61 s ago", testNow.Add(-Window - time.Second), false},
		{"60 s ahead", testNow.Add(Window), true},
		{"61 s ahead", testNow.Add(Window + time.Second), false},
		{"missing", time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkIssuedAt(tc.iat, testNow, Window); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckMethodRFC9449Section4_3Step8(t *testing.T) {
	for _, tc := range []struct {
		htm any
		ok  bool
	}{{"POST", true}, {"post", false}, {"GET", false}, {nil, false}, {42, false}} {
		if err := checkMethod(tc.htm, "POST"); (err == nil) != tc.ok {
			t.Errorf("htm %v: got %v, want ok=%v", tc.htm, err, tc.ok)
		}
	}
}

func TestCheckAccessTokenHashRFC9449Section4_3Step12(t *testing.T) {
	for _, tc := range []struct {
		name string
		ath  any
		ok   bool
	}{
		{"hash of the token", AccessTokenHash("tok"), true},
		{"hash of another token", AccessTokenHash("other"), false},
		{"the token itself", "tok", false},
		{"missing", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkAccessTokenHash(tc.ath, "tok"); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckPublicKeyRFC9449Section4_3Step7(t *testing.T) {
	key := newKey(t)
	pub, _ := key.PublicKey()
	symmetric, _ := jwk.FromRaw([]byte("secret"))
	rsaKey := func(bits int) jwk.Key {
		raw, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		k, _ := jwk.FromRaw(&raw.PublicKey)
		return k
	}
	for _, tc := range []struct {
		name string
		key  jwk.Key
		ok   bool
	}{
		{"public EC key", pub, true}, {"private EC key", key, false}, {"symmetric key", symmetric, false}, {"no key", nil, false},
		{"RSA key of 2048 bits", rsaKey(2048), true}, {"RSA key of 1024 bits", rsaKey(1024), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkPublicKey(tc.key); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestReplayCacheIsBoundedRFC9449Section11_1: a full cache of live proofs refuses a new one
// rather than forget an old one; expired entries make room.
func TestReplayCacheIsBoundedRFC9449Section11_1(t *testing.T) {
	r := &replayCache{limit: 2, seen: map[string]time.Time{}}
	until := testNow.Add(Window)
	for _, id := range []string{"a", "b"} {
		if err := r.firstUse(id, until, testNow); err != nil {
			t.Fatalf("firstUse(%s): %v", id, err)
		}
	}
	if err := r.firstUse("a", until, testNow); err == nil {
		t.Error("replay of a: got nil, want an error")
	}
	if err := r.firstUse("c", until, testNow); err == nil {
		t.Error("c with a full cache: got nil, want an error")
	}
	if err := r.firstUse("c", until.Add(time.Second), until); err != nil {
		t.Errorf("c after a and b expired: %v", err)
	}
}
