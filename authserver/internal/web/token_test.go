package web

// Tests of the token endpoint (RFC 6749 §3.2, §5.1, §5.2): the three grants, client
// authentication (§2.3), Cache-Control: no-store on every back-channel answer, and the errors.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/valet/authserver/internal/registry"
)

// tokenTestOIDCWorker is a client_credentials client that registers openid and profile, so a
// refusal of those scopes cannot come from the registration check alone.
func tokenTestOIDCWorker() registry.Client {
	return registry.Client{ClientID: "oidc-worker", ClientSecret: workerSecret, Name: "OIDC Worker",
		RedirectURIs: []string{}, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"openid", "profile", "photos.read"}}
}

// tokenTestCodeForm is the body of an authorization_code request with PKCE, without client
// credentials.
func tokenTestCodeForm(code, redirectURI string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"code_verifier": {testVerifier},
	}
}

// tokenTestPublicCode runs a browser through /authorize as alice for the public client and
// returns the code.
func tokenTestPublicCode(t *testing.T, srv *testServer, scope string) string {
	t.Helper()
	b := newBrowser(t, srv)
	params := url.Values{
		"response_type":         {"code"},
		"client_id":             {"public-app"},
		"redirect_uri":          {publicRedirect},
		"scope":                 {scope},
		"state":                 {"state-" + randomToken()[:8]},
		"code_challenge":        {s256(testVerifier)},
		"code_challenge_method": {"S256"},
	}
	u := b.authorize(params, "alice", "wonderland")
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", u)
	}
	return code
}

// tokenTestPrintingCode runs a fresh browser through /authorize as alice for the printing
// client and returns the code.
func tokenTestPrintingCode(t *testing.T, srv *testServer, scope string) string {
	t.Helper()
	return newBrowser(t, srv).code(scope)
}

// tokenTestIssue redeems a fresh printing code and returns the access and refresh tokens.
func tokenTestIssue(t *testing.T, srv *testServer, scope string) (access, refresh string) {
	t.Helper()
	tok := exchange(t, srv, tokenTestPrintingCode(t, srv, scope))
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("exchange gave access token %q and refresh token %q, want both", tok.AccessToken, tok.RefreshToken)
	}
	return tok.AccessToken, tok.RefreshToken
}

// tokenTestPublicIssue redeems a fresh public-app code with client_id only and returns the
// access and refresh tokens.
func tokenTestPublicIssue(t *testing.T, srv *testServer, scope string) (access, refresh string) {
	t.Helper()
	form := tokenTestCodeForm(tokenTestPublicCode(t, srv, scope), publicRedirect)
	form.Set("client_id", "public-app")
	resp, body := tokenRequest(t, srv, "/token", form, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("public client code redemption: got status %d, want 200: %v", resp.StatusCode, body)
	}
	access, _ = body["access_token"].(string)
	refresh, _ = body["refresh_token"].(string)
	if access == "" || refresh == "" {
		t.Fatalf("public client got access token %q and refresh token %q, want both", access, refresh)
	}
	return access, refresh
}

// tokenTestCheckError checks an RFC 6749 §5.2 error answer. An invalid_client answer must also
// be 401 with a Basic challenge.
func tokenTestCheckError(t *testing.T, resp *http.Response, body map[string]any, wantStatus int, wantError string) {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Errorf("got status %d, want %d: %v", resp.StatusCode, wantStatus, body)
	}
	if got := errorCode(body); got != wantError {
		t.Errorf("got error %q, want %q: %v", got, wantError, body)
	}
	if wantError == "invalid_client" {
		if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic") {
			t.Errorf("got WWW-Authenticate %q, want a Basic challenge (RFC 6749 §5.2)", got)
		}
	}
	if _, ok := body["access_token"]; ok {
		t.Errorf("an error answer carries an access_token: %v", body)
	}
}

