package web

// Tests of the introspection endpoint (RFC 7662).

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valet/authserver/internal/registry"
)

// introspectTestWantExactlyInactive fails unless an answer is exactly {"active": false}: RFC 7662
// §2.2 says that for an inactive token the server "SHOULD NOT include any additional
// information", so a token that does not work reveals nothing.
func introspectTestWantExactlyInactive(t *testing.T, body map[string]any) {
	t.Helper()
	if got, ok := body["active"].(bool); !ok || got {
		t.Errorf("got active %v, want false", body["active"])
	}
	if len(body) != 1 {
		t.Errorf("got %d members %v, want only \"active\": false (RFC 7662 §2.2)", len(body), body)
	}
}

// TestIntrospectActiveAccessToken checks the members of an active access token's answer (RFC
// 7662 §2.2): scope, client_id, sub, a single-string aud, iss equal to the issuer, exp, iat,
// jti and token_type, each agreeing with the token itself.
func TestIntrospectActiveAccessToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name       string
		token      func(t *testing.T) string
		wantClient string
		wantSub    string
		wantScope  string
	}{
		{"access token from an authorization code (RFC 7662 §2.2)",
			func(t *testing.T) string {
				access, _ := tokenTestIssue(t, srv, "photos.read photos.write")
				return access
			}, "printing", "alice", "photos.read photos.write"},
		{"access token from a refresh (RFC 7662 §2.2)",
			func(t *testing.T) string {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				access, _ := refreshTestRotate(t, srv, refresh, "photos.read")
				return access
			}, "printing", "alice", "photos.read"},
		{"access token from client_credentials (RFC 7662 §2.2)",
			func(t *testing.T) string {
				resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"photos.write"}}, "worker", workerSecret)
				access, _ := tokenTestCheckSuccess(t, resp, body, "photos.write", false)
				return access
			}, "worker", "worker", "photos.write"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			access := tc.token(t)
			if access == "" {
				t.FailNow()
			}
			_, claims := tokenTestClaims(t, srv, access)
			body := introspect(t, srv, access)
			if got := body["active"]; got != true {
				t.Fatalf("got active %v, want true: %v", got, body)
			}
			wantStrings := map[string]string{
				"scope":     tc.wantScope,
				"client_id": tc.wantClient,
				"sub":       tc.wantSub,
				"aud":       "http://localhost:9002",
				"iss":       srv.URL,
			}
			for name, want := range wantStrings {
				if got, ok := body[name].(string); !ok || got != want {
					t.Errorf("got %s %#v, want the string %q", name, body[name], want)
				}
			}
			if got, ok := body["jti"].(string); !ok || got == "" || got != claims["jti"] {
				t.Errorf("got jti %#v, want the token's jti %v", body["jti"], claims["jti"])
			}
			if got, _ := body["token_type"].(string); !strings.EqualFold(got, "Bearer") {
				t.Errorf("got token_type %#v, want Bearer", body["token_type"])
			}
			for _, name := range []string{"exp", "iat"} {
				got, ok := body[name].(float64)
				if !ok || got != claims[name] {
					t.Errorf("got %s %#v, want the token's %s %v as a number", name, body[name], name, claims[name])
				}
			}
			exp, _ := body["exp"].(float64)
			iat, _ := body["iat"].(float64)
			if exp <= iat || float64(srv.Clock.Now().Unix()) >= exp {
				t.Errorf("got iat %v and exp %v at %d, want iat < now < exp", iat, exp, srv.Clock.Now().Unix())
			}
		})
	}
}

// TestIntrospectActiveRefreshToken checks that a usable refresh token introspects as active
// (RFC 7662 §2.1: "the token can be an access token or a refresh token"), with its grant's
// scope and client.
func TestIntrospectActiveRefreshToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name  string
		scope string
	}{
		{"refresh token of a one-scope grant (RFC 7662 §2.2)", "photos.read"},
		{"refresh token of a two-scope grant (RFC 7662 §2.2)", "photos.read photos.write"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, refresh := tokenTestIssue(t, srv, tc.scope)
			body := introspect(t, srv, refresh)
			if got := body["active"]; got != true {
				t.Fatalf("got active %v, want true: %v", got, body)
			}
			if got := body["client_id"]; got != "printing" {
				t.Errorf("got client_id %v, want %q", got, "printing")
			}
			if got := body["scope"]; got != tc.scope {
				t.Errorf("got scope %v, want %q", got, tc.scope)
			}
		})
	}
}

