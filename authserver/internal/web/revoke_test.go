package web

// Tests of the revocation endpoint (RFC 7009).

import (
	"net/http"
	"net/url"
	"testing"
)

// revokeTestRequest posts to /revoke as the printing client with client_secret_basic. An empty
// hint sends no token_type_hint.
func revokeTestRequest(t *testing.T, srv *testServer, token, hint string) (*http.Response, map[string]any) {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	return tokenRequest(t, srv, "/revoke", form, "printing", printingSecret)
}

// revokeTestWantOK fails unless a revocation answer is 200 (RFC 7009 §2.2).
func revokeTestWantOK(t *testing.T, resp *http.Response, body map[string]any) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: got status %d, want 200: %v", resp.StatusCode, body)
	}
}

// TestRevokeRefreshToken checks that revoking a refresh token makes it fail at /token and, as
// RFC 7009 §2.1 asks ("SHOULD also invalidate all access tokens based on the same
// authorization grant"), makes every access token of the grant inactive. The hint only says
// where to look first: with the wrong hint the token must still be found (§2.1).
func TestRevokeRefreshToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name string
		hint string
	}{
		{"refresh token with hint refresh_token (RFC 7009 §2.1)", "refresh_token"},
		{"refresh token without a hint (RFC 7009 §2.1)", ""},
		{"refresh token with the wrong hint access_token is still revoked (RFC 7009 §2.1)", "access_token"},
		{"refresh token with an unknown hint is still revoked (RFC 7009 §2.1)", "id_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, refresh := tokenTestIssue(t, srv, "photos.read")
			second, refresh := refreshTestRotate(t, srv, refresh, "photos.read")
			resp, body := revokeTestRequest(t, srv, refresh, tc.hint)
			revokeTestWantOK(t, resp, body)

			resp, body = refreshTestRequest(t, srv, refresh, nil)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")
			refreshTestWantInactive(t, srv, "the revoked refresh token", refresh)
			refreshTestWantInactive(t, srv, "the access token issued with it", second)
			refreshTestWantInactive(t, srv, "the grant's first access token", first)
		})
	}
}

// TestRevokeAccessToken checks that revoking an access token makes it introspect as inactive,
// while the refresh token of the grant keeps working (RFC 7009 §2.1 lets the server revoke
// only the access token). The wrong hint still finds it (§2.1).
func TestRevokeAccessToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name string
		hint string
	}{
		{"access token with hint access_token (RFC 7009 §2.1)", "access_token"},
		{"access token without a hint (RFC 7009 §2.1)", ""},
		{"access token with the wrong hint refresh_token is still revoked (RFC 7009 §2.1)", "refresh_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			access, refresh := tokenTestIssue(t, srv, "photos.read")
			if got := introspect(t, srv, access)["active"]; got != true {
				t.Fatalf("before revocation the access token introspects as active=%v, want true", got)
			}
			resp, body := revokeTestRequest(t, srv, access, tc.hint)
			revokeTestWantOK(t, resp, body)
			refreshTestWantInactive(t, srv, "the revoked access token", access)

			newAccess, _ := refreshTestRotate(t, srv, refresh, "photos.read")
			if newAccess == "" {
				return
			}
			if got := introspect(t, srv, newAccess)["active"]; got != true {
				t.Errorf("a new access token of the same grant introspects as active=%v, want true", got)
			}
		})
	}
}

// TestRevokeRequests checks the answers of /revoke to requests that revoke nothing: an unknown
// token is 200 (RFC 7009 §2.2), another client's token is refused (§2.1), and a request without
// client authentication (§2.1) or without a token is an error. None may disturb the token.
func TestRevokeRequests(t *testing.T) {
	srv := newTestServer(t)
	accessOf := func(access, _ string) string { return access }
	refreshOf := func(_, refresh string) string { return refresh }
	tests := []struct {
		name       string
		token      func(access, refresh string) string // nil: no token parameter
		id, secret string
		form       url.Values // extra body parameters
		wantStatus int
		wantError  string
	}{
		{name: "an unknown token is 200 (RFC 7009 §2.2)",
			token: func(string, string) string { return "no-such-token" }, id: "printing", secret: printingSecret,
			wantStatus: http.StatusOK},
		{name: "an unknown JWT-shaped token is 200 (RFC 7009 §2.2)",
			token: func(string, string) string { return "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln" }, id: "printing", secret: printingSecret,
			wantStatus: http.StatusOK},
		{name: "another client's refresh token is unauthorized_client (RFC 7009 §2.1)",
			token: refreshOf, id: "other", secret: otherSecret,
			wantStatus: http.StatusBadRequest, wantError: "unauthorized_client"},
		{name: "another client's access token is unauthorized_client (RFC 7009 §2.1)",
			token: accessOf, id: "other", secret: otherSecret,
			wantStatus: http.StatusBadRequest, wantError: "unauthorized_client"},
		{name: "another client's refresh token with the access_token hint is unauthorized_client (RFC 7009 §2.1)",
			token: refreshOf, id: "other", secret: otherSecret, form: url.Values{"token_type_hint": {"access_token"}},
			wantStatus: http.StatusBadRequest, wantError: "unauthorized_client"},
		{name: "no client authentication is invalid_client (RFC 7009 §2.1, RFC 6749 §5.2)",
			token: refreshOf, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a confidential client naming itself without its secret is invalid_client (RFC 7009 §2.1)",
			token: refreshOf, form: url.Values{"client_id": {"printing"}},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "the wrong secret is invalid_client (RFC 7009 §2.1, RFC 6749 §5.2)",
			token: accessOf, id: "printing", secret: otherSecret,
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a missing token is invalid_request (RFC 7009 §2.1, §2.2.1)",
			id: "printing", secret: printingSecret,
			wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			access, refresh := tokenTestIssue(t, srv, "photos.read")
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if tc.token != nil {
				form.Set("token", tc.token(access, refresh))
			}
			resp, body := tokenRequest(t, srv, "/revoke", form, tc.id, tc.secret)
			if tc.wantError == "" {
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("got status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
				}
			} else {
				tokenTestCheckError(t, resp, body, tc.wantStatus, tc.wantError)
			}
			// Nothing was revoked: printing's tokens still work.
			if got := introspect(t, srv, access)["active"]; got != true {
				t.Errorf("the access token introspects as active=%v, want true", got)
			}
			refreshTestRotate(t, srv, refresh, "photos.read")
		})
	}
}