// tokenTestCheckSuccess checks the fields of an RFC 6749 §5.1 answer and returns the access
// token and, if any, the refresh token.
func tokenTestCheckSuccess(t *testing.T, resp *http.Response, body map[string]any, wantScope string, wantRefresh bool) (access, refresh string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200: %v", resp.StatusCode, body)
	}
	access, _ = body["access_token"].(string)
	if access == "" {
		t.Errorf("access_token is missing or not a string: %v", body)
	}
	if got, _ := body["token_type"].(string); !strings.EqualFold(got, "Bearer") {
		t.Errorf("got token_type %q, want Bearer (RFC 6749 §7.1)", got)
	}
	if got, ok := body["expires_in"].(float64); !ok || got <= 0 {
		t.Errorf("got expires_in %v, want a number > 0", body["expires_in"])
	}
	if got, ok := body["scope"].(string); !ok || got != wantScope {
		t.Errorf("got scope %v, want %q", body["scope"], wantScope)
	}
	_, hasRefresh := body["refresh_token"]
	if hasRefresh != wantRefresh {
		t.Errorf("refresh_token present: got %t, want %t: %v", hasRefresh, wantRefresh, body)
	}
	refresh, _ = body["refresh_token"].(string)
	if wantRefresh && refresh == "" {
		t.Errorf("refresh_token is empty or not a string: %v", body["refresh_token"])
	}
	return access, refresh
}

// tokenTestClaims verifies a JWT against the JWKS Accounts publishes and returns its protected
// header and its claims as sent.
func tokenTestClaims(t *testing.T, srv *testServer, raw string) (jws.Headers, map[string]any) {
	t.Helper()
	ctx := context.Background()
	set, err := jwk.Fetch(ctx, srv.base()+"/.well-known/jwks.json")
	if err != nil {
		t.Fatalf("fetch JWKS: %v", err)
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKeySet(set))
	if err != nil {
		t.Fatalf("the token does not verify against the JWKS: %v", err)
	}
	msg, err := jws.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("claims are not JSON: %v", err)
	}
	return msg.Signatures()[0].ProtectedHeaders(), claims
}

