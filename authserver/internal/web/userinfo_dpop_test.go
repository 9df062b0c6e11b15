package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// userinfoTestBoundToken signs alice in through photos-web and redeems the code with a DPoP
// proof signed by key: an openid access token bound to key.
func userinfoTestBoundToken(t *testing.T, srv *testServer, key jwk.Key) string {
	t.Helper()
	params := authParams("openid profile")
	params.Set("client_id", "photos-web")
	params.Set("redirect_uri", "http://localhost:9002/callback")
	params.Set("nonce", testNonce)
	loc := newBrowser(t, srv).authorize(params, "alice", "wonderland")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://localhost:9002/callback"}, "code_verifier": {testVerifier}}
	req, _ := http.NewRequest(http.MethodPost, srv.base()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("photos-web", url.QueryEscape(photosWebSecret))
	req.Header.Set("DPoP", dpopTestProof(t, srv, key, nil))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK || body["token_type"] != "DPoP" {
		t.Fatalf("token request: got %d %v, want 200 DPoP", resp.StatusCode, body)
	}
	return body["access_token"].(string)
}

// TestUserinfoDPoPBoundTokenRFC9449Section7: userinfo is a protected resource too. A bound
// token needs the DPoP scheme and a proof for GET /userinfo from its key; as Bearer it is
// refused (§7.2), and so are a proof from another key and a proof for another URL.
func TestUserinfoDPoPBoundTokenRFC9449Section7(t *testing.T) {
	srv := newTestServer(t)
	key := dpopTestKey(t)
	token := userinfoTestBoundToken(t, srv, key)
	proof := func(k jwk.Key, edit func(h jws.Headers, c map[string]any)) string {
		return dpopTestProof(t, srv, k, func(h jws.Headers, c map[string]any) {
			c["htm"], c["htu"], c["ath"] = "GET", srv.URL+"/userinfo", dpopTestAth(token)
			if edit != nil {
				edit(h, c)
			}
		})
	}
	tests := []struct {
		name, authorization, proof string
		wantStatus                 int
		wantError                  string
	}{
		{"the DPoP scheme and a proof from the key", "DPoP " + token, proof(key, nil), http.StatusOK, ""},
		{"the bound token as Bearer (§7.2)", "Bearer " + token, "", http.StatusUnauthorized, "invalid_token"},
		{"no proof (§4.3 step 1)", "DPoP " + token, "", http.StatusUnauthorized, "invalid_dpop_proof"},
		{"a proof from another key (§7.1)", "DPoP " + token, proof(dpopTestKey(t), nil), http.StatusUnauthorized, "invalid_dpop_proof"},
		{"a proof for the token endpoint (§4.3 step 9)", "DPoP " + token, proof(key, func(h jws.Headers, c map[string]any) { c["htu"] = srv.URL + "/token" }), http.StatusUnauthorized, "invalid_dpop_proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.base()+"/userinfo", nil)
			req.Header.Set("Authorization", tc.authorization)
			if tc.proof != "" {
				req.Header.Set("DPoP", tc.proof)
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			var body map[string]any
			json.Unmarshal(data, &body)
			if resp.StatusCode != tc.wantStatus || (tc.wantError != "" && errorCode(body) != tc.wantError) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, data, tc.wantStatus, tc.wantError)
			}
		})
	}
}
