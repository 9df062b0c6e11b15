package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"
)

// RFC 6749 §10.10: guessing a code must be infeasible. Ours carry 256 random bits (at least
// 128 are required).
func TestCodeHasAtLeast128RandomBits(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		code := b.code("photos.read")
		raw, err := base64.RawURLEncoding.DecodeString(code)
		if err != nil {
			t.Fatalf("code %q is not base64url: %v", code, err)
		}
		if len(raw)*8 < 128 {
			t.Errorf("code has %d bits, want at least 128", len(raw)*8)
		}
		if seen[code] {
			t.Errorf("code %q issued twice", code)
		}
		seen[code] = true
	}
}

// codeRedemption is a token request for a code, with fields a case may change.
func codeRedemption(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {printingRedirect},
		"code_verifier": {testVerifier},
	}
}

// A code is bound to the client, the redirect URI and the PKCE challenge, lives 60 seconds, and
// any failed redemption spends it.
func TestCodeRedemptionRules(t *testing.T) {
	tests := []struct {
		name     string
		change   func(url.Values)
		clientID string
		secret   string
		wait     time.Duration
		wantErr  string
	}{
		{"another client cannot redeem it (RFC 6749 §4.1.3)", nil, "other", otherSecret, 0, "invalid_grant"},
		{"redirect_uri must be identical (RFC 6749 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", "http://localhost:9000/callback2") }, "", "", 0, "invalid_grant"},
		{"redirect_uri must be present (RFC 6749 §4.1.3)", func(v url.Values) { v.Del("redirect_uri") }, "", "", 0, "invalid_request"},
		{"wrong code_verifier (RFC 7636 §4.6)", func(v url.Values) { v.Set("code_verifier", "x"+testVerifier[1:]) }, "", "", 0, "invalid_grant"},
		{"missing code_verifier (RFC 7636 §4.5)", func(v url.Values) { v.Del("code_verifier") }, "", "", 0, "invalid_grant"},
		{"code_verifier too short (RFC 7636 §4.1)", func(v url.Values) { v.Set("code_verifier", "abc") }, "", "", 0, "invalid_grant"},
		{"the challenge itself is not a verifier (RFC 7636 §4.6)", func(v url.Values) { v.Set("code_verifier", s256(testVerifier)) }, "", "", 0, "invalid_grant"},
		{"expired after 60 seconds", nil, "", "", 61 * time.Second, "invalid_grant"},
		{"unknown code", func(v url.Values) { v.Set("code", randomToken()) }, "", "", 0, "invalid_grant"},
		{"missing code", func(v url.Values) { v.Del("code") }, "", "", 0, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			code := newBrowser(t, srv).code("photos.read")
			form := codeRedemption(code)
			if tc.change != nil {
				tc.change(form)
			}
			clientID, secret := "printing", printingSecret
			if tc.clientID != "" {
				clientID, secret = tc.clientID, tc.secret
			}
			srv.Clock.Advance(tc.wait)
			resp, body := tokenRequest(t, srv, "/token", form, clientID, secret)
			if resp.StatusCode != http.StatusBadRequest || errorCode(body) != tc.wantErr {
				t.Fatalf("got %d %v, want 400 %s", resp.StatusCode, body, tc.wantErr)
			}
			if body["error_description"] == "" {
				t.Error("no error_description")
			}
			if tc.wantErr == "invalid_request" || form.Get("code") != code {
				return // the real code was not presented
			}
			// The code is spent even though the redemption failed: the right request fails now too.
			srv.Clock.Advance(-tc.wait)
			resp, body = tokenRequest(t, srv, "/token", codeRedemption(code), "printing", printingSecret)
			if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "invalid_grant" {
				t.Errorf("after a failed redemption the right one got %d %v, want invalid_grant", resp.StatusCode, body)
			}
		})
	}
}

// A code is bound to the user and the granted scopes: the token says who and what.
func TestCodeBoundToUserAndScope(t *testing.T) {
	srv := newTestServer(t)
	for _, u := range []struct{ name, password string }{{"alice", "wonderland"}, {"bob", "builder"}} {
		b := newBrowser(t, srv)
		loc := b.authorize(authParams("photos.read photos.write"), u.name, u.password)
		tok := exchange(t, srv, loc.Query().Get("code"))
		parsed, err := jwt.ParseString(tok.AccessToken, jwt.WithVerify(false))
		if err != nil {
			t.Fatal(err)
		}
		scope, _ := parsed.Get("scope")
		if parsed.Subject() != u.name || scope != "photos.read photos.write" {
			t.Errorf("got sub %q scope %q, want %q and the granted scopes", parsed.Subject(), scope, u.name)
		}
	}
}

// RFC 6749 §4.1.2 and RFC 9700 §4.2.4: a code used twice is refused, and every token issued from
// it is revoked.
func TestCodeReuseRevokesItsTokens(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	code := b.code("photos.read")
	tok := exchange(t, srv, code)
	if got := introspect(t, srv, tok.AccessToken)["active"]; got != true {
		t.Fatalf("fresh access token: active = %v, want true", got)
	}
	// A second, unrelated grant must survive.
	other := exchange(t, srv, b.code("photos.read"))

	resp, body := tokenRequest(t, srv, "/token", codeRedemption(code), "printing", printingSecret)
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "invalid_grant" {
		t.Fatalf("second redemption: got %d %v, want 400 invalid_grant", resp.StatusCode, body)
	}
	if got := introspect(t, srv, tok.AccessToken)["active"]; got != false {
		t.Errorf("access token from the replayed code: active = %v, want false", got)
	}
	resp, body = tokenRequest(t, srv, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, "printing", printingSecret)
	if errorCode(body) != "invalid_grant" {
		t.Errorf("refresh token from the replayed code: got %d %v, want invalid_grant", resp.StatusCode, body)
	}
	if got := introspect(t, srv, other.AccessToken)["active"]; got != true {
		t.Errorf("a token from another code was revoked too: active = %v", got)
	}
}

// A public client redeems with PKCE and its client_id, no secret (RFC 6749 §2.1, RFC 7636).
func TestCodePublicClientWithPKCE(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("photos.read")
	params.Set("client_id", "public-app")
	params.Set("redirect_uri", publicRedirect)
	loc := newBrowser(t, srv).authorize(params, "alice", "wonderland")
	form := codeRedemption(loc.Query().Get("code"))
	form.Set("redirect_uri", publicRedirect)
	form.Set("client_id", "public-app")
	resp, body := tokenRequest(t, srv, "/token", form, "", "")
	if resp.StatusCode != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("got %d %v, want tokens", resp.StatusCode, body)
	}
}