// TestTokenGrants redeems each grant Accounts supports and checks the answer of RFC 6749 §5.1:
// access_token, token_type Bearer, expires_in > 0, scope always, and a refresh token only where
// the grant issues one.
func TestTokenGrants(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name string
		// request builds the request body and the Basic credentials ("" for none).
		request      func(t *testing.T) (form url.Values, id, secret string)
		wantClient   string
		wantScope    string
		wantRefresh  bool
		wantSubject  string
		wantAuthTime bool
	}{
		{
			name: "authorization_code with client_secret_basic (RFC 6749 §4.1.3, §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				return tokenTestCodeForm(tokenTestPrintingCode(t, srv, "photos.read"), printingRedirect), "printing", printingSecret
			},
			wantClient: "printing", wantScope: "photos.read", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "authorization_code with client_secret_post (RFC 6749 §4.1.3, §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := tokenTestCodeForm(tokenTestPrintingCode(t, srv, "photos.read photos.write"), printingRedirect)
				form.Set("client_id", "printing")
				form.Set("client_secret", printingSecret)
				return form, "", ""
			},
			wantClient: "printing", wantScope: "photos.read photos.write", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "authorization_code by a public client with PKCE and client_id only (RFC 6749 §4.1.3, RFC 7636 §4.5)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := tokenTestCodeForm(tokenTestPublicCode(t, srv, "photos.read"), publicRedirect)
				form.Set("client_id", "public-app")
				return form, "", ""
			},
			wantClient: "public-app", wantScope: "photos.read", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "refresh_token with client_secret_basic (RFC 6749 §6)",
			request: func(t *testing.T) (url.Values, string, string) {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, "printing", printingSecret
			},
			wantClient: "printing", wantScope: "photos.read", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "refresh_token with client_secret_post (RFC 6749 §6)",
			request: func(t *testing.T) (url.Values, string, string) {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
					"client_id": {"printing"}, "client_secret": {printingSecret}}, "", ""
			},
			wantClient: "printing", wantScope: "photos.read", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "refresh_token by a public client with client_id only (RFC 6749 §6)",
			request: func(t *testing.T) (url.Values, string, string) {
				_, refresh := tokenTestPublicIssue(t, srv, "photos.read")
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"public-app"}}, "", ""
			},
			wantClient: "public-app", wantScope: "photos.read", wantRefresh: true, wantSubject: "alice", wantAuthTime: true,
		},
		{
			name: "client_credentials with a form-encoded secret in client_secret_basic (RFC 6749 §4.4, §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				return url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret
			},
			wantClient: "worker", wantScope: "photos.read photos.write", wantRefresh: false, wantSubject: "worker",
		},
		{
			name: "client_credentials with client_secret_post (RFC 6749 §4.4, §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				return url.Values{"grant_type": {"client_credentials"}, "client_id": {"worker"}, "client_secret": {workerSecret}}, "", ""
			},
			wantClient: "worker", wantScope: "photos.read photos.write", wantRefresh: false, wantSubject: "worker",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form, id, secret := tc.request(t)
			resp, body := tokenRequest(t, srv, "/token", form, id, secret)
			access, _ := tokenTestCheckSuccess(t, resp, body, tc.wantScope, tc.wantRefresh)
			if access == "" {
				return
			}
			_, claims := tokenTestClaims(t, srv, access)
			if got := claims["client_id"]; got != tc.wantClient {
				t.Errorf("got client_id claim %v, want %q", got, tc.wantClient)
			}
			if got := claims["sub"]; got != tc.wantSubject {
				t.Errorf("got sub %v, want %q", got, tc.wantSubject)
			}
			if got := claims["scope"]; got != tc.wantScope {
				t.Errorf("got scope claim %v, want %q", got, tc.wantScope)
			}
			if _, ok := claims["auth_time"]; ok != tc.wantAuthTime {
				t.Errorf("auth_time present: got %t, want %t", ok, tc.wantAuthTime)
			}
			if got := introspect(t, srv, access)["active"]; got != true {
				t.Errorf("the new access token introspects as active=%v, want true", got)
			}
		})
	}

	t.Run("authorization_code through golang.org/x/oauth2 (RFC 6749 §4.1.3)", func(t *testing.T) {
		tok := exchange(t, srv, tokenTestPrintingCode(t, srv, "photos.read"))
		if !tok.Valid() || tok.RefreshToken == "" {
			t.Errorf("got token valid=%t refresh=%q, want a valid token with a refresh token", tok.Valid(), tok.RefreshToken)
		}
		if got := tok.Extra("scope"); got != "photos.read" {
			t.Errorf("got scope %v, want %q", got, "photos.read")
		}
	})
}

