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
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// dpopTestKey is a fresh P-256 key pair for DPoP proofs.
func dpopTestKey(t testing.TB) jwk.Key {
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

// dpopTestThumbprint is the RFC 7638 SHA-256 thumbprint of key, base64url.
func dpopTestThumbprint(t testing.TB, key jwk.Key) string {
	t.Helper()
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// dpopTestProof signs a proof for POST srv.URL+"/token" at the server's time; edit may change
// the header and claims first.
func dpopTestProof(t testing.TB, srv *testServer, key jwk.Key, edit func(h jws.Headers, c map[string]any)) string {
	t.Helper()
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, "dpop+jwt")
	h.Set(jws.JWKKey, pub)
	jti := make([]byte, 16)
	rand.Read(jti)
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti), "htm": "POST",
		"htu": srv.URL + "/token", "iat": srv.Clock.Now().Unix()}
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

// dpopTestAth is the ath of a proof sent with token (RFC 9449 §4.2).
func dpopTestAth(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// dpopTestTokenRequest posts a form to /token as printing, with the DPoP header when proof is set.
func dpopTestTokenRequest(t testing.TB, srv *testServer, form url.Values, proof string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.base()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("printing", url.QueryEscape(printingSecret))
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("POST /token: not JSON (%d): %s", resp.StatusCode, data)
	}
	return resp.StatusCode, body
}

// dpopTestCodeForm is a code redemption for printing.
func dpopTestCodeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {printingRedirect}, "code_verifier": {testVerifier}}
}

// dpopTestJKT reads cnf.jkt from an access token without checking it (the test trusts Accounts).
func dpopTestJKT(t testing.TB, access string) string {
	t.Helper()
	tok, err := jwt.ParseInsecure([]byte(access))
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := tok.Get("cnf")
	m, _ := cnf.(map[string]any)
	jkt, _ := m["jkt"].(string)
	return jkt
}

// TestTokenWithDPoPProofBindsTheTokenRFC9449Section5: a code redeemed with a proof gives a
// DPoP token (token_type DPoP) whose cnf.jkt is the key's RFC 7638 thumbprint (§6.1), and
// introspection says so (§6.2).
func TestTokenWithDPoPProofBindsTheTokenRFC9449Section5(t *testing.T) {
	srv := newTestServer(t)
	key := dpopTestKey(t)
	status, body := dpopTestTokenRequest(t, srv, dpopTestCodeForm(newBrowser(t, srv).code("photos.read")), dpopTestProof(t, srv, key, nil))
	if status != http.StatusOK {
		t.Fatalf("got %d, want 200: %v", status, body)
	}
	if body["token_type"] != "DPoP" {
		t.Errorf("token_type: got %v, want DPoP", body["token_type"])
	}
	access, _ := body["access_token"].(string)
	want := dpopTestThumbprint(t, key)
	if got := dpopTestJKT(t, access); got != want {
		t.Errorf("cnf.jkt: got %q, want %q", got, want)
	}
	info := introspect(t, srv, access)
	if cnf, _ := info["cnf"].(map[string]any); cnf["jkt"] != want || info["token_type"] != "DPoP" {
		t.Errorf("introspection: got cnf %v token_type %v, want jkt %s and DPoP", info["cnf"], info["token_type"], want)
	}
}