// TestIntrospectInactive checks that a token that does not work gets exactly {"active": false}
// (RFC 7662 §2.2), whatever the reason.
func TestIntrospectInactive(t *testing.T) {
	tests := []struct {
		name string
		// token returns the token to ask about, after doing whatever makes it inactive.
		token func(t *testing.T, srv *testServer) string
	}{
		{"an unknown string (RFC 7662 §2.2)",
			func(t *testing.T, srv *testServer) string { return "no-such-token" }},
		{"an access token past its exp (RFC 7662 §2.2, §4)",
			func(t *testing.T, srv *testServer) string {
				access, _ := tokenTestIssue(t, srv, "photos.read")
				srv.Clock.Advance(10*time.Minute + time.Second)
				return access
			}},
		{"a client_credentials access token past its exp (RFC 7662 §2.2)",
			func(t *testing.T, srv *testServer) string {
				resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret)
				access, _ := tokenTestCheckSuccess(t, resp, body, "photos.read photos.write", false)
				srv.Clock.Advance(11 * time.Minute)
				return access
			}},
		{"a revoked access token (RFC 7662 §2.2, RFC 7009 §2.1)",
			func(t *testing.T, srv *testServer) string {
				access, _ := tokenTestIssue(t, srv, "photos.read")
				resp, body := revokeTestRequest(t, srv, access, "access_token")
				revokeTestWantOK(t, resp, body)
				return access
			}},
		{"a revoked client_credentials access token (RFC 7662 §2.2, RFC 7009 §2.1)",
			func(t *testing.T, srv *testServer) string {
				resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret)
				access, _ := tokenTestCheckSuccess(t, resp, body, "photos.read photos.write", false)
				resp, body = tokenRequest(t, srv, "/revoke", url.Values{"token": {access}}, "worker", workerSecret)
				revokeTestWantOK(t, resp, body)
				return access
			}},
		{"an access token whose refresh token was revoked (RFC 7662 §2.2, RFC 7009 §2.1)",
			func(t *testing.T, srv *testServer) string {
				access, refresh := tokenTestIssue(t, srv, "photos.read")
				resp, body := revokeTestRequest(t, srv, refresh, "refresh_token")
				revokeTestWantOK(t, resp, body)
				return access
			}},
		{"a revoked refresh token (RFC 7662 §2.2)",
			func(t *testing.T, srv *testServer) string {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				resp, body := revokeTestRequest(t, srv, refresh, "refresh_token")
				revokeTestWantOK(t, resp, body)
				return refresh
			}},
		{"a rotated-out refresh token (RFC 7662 §2.2, RFC 9700 §4.14.2)",
			func(t *testing.T, srv *testServer) string {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				refreshTestRotate(t, srv, refresh, "photos.read")
				return refresh
			}},
		{"an expired refresh token (RFC 7662 §2.2)",
			func(t *testing.T, srv *testServer) string {
				_, refresh := tokenTestIssue(t, srv, "photos.read")
				srv.Clock.Advance(25 * time.Hour)
				return refresh
			}},
		{"an access token with its signature altered (RFC 7662 §2.2)",
			func(t *testing.T, srv *testServer) string {
				access, _ := tokenTestIssue(t, srv, "photos.read")
				parts := strings.Split(access, ".")
				sig := []byte(parts[2])
				if sig[0] == 'A' {
					sig[0] = 'B'
				} else {
					sig[0] = 'A'
				}
				return parts[0] + "." + parts[1] + "." + string(sig)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			token := tc.token(t, srv)
			introspectTestWantExactlyInactive(t, introspect(t, srv, token))
		})
	}
}