// TestTokenClientAuthentication checks how /token authenticates clients (RFC 6749 §2.3): by
// client_secret_basic or client_secret_post for a confidential client, by client_id alone for a
// public one, and never by two methods at once.
func TestTokenClientAuthentication(t *testing.T) {
	srv := newTestServer(t)
	printingForm := func(t *testing.T) url.Values {
		return tokenTestCodeForm(tokenTestPrintingCode(t, srv, "photos.read"), printingRedirect)
	}
	publicForm := func(t *testing.T) url.Values {
		return tokenTestCodeForm(tokenTestPublicCode(t, srv, "photos.read"), publicRedirect)
	}
	tests := []struct {
		name       string
		request    func(t *testing.T) (form url.Values, id, secret string)
		wantStatus int
		wantError  string // "" for success
	}{
		{
			name: "client_secret_basic with form-encoded id and secret is accepted (RFC 6749 §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				return url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret
			},
			wantStatus: http.StatusOK,
		},
		{
			name: "client_secret_post is accepted (RFC 6749 §2.3.1)",
			request: func(t *testing.T) (url.Values, string, string) {
				return url.Values{"grant_type": {"client_credentials"}, "client_id": {"worker"}, "client_secret": {workerSecret}}, "", ""
			},
			wantStatus: http.StatusOK,
		},
		{
			name: "client_secret_basic redeems a code (RFC 6749 §2.3.1, §4.1.3)",
			request: func(t *testing.T) (url.Values, string, string) {
				return printingForm(t), "printing", printingSecret
			},
			wantStatus: http.StatusOK,
		},
		{
			name: "public client redeems a code with PKCE and client_id only (RFC 6749 §2.1, §4.1.3)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := publicForm(t)
				form.Set("client_id", "public-app")
				return form, "", ""
			},
			wantStatus: http.StatusOK,
		},
		{
			name: "public client that sends a secret in the body is invalid_client (RFC 6749 §2.3, §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := publicForm(t)
				form.Set("client_id", "public-app")
				form.Set("client_secret", "made-up")
				return form, "", ""
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "public client that sends a secret with Basic is invalid_client (RFC 6749 §2.3, §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				return publicForm(t), "public-app", "made-up"
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "Basic and client_secret in the body together is invalid_request (RFC 6749 §2.3)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := printingForm(t)
				form.Set("client_secret", printingSecret)
				return form, "printing", printingSecret
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "wrong secret with Basic is invalid_client (RFC 6749 §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				return printingForm(t), "printing", printingSecret + "x"
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "wrong secret with client_secret_post is invalid_client (RFC 6749 §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := printingForm(t)
				form.Set("client_id", "printing")
				form.Set("client_secret", otherSecret)
				return form, "", ""
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "unknown client is invalid_client (RFC 6749 §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				return printingForm(t), "nobody", printingSecret
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "confidential client with client_id but no secret is invalid_client (RFC 6749 §2.3.1, §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				form := printingForm(t)
				form.Set("client_id", "printing")
				return form, "", ""
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "no client authentication at all is invalid_client (RFC 6749 §3.2.1, §5.2)",
			request: func(t *testing.T) (url.Values, string, string) {
				return printingForm(t), "", ""
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form, id, secret := tc.request(t)
			resp, body := tokenRequest(t, srv, "/token", form, id, secret)
			if tc.wantError == "" {
				if resp.StatusCode != tc.wantStatus {
					t.Fatalf("got status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
				}
				if got, _ := body["access_token"].(string); got == "" {
					t.Errorf("no access_token in %v", body)
				}
				return
			}
			tokenTestCheckError(t, resp, body, tc.wantStatus, tc.wantError)
		})
	}
}

// TestTokenSecretCacheRejectsWrongSecret makes sure the remembered result of a successful
// secret check never lets a different secret in (RFC 6749 §2.3.1): each step runs in order
// against the same server.
func TestTokenSecretCacheRejectsWrongSecret(t *testing.T) {
	srv := newTestServer(t)
	grant := url.Values{"grant_type": {"client_credentials"}}
	steps := []struct {
		name       string
		form       url.Values
		id, secret string
		wantStatus int
		wantError  string
	}{
		{name: "the right secret is accepted", form: grant, id: "worker", secret: workerSecret, wantStatus: http.StatusOK},
		{name: "a wrong secret after a right one is still invalid_client (RFC 6749 §5.2)",
			form: grant, id: "worker", secret: "wrong", wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "the right secret plus one character is invalid_client (RFC 6749 §5.2)",
			form: grant, id: "worker", secret: workerSecret + "x", wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a prefix of the right secret is invalid_client (RFC 6749 §5.2)",
			form: grant, id: "worker", secret: workerSecret[:len(workerSecret)-1], wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "an empty secret after a right one is invalid_client (RFC 6749 §5.2)",
			form:       url.Values{"grant_type": {"client_credentials"}, "client_id": {"worker"}, "client_secret": {""}},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a wrong secret with client_secret_post after a right one is invalid_client (RFC 6749 §5.2)",
			form:       url.Values{"grant_type": {"client_credentials"}, "client_id": {"worker"}, "client_secret": {"wrong"}},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "the right secret still works after wrong ones", form: grant, id: "worker", secret: workerSecret, wantStatus: http.StatusOK},
		{name: "another client authenticates with its own secret", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}},
			id: "printing", secret: printingSecret, wantStatus: http.StatusBadRequest, wantError: "invalid_grant"},
		{name: "another client's right secret is invalid_client for worker (RFC 6749 §5.2)",
			form: grant, id: "worker", secret: printingSecret, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "worker's right secret is invalid_client for another client (RFC 6749 §5.2)",
			form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}}, id: "printing", secret: workerSecret,
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, "/token", step.form, step.id, step.secret)
			if step.wantError == "" {
				if resp.StatusCode != step.wantStatus {
					t.Errorf("got status %d, want %d: %v", resp.StatusCode, step.wantStatus, body)
				}
				return
			}
			tokenTestCheckError(t, resp, body, step.wantStatus, step.wantError)
		})
	}
}