// TestTokenRefusesBadDPoPProofRFC9449Section5: every failed check of §4.3 is a 400
// invalid_dpop_proof naming the check, and no token is issued.
func TestTokenRefusesBadDPoPProofRFC9449Section5(t *testing.T) {
	srv := newTestServer(t)
	key := dpopTestKey(t)
	replayed := dpopTestProof(t, srv, key, nil)
	b := newBrowser(t, srv)
	if status, body := dpopTestTokenRequest(t, srv, dpopTestCodeForm(b.code("photos.read")), replayed); status != http.StatusOK {
		t.Fatalf("first use of the proof: got %d, want 200: %v", status, body)
	}
	private, _ := json.Marshal(key)
	privateJWK, _ := jwk.ParseKey(private)
	tests := []struct {
		name  string
		proof string
		check string
	}{
		{"typ must be dpop+jwt (§4.3 step 4)", dpopTestProof(t, srv, key, func(h jws.Headers, c map[string]any) { h.Set(jws.TypeKey, "jwt") }), "typ"},
		{"jwk must hold no private key (§4.3 step 7)", dpopTestProof(t, srv, key, func(h jws.Headers, c map[string]any) { h.Set(jws.JWKKey, privateJWK) }), "jwk"},
		{"htm must be POST (§4.3 step 8)", dpopTestProof(t, srv, key, func(h jws.Headers, c map[string]any) { c["htm"] = "GET" }), "htm"},
		{"htu must be the published token_endpoint, not a back channel (§4.3 step 9)", dpopTestProof(t, srv, key, func(h jws.Headers, c map[string]any) { c["htu"] = "http://authserver:9001/token" }), "htu"},
		{"iat within 60 s (§4.3 step 11)", dpopTestProof(t, srv, key, func(h jws.Headers, c map[string]any) { c["iat"] = srv.Clock.Now().Add(-2 * time.Minute).Unix() }), "iat"},
		{"jti used once (§11.1)", replayed, "jti"},
		{"one JWT (§4.3 step 2)", "not-a-jwt", "jwt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := dpopTestTokenRequest(t, srv, dpopTestCodeForm(b.code("photos.read")), tc.proof)
			desc, _ := body["error_description"].(string)
			if status != http.StatusBadRequest || errorCode(body) != "invalid_dpop_proof" || !strings.Contains(desc, "check "+tc.check+" failed") {
				t.Errorf("got %d %v, want 400 invalid_dpop_proof naming the %s check", status, body, tc.check)
			}
		})
	}
}

// TestRefreshTokenBoundToDPoPKeyRFC9449Section5: a refresh token issued with a proof needs a
// proof from the same key; none, or another key, is invalid_dpop_proof and leaves the token
// usable by its owner.
func TestRefreshTokenBoundToDPoPKeyRFC9449Section5(t *testing.T) {
	srv := newTestServer(t)
	key := dpopTestKey(t)
	_, body := dpopTestTokenRequest(t, srv, dpopTestCodeForm(newBrowser(t, srv).code("photos.read")), dpopTestProof(t, srv, key, nil))
	refresh, _ := body["refresh_token"].(string)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	for _, tc := range []struct {
		name  string
		proof string
	}{
		{"no proof", ""},
		{"a proof from another key", dpopTestProof(t, srv, dpopTestKey(t), nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := dpopTestTokenRequest(t, srv, form, tc.proof)
			if status != http.StatusBadRequest || errorCode(body) != "invalid_dpop_proof" {
				t.Errorf("got %d %v, want 400 invalid_dpop_proof", status, body)
			}
		})
	}
	status, body := dpopTestTokenRequest(t, srv, form, dpopTestProof(t, srv, key, nil))
	if status != http.StatusOK || body["token_type"] != "DPoP" {
		t.Fatalf("refresh with the same key: got %d %v, want 200 DPoP", status, body)
	}
	if got := dpopTestJKT(t, body["access_token"].(string)); got != dpopTestThumbprint(t, key) {
		t.Errorf("refreshed token cnf.jkt: got %q, want the same key's thumbprint", got)
	}
	next := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {body["refresh_token"].(string)}}
	if status, body := dpopTestTokenRequest(t, srv, next, ""); status != http.StatusBadRequest || errorCode(body) != "invalid_dpop_proof" {
		t.Errorf("the rotated refresh token without a proof: got %d %v, want 400 invalid_dpop_proof (it stays bound)", status, body)
	}
}

// TestCheckRefreshBindingRFC9449Section5 is the rule alone.
func TestCheckRefreshBindingRFC9449Section5(t *testing.T) {
	for _, tc := range []struct {
		name, token, proof string
		ok                 bool
	}{
		{"unbound token, no proof", "", "", true},
		{"unbound token, a proof", "", "k1", true},
		{"bound token, the same key", "k1", "k1", true},
		{"bound token, no proof", "k1", "", false},
		{"bound token, another key", "k1", "k2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkRefreshBinding(tc.token, tc.proof); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestTokenWithoutDPoPIsBearer: without a DPoP header nothing changes (contract).
func TestTokenWithoutDPoPIsBearer(t *testing.T) {
	srv := newTestServer(t)
	status, body := dpopTestTokenRequest(t, srv, dpopTestCodeForm(newBrowser(t, srv).code("photos.read")), "")
	if status != http.StatusOK || body["token_type"] != "Bearer" || dpopTestJKT(t, body["access_token"].(string)) != "" {
		t.Errorf("got %d token_type %v, want 200 Bearer with no cnf", status, body["token_type"])
	}
}