// TestRevokePublicClient checks that a public client, which cannot authenticate, may revoke its
// own tokens by naming itself with client_id (RFC 7009 §2.1 and §5: the token itself proves
// possession), but not another client's.
func TestRevokePublicClient(t *testing.T) {
	srv := newTestServer(t)

	t.Run("a public client revokes its own refresh token with client_id only (RFC 7009 §2.1)", func(t *testing.T) {
		access, refresh := tokenTestPublicIssue(t, srv, "photos.read")
		resp, body := tokenRequest(t, srv, "/revoke", url.Values{"token": {refresh}, "client_id": {"public-app"}}, "", "")
		revokeTestWantOK(t, resp, body)
		resp, body = tokenRequest(t, srv, "/token",
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"public-app"}}, "", "")
		tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		refreshTestWantInactive(t, srv, "the public client's access token", access)
	})

	t.Run("a public client cannot revoke another client's refresh token (RFC 7009 §2.1)", func(t *testing.T) {
		_, refresh := tokenTestIssue(t, srv, "photos.read")
		resp, body := tokenRequest(t, srv, "/revoke", url.Values{"token": {refresh}, "client_id": {"public-app"}}, "", "")
		tokenTestCheckError(t, resp, body, http.StatusBadRequest, "unauthorized_client")
		refreshTestRotate(t, srv, refresh, "photos.read")
	})

	t.Run("a confidential client cannot revoke a public client's refresh token (RFC 7009 §2.1)", func(t *testing.T) {
		_, refresh := tokenTestPublicIssue(t, srv, "photos.read")
		resp, body := revokeTestRequest(t, srv, refresh, "refresh_token")
		tokenTestCheckError(t, resp, body, http.StatusBadRequest, "unauthorized_client")
		resp, body = tokenRequest(t, srv, "/token",
			url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"public-app"}}, "", "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the public client's refresh token: got status %d, want 200: %v", resp.StatusCode, body)
		}
	})
}

// TestRevokeClientCredentialsAccessToken checks revocation of a client_credentials access
// token, which has no refresh token and no user grant (RFC 7009 §2.1): its own client can
// revoke it, another client cannot.
func TestRevokeClientCredentialsAccessToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name       string
		id, secret string
		wantStatus int
		wantError  string
		wantActive bool
	}{
		{name: "the client revokes its own client_credentials token (RFC 7009 §2.1)",
			id: "worker", secret: workerSecret, wantStatus: http.StatusOK, wantActive: false},
		{name: "another client's client_credentials token is unauthorized_client (RFC 7009 §2.1)",
			id: "printing", secret: printingSecret, wantStatus: http.StatusBadRequest, wantError: "unauthorized_client", wantActive: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret)
			access, _ := tokenTestCheckSuccess(t, resp, body, "photos.read photos.write", false)
			if access == "" {
				t.FailNow()
			}
			resp, body = tokenRequest(t, srv, "/revoke", url.Values{"token": {access}, "token_type_hint": {"access_token"}}, tc.id, tc.secret)
			if tc.wantError == "" {
				revokeTestWantOK(t, resp, body)
			} else {
				tokenTestCheckError(t, resp, body, tc.wantStatus, tc.wantError)
			}
			got := introspect(t, srv, access)
			if got["active"] != tc.wantActive {
				t.Errorf("got active %v, want %t", got["active"], tc.wantActive)
			}
			if !tc.wantActive {
				introspectTestWantExactlyInactive(t, got)
			}
		})
	}
}