// TestTokenCacheControlNoStore checks that every answer of /token, /revoke and /introspect,
// success or error, carries Cache-Control: no-store (RFC 6749 §5.1, §5.2; RFC 7009 §2; RFC 7662
// §2.2), since any of them may hold a token or say something about one.
func TestTokenCacheControlNoStore(t *testing.T) {
	srv := newTestServer(t)
	access, refresh := tokenTestIssue(t, srv, "photos.read")
	_, revokable := tokenTestIssue(t, srv, "photos.read")
	post := func(path string, form url.Values, id, secret string) func(t *testing.T) *http.Response {
		return func(t *testing.T) *http.Response {
			resp, _ := tokenRequest(t, srv, path, form, id, secret)
			return resp
		}
	}
	tests := []struct {
		name       string
		do         func(t *testing.T) *http.Response
		wantStatus int
	}{
		{"token success, client_credentials (RFC 6749 §5.1)",
			post("/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret), http.StatusOK},
		{"token success, refresh_token (RFC 6749 §5.1)",
			post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, "printing", printingSecret), http.StatusOK},
		{"token error invalid_grant (RFC 6749 §5.2)",
			post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}}, "printing", printingSecret), http.StatusBadRequest},
		{"token error invalid_client (RFC 6749 §5.2)",
			post("/token", url.Values{"grant_type": {"client_credentials"}}, "worker", "wrong"), http.StatusUnauthorized},
		{"token error unsupported_grant_type (RFC 6749 §5.2)",
			post("/token", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland"}}, "printing", printingSecret), http.StatusBadRequest},
		{"token with GET is refused and not cached (RFC 6749 §3.2)",
			func(t *testing.T) *http.Response {
				resp, err := http.Get(srv.base() + "/token")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp
			}, http.StatusMethodNotAllowed},
		{"revoke success (RFC 7009 §2.2)",
			post("/revoke", url.Values{"token": {revokable}}, "printing", printingSecret), http.StatusOK},
		{"revoke of an unknown token (RFC 7009 §2.2)",
			post("/revoke", url.Values{"token": {"unknown"}}, "printing", printingSecret), http.StatusOK},
		{"revoke error invalid_request (RFC 7009 §2.2.1)",
			post("/revoke", url.Values{}, "printing", printingSecret), http.StatusBadRequest},
		{"revoke error invalid_client (RFC 7009 §2.1)",
			post("/revoke", url.Values{"token": {access}}, "", ""), http.StatusUnauthorized},
		{"introspect active (RFC 7662 §2.2)",
			post("/introspect", url.Values{"token": {access}}, "photos", photosSecret), http.StatusOK},
		{"introspect inactive (RFC 7662 §2.2)",
			post("/introspect", url.Values{"token": {"unknown"}}, "photos", photosSecret), http.StatusOK},
		{"introspect error invalid_client (RFC 7662 §2.1)",
			post("/introspect", url.Values{"token": {access}}, "photos", "wrong"), http.StatusUnauthorized},
		{"introspect error invalid_request (RFC 7662 §2.1)",
			post("/introspect", url.Values{}, "photos", photosSecret), http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.do(t)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if !tokenTestHasNoStore(resp.Header) {
				t.Errorf("got Cache-Control %q, want no-store", resp.Header.Values("Cache-Control"))
			}
		})
	}
}