// TestIntrospectClientAuthentication checks that /introspect answers only authenticated
// confidential clients (RFC 7662 §2.1: "the endpoint MUST also require some form of
// authorization"), with invalid_client (RFC 6749 §5.2) otherwise, and that any confidential
// client may ask.
func TestIntrospectClientAuthentication(t *testing.T) {
	srv := newTestServer(t)
	access, _ := tokenTestIssue(t, srv, "photos.read")
	tests := []struct {
		name       string
		form       url.Values
		id, secret string
		wantStatus int
		wantError  string
	}{
		{name: "a public client is invalid_client (RFC 7662 §2.1)",
			form: url.Values{"token": {access}, "client_id": {"public-app"}}, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "no client authentication is invalid_client (RFC 7662 §2.1)",
			form: url.Values{"token": {access}}, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a confidential client without its secret is invalid_client (RFC 7662 §2.1)",
			form: url.Values{"token": {access}, "client_id": {"photos"}}, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "the wrong secret is invalid_client (RFC 7662 §2.1)",
			form: url.Values{"token": {access}}, id: "photos", secret: otherSecret, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "an unknown client is invalid_client (RFC 7662 §2.1)",
			form: url.Values{"token": {access}}, id: "nobody", secret: photosSecret, wantStatus: http.StatusUnauthorized, wantError: "invalid_client"},
		{name: "a missing token is invalid_request (RFC 7662 §2.1)",
			form: url.Values{}, id: "photos", secret: photosSecret, wantStatus: http.StatusBadRequest, wantError: "invalid_request"},
		{name: "the resource server with client_secret_basic may introspect (RFC 7662 §2.1)",
			form: url.Values{"token": {access}}, id: "photos", secret: photosSecret, wantStatus: http.StatusOK},
		{name: "the resource server with client_secret_post may introspect (RFC 7662 §2.1)",
			form:       url.Values{"token": {access}, "client_id": {"photos"}, "client_secret": {photosSecret}},
			wantStatus: http.StatusOK},
		{name: "any other confidential client may introspect (RFC 7662 §2.1)",
			form: url.Values{"token": {access}}, id: "other", secret: otherSecret, wantStatus: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, "/introspect", tc.form, tc.id, tc.secret)
			if tc.wantError != "" {
				tokenTestCheckError(t, resp, body, tc.wantStatus, tc.wantError)
				if _, ok := body["active"]; ok {
					t.Errorf("a refused introspection says whether the token is active: %v", body)
				}
				return
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
			}
			if got := body["active"]; got != true {
				t.Errorf("got active %v, want true", got)
			}
		})
	}
}

// TestIntrospectDefaultClients checks that the built-in clients let the product work out of the
// box: "photos" is a confidential client, and with the default clients it can introspect a
// token that alice granted to the default "printing" client (RFC 7662 §2.1).
func TestIntrospectDefaultClients(t *testing.T) {
	defaults := registry.DefaultClients()
	var photos *registry.Client
	for i := range defaults {
		if defaults[i].ClientID == "photos" {
			photos = &defaults[i]
		}
	}
	if photos == nil {
		t.Fatal("registry.DefaultClients() has no \"photos\" client")
	}
	if photos.ClientSecret == "" {
		t.Fatal("the default \"photos\" client has no secret, so it cannot authenticate to introspect")
	}
	if photos.ClientSecret != registry.PhotosSecret {
		t.Errorf("got the default photos secret %q, want registry.PhotosSecret", photos.ClientSecret)
	}

	srv := newTestServer(t, withClients(defaults))
	code := newBrowser(t, srv).code("photos.read")
	resp, body := tokenRequest(t, srv, "/token", tokenTestCodeForm(code, "http://localhost:9000/callback"), "printing", registry.PrintingSecret)
	access, refresh := tokenTestCheckSuccess(t, resp, body, "photos.read", true)
	if access == "" {
		t.FailNow()
	}

	tests := []struct {
		name           string
		token          string
		client, secret string
		wantStatus     int
		wantActive     bool
	}{
		{"photos introspects printing's access token (RFC 7662 §2.1)", access, "photos", registry.PhotosSecret, http.StatusOK, true},
		{"photos learns nothing of printing's refresh token (RFC 7662 §2.2: the answer may depend on who asks)", refresh, "photos", registry.PhotosSecret, http.StatusOK, false},
		{"printing introspects its own refresh token (RFC 7662 §2.1)", refresh, "printing", registry.PrintingSecret, http.StatusOK, true},
		{"photos with a secret other than the default is refused (RFC 7662 §2.1)", access, "photos", photosSecret, http.StatusUnauthorized, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, "/introspect", url.Values{"token": {tc.token}}, tc.client, tc.secret)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got status %d, want %d: %v", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus != http.StatusOK {
				tokenTestCheckError(t, resp, body, tc.wantStatus, "invalid_client")
				return
			}
			if !tc.wantActive {
				if len(body) != 1 || body["active"] != false {
					t.Errorf("got %v, want exactly {\"active\": false}", body)
				}
				return
			}
			if got := body["active"]; got != true {
				t.Fatalf("got active %v, want true: %v", got, body)
			}
			if got := body["client_id"]; got != "printing" {
				t.Errorf("got client_id %v, want %q", got, "printing")
			}
			if got := body["sub"]; got != "alice" {
				t.Errorf("got sub %v, want %q", got, "alice")
			}
		})
	}
}
