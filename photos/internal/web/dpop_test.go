package web

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// dpopTestClientKey is a client's fresh P-256 DPoP key and its RFC 7638 thumbprint.
func dpopTestClientKey(t testing.TB) (jwk.Key, string) {
	t.Helper()
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return key, base64.RawURLEncoding.EncodeToString(sum)
}

// dpopTestProof signs a proof for method and Photos' public URL + path, for token, at now;
// edit may change the header and claims first.
func dpopTestProof(t testing.TB, key jwk.Key, method, path, token string, now time.Time, edit func(h jws.Headers, c map[string]any)) string {
	t.Helper()
	pub, _ := key.PublicKey()
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, "dpop+jwt")
	h.Set(jws.JWKKey, pub)
	jti := make([]byte, 16)
	rand.Read(jti)
	ath := sha256.Sum256([]byte(token))
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti), "htm": method,
		"htu": testAudience + path, "iat": now.Unix(), "ath": base64.RawURLEncoding.EncodeToString(ath[:])}
	if edit != nil {
		edit(h, claims)
	}
	payload, _ := json.Marshal(claims)
	signed, err := jws.Sign(payload, jws.WithKey(jwa.ES256, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// dpopTestCall sends GET path with the Authorization header and, when proof is set, DPoP.
func dpopTestCall(t testing.TB, srv *photosServer, path, authorization, proof string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", authorization)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Response: resp, Body: data}
}

// TestDPoPBoundTokenRFC9449Section7 presents a DPoP-bound token (cnf.jkt) in every way the
// rules of RFC 9449 §7 and §4.3 refuse, one rule at a time, and the one way they accept.
func TestDPoPBoundTokenRFC9449Section7(t *testing.T) {
	accounts := newFakeAccounts(t)
	signing := newKey(t, jwa.RS256, "key-1")
	accounts.publish(signing)
	srv := newPhotosServer(t, accounts)
	now := srv.Clock.Now()
	key, jkt := dpopTestClientKey(t)
	thief, _ := dpopTestClientKey(t)
	bound := goodClaims(now)
	bound["cnf"] = map[string]any{"jkt": jkt}
	token := forge(t, signing, bound, nil)
	other := goodClaims(now)
	other["jti"], other["cnf"] = "another-token", map[string]any{"jkt": jkt}
	otherToken := forge(t, signing, other, nil)
	const path = "/api/photos"
	proof := func(edit func(h jws.Headers, c map[string]any)) string {
		return dpopTestProof(t, key, "GET", path, token, now, edit)
	}
	replayed := proof(nil)
	if r := dpopTestCall(t, srv, path, "DPoP "+token, replayed); r.StatusCode != http.StatusOK {
		t.Fatalf("the bound token with a good proof: got %d %s, want 200", r.StatusCode, r.Body)
	}
	tests := []struct {
		name, authorization, proof string
		wantError, wantInDesc      string
	}{
		{"a bound token sent as Bearer (§7.2)", "Bearer " + token, "", "invalid_token", "DPoP"},
		{"a bound token sent as Bearer, even with a proof (§7.2)", "Bearer " + token, proof(nil), "invalid_token", "DPoP"},
		{"no DPoP header (§4.3 step 1)", "DPoP " + token, "", "invalid_dpop_proof", "check header"},
		{"a replayed proof (§11.1)", "DPoP " + token, replayed, "invalid_dpop_proof", "check jti"},
		{"a proof from another key: the thief's (§7.1)", "DPoP " + token, dpopTestProof(t, thief, "GET", path, token, now, nil), "invalid_dpop_proof", "check jkt"},
		{"ath of another token (§4.3 step 12)", "DPoP " + token, dpopTestProof(t, key, "GET", path, otherToken, now, nil), "invalid_dpop_proof", "check ath"},
		{"typ is not dpop+jwt (§4.3 step 4)", "DPoP " + token, proof(func(h jws.Headers, c map[string]any) { h.Set(jws.TypeKey, "JWT") }), "invalid_dpop_proof", "check typ"},
		{"htm is not GET (§4.3 step 8)", "DPoP " + token, proof(func(h jws.Headers, c map[string]any) { c["htm"] = "DELETE" }), "invalid_dpop_proof", "check htm"},
		{"htu is another path (§4.3 step 9)", "DPoP " + token, proof(func(h jws.Headers, c map[string]any) { c["htu"] = testAudience + "/api/photos/1" }), "invalid_dpop_proof", "check htu"},
		{"htu is the back-channel address, not PHOTOS_PUBLIC_URL (§4.3 step 9)", "DPoP " + token, proof(func(h jws.Headers, c map[string]any) { c["htu"] = srv.URL + path }), "invalid_dpop_proof", "check htu"},
		{"iat more than 60 s old (§4.3 step 11)", "DPoP " + token, proof(func(h jws.Headers, c map[string]any) { c["iat"] = now.Add(-2 * time.Minute).Unix() }), "invalid_dpop_proof", "check iat"},
		{"an unbound token with the DPoP scheme", "DPoP " + forge(t, signing, goodClaims(now), nil), "", "invalid_token", "not bound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := dpopTestCall(t, srv, path, tc.authorization, tc.proof)
			body := r.jsonBody(t)
			desc, _ := body["error_description"].(string)
			if r.StatusCode != http.StatusUnauthorized || body["error"] != tc.wantError || !strings.Contains(desc, tc.wantInDesc) {
				t.Fatalf("got %d %s, want 401 %s naming %q", r.StatusCode, r.Body, tc.wantError, tc.wantInDesc)
			}
			got := r.Header.Get("WWW-Authenticate")
			if !strings.HasPrefix(got, `Bearer realm="photos"`) || !strings.Contains(got, `DPoP `) || !strings.Contains(got, `algs="ES256 EdDSA RS256 PS256"`) {
				t.Errorf("got WWW-Authenticate %q, want both schemes (Bearer realm=\"photos\", DPoP algs=...)", got)
			}
			if tc.wantError == "invalid_dpop_proof" && !strings.Contains(got, `DPoP error="invalid_dpop_proof"`) {
				t.Errorf("got WWW-Authenticate %q, want the error on the DPoP challenge (RFC 9449 §7.1)", got)
			}
		})
	}
}

// TestDPoPBoundTokenByIntrospectionRFC9449Section6_2: with introspection, cnf.jkt comes from
// Accounts' answer, and the same rules hold.
func TestDPoPBoundTokenByIntrospectionRFC9449Section6_2(t *testing.T) {
	accounts := newIntrospectTestAccounts(t, introspectTestSecret)
	srv := introspectTestServer(t, accounts.srv.URL+"/introspect", introspectTestSecret)
	key, jkt := dpopTestClientKey(t)
	answer := introspectTestActive(srv.Clock.Now(), "photos.read")
	answer["cnf"], answer["token_type"] = map[string]any{"jkt": jkt}, "DPoP"
	accounts.set("opaque-bound", answer)
	if r := srv.get(t, "/api/photos", "opaque-bound"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("as Bearer: got %d, want 401 (RFC 9449 §7.2)", r.StatusCode)
	}
	proof := dpopTestProof(t, key, "GET", "/api/photos", "opaque-bound", srv.Clock.Now(), nil)
	if r := dpopTestCall(t, srv, "/api/photos", "DPoP opaque-bound", proof); r.StatusCode != http.StatusOK {
		t.Errorf("as DPoP with a proof: got %d %s, want 200", r.StatusCode, r.Body)
	}
}

// TestCheckKeyBindingRFC9449Section7_1 is the rule alone.
func TestCheckKeyBindingRFC9449Section7_1(t *testing.T) {
	if err := checkKeyBinding("k1", "k1"); err != nil {
		t.Errorf("same key: got %v, want nil", err)
	}
	if err := checkKeyBinding("k2", "k1"); err == nil {
		t.Error("another key: got nil, want an error")
	}
}