// tokenTestHasNoStore reports whether a Cache-Control header carries the no-store directive.
func tokenTestHasNoStore(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-store") {
				return true
			}
		}
	}
	return false
}

// TestTokenGrantTypeErrors checks the grant_type errors of RFC 6749 §5.2: a missing one is
// invalid_request, one Accounts does not support is unsupported_grant_type, and one the client
// did not register is unauthorized_client. No case may issue a token.
func TestTokenGrantTypeErrors(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name       string
		form       url.Values
		id, secret string
		wantError  string
	}{
		{"missing grant_type is invalid_request (RFC 6749 §4.1.3, §5.2)",
			url.Values{"code": {"some-code"}, "redirect_uri": {printingRedirect}, "code_verifier": {testVerifier}},
			"printing", printingSecret, "invalid_request"},
		{"password is unsupported_grant_type (RFC 6749 §5.2, RFC 9700 §2.4)",
			url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland"}, "scope": {"photos.read"}},
			"printing", printingSecret, "unsupported_grant_type"},
		{"implicit is unsupported_grant_type (RFC 6749 §5.2, RFC 9700 §2.1.2)",
			url.Values{"grant_type": {"implicit"}, "scope": {"photos.read"}},
			"printing", printingSecret, "unsupported_grant_type"},
		{"an extension grant Accounts does not know is unsupported_grant_type (RFC 6749 §4.5, §5.2)",
			url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"x.y.z"}},
			"worker", workerSecret, "unsupported_grant_type"},
		{"grant_type in another case is unsupported_grant_type (RFC 6749 §3.1: values are case sensitive)",
			url.Values{"grant_type": {"Client_Credentials"}},
			"worker", workerSecret, "unsupported_grant_type"},
		{"client_credentials by a client not registered for it is unauthorized_client (RFC 6749 §5.2)",
			url.Values{"grant_type": {"client_credentials"}, "scope": {"photos.read"}},
			"printing", printingSecret, "unauthorized_client"},
		{"client_credentials by a public client is unauthorized_client (RFC 6749 §4.4)",
			url.Values{"grant_type": {"client_credentials"}, "client_id": {"public-app"}},
			"", "", "unauthorized_client"},
		{"authorization_code by a client not registered for it is unauthorized_client (RFC 6749 §5.2)",
			url.Values{"grant_type": {"authorization_code"}, "code": {"some-code"}, "redirect_uri": {"http://localhost:9200/callback"}, "code_verifier": {testVerifier}},
			"worker", workerSecret, "unauthorized_client"},
		{"refresh_token by a client not registered for it is unauthorized_client (RFC 6749 §5.2)",
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"some-token"}},
			"worker", workerSecret, "unauthorized_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, "/token", tc.form, tc.id, tc.secret)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, tc.wantError)
		})
	}
}

// TestTokenClientCredentials checks the client_credentials grant (RFC 6749 §4.4): the scope
// defaults to the client's registered scopes (§3.3), a scope outside them is invalid_scope, no
// refresh token is issued (§4.4.3), and the access token (RFC 9068 §2.2) names the client as
// its subject with no auth_time, since no user signed in.
func TestTokenClientCredentials(t *testing.T) {
	srv := newTestServer(t)
	success := []struct {
		name      string
		scope     []string // nil: no scope parameter
		wantScope string
	}{
		{"no scope gets the registered scopes (RFC 6749 §3.3)", nil, "photos.read photos.write"},
		{"a registered scope is granted as asked (RFC 6749 §3.3)", []string{"photos.read"}, "photos.read"},
		{"all registered scopes in another order (RFC 6749 §3.3)", []string{"photos.write photos.read"}, "photos.read photos.write"},
	}
	for _, tc := range success {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}}
			if tc.scope != nil {
				form["scope"] = tc.scope
			}
			resp, body := tokenRequest(t, srv, "/token", form, "worker", workerSecret)
			access, _ := tokenTestCheckSuccess(t, resp, body, tc.wantScope, false)
			if access == "" {
				return
			}
			header, claims := tokenTestClaims(t, srv, access)
			if got := header.Type(); !strings.EqualFold(got, "at+jwt") {
				t.Errorf("got typ %q, want at+jwt (RFC 9068 §2.1)", got)
			}
			if got := claims["sub"]; got != "worker" {
				t.Errorf("got sub %v, want %q (the client acts for itself)", got, "worker")
			}
			if got := claims["client_id"]; got != "worker" {
				t.Errorf("got client_id %v, want %q", got, "worker")
			}
			if got, ok := claims["auth_time"]; ok {
				t.Errorf("got auth_time %v, want none: no user signed in", got)
			}
			if got := claims["scope"]; got != tc.wantScope {
				t.Errorf("got scope claim %v, want %q", got, tc.wantScope)
			}
			if got := claims["aud"]; got != "http://localhost:9002" {
				t.Errorf("got aud %v, want %q as a single string", got, "http://localhost:9002")
			}
			if got := claims["iss"]; got != srv.URL {
				t.Errorf("got iss %v, want %q", got, srv.URL)
			}
		})
	}

	failure := []struct {
		name  string
		scope string
	}{
		{"openid is invalid_scope: there is no user (RFC 6749 §5.2, OpenID Connect Core §3.1.2.1)", "openid"},
		{"openid with a registered scope is invalid_scope (RFC 6749 §5.2)", "openid photos.read"},
		{"a known scope the client did not register is invalid_scope (RFC 6749 §5.2)", "photos.delete"},
		{"a registered and an unregistered scope together is invalid_scope (RFC 6749 §5.2)", "photos.read photos.delete"},
		{"an unknown scope is invalid_scope (RFC 6749 §5.2)", "admin"},
	}
	for _, tc := range failure {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}, "scope": {tc.scope}}
			resp, body := tokenRequest(t, srv, "/token", form, "worker", workerSecret)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_scope")
		})
	}
}

// TestTokenClientCredentialsRefusesOpenIDEvenWhenRegistered checks that openid and profile are
// refused for client_credentials because they are about a user, not merely because the test
// worker happens not to register them.
func TestTokenClientCredentialsRefusesOpenIDEvenWhenRegistered(t *testing.T) {
	clients := append(testClients(), tokenTestOIDCWorker())
	srv := newTestServer(t, withClients(clients))
	tests := []struct {
		name       string
		scope      string
		wantStatus int
		wantError  string
	}{
		{"a registered photos scope works (RFC 6749 §4.4.2)", "photos.read", http.StatusOK, ""},
		{"registered openid is still invalid_scope: there is no user (RFC 6749 §5.2)", "openid", http.StatusBadRequest, "invalid_scope"},
		{"registered profile is still invalid_scope: there is no user (RFC 6749 §5.2)", "profile", http.StatusBadRequest, "invalid_scope"},
		{"registered openid with photos.read is invalid_scope (RFC 6749 §5.2)", "openid photos.read", http.StatusBadRequest, "invalid_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}, "scope": {tc.scope}}
			resp, body := tokenRequest(t, srv, "/token", form, "oidc-worker", workerSecret)
			if tc.wantError == "" {
				tokenTestCheckSuccess(t, resp, body, tc.scope, false)
				return
			}
			tokenTestCheckError(t, resp, body, tc.wantStatus, tc.wantError)
		})
	}
}
