package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// /account lists the signed-in user's connected apps with name, scopes and date, each with a
// revoke form carrying a hidden client_id and csrf_token (contract).
func TestAccountListsConnectedApps(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.code("photos.read photos.write")
	p := b.get("/account")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", p.StatusCode)
	}
	checks := []struct{ name, pattern string }{
		{"app name", `<strong>PrintShop</strong>`},
		{"scope photos.read", `<code>photos.read</code>`},
		{"scope photos.write", `<code>photos.write</code>`},
		{"date", srv.Clock.Now().UTC().Format("2 January 2006")},
		{"revoke form with hidden client_id", `(?s)<form method="post" action="/account/revoke">.*?name="client_id" value="printing"`},
		{"csrf_token in the revoke form", `(?s)action="/account/revoke">\s*<input type="hidden" name="csrf_token" value="[^"]+"`},
		{"says a JWT stays valid until it expires", `until it expires`},
		{"says introspection stops it at once", `introspection`},
		{"says why PrintShop keeps working until its access token expires", `keeps working until its access token\s+expires`},
		{"says the next refresh ends it, which /flow's experiment does on purpose", `(?s)refreshes</strong>.*invalid_grant.*refreshes on purpose`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.pattern).MatchString(p.Body) {
			t.Errorf("account page lacks %s (%s)", c.name, c.pattern)
		}
	}
	// Bob sees none of Alice's apps.
	bob := newBrowser(t, srv)
	bob.signIn("bob", "builder")
	if strings.Contains(bob.get("/account").Body, "<strong>PrintShop</strong>") {
		t.Error("bob's account page lists alice's app")
	}
}

// Revoke ends the grant: refresh tokens stop working, the remembered consent is forgotten, and
// introspection reports the access token inactive.
func TestAccountRevokeEndsTheGrant(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	tok := exchange(t, srv, b.code("photos.read"))
	other := exchange(t, srv, b.code("photos.read")) // a second grant to the same app ends too

	p := b.get("/account")
	done := b.post("/account/revoke", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "client_id": {"printing"}})
	if done.Request.URL.Path != "/account" || !strings.Contains(done.Body, "Revoked PrintShop") {
		t.Fatalf("after revoke: got %s, want /account saying Revoked PrintShop", done.Request.URL)
	}
	if strings.Contains(done.Body, `value="printing"`) {
		t.Error("the app is still listed after revoke")
	}
	for name, rt := range map[string]string{"first": tok.RefreshToken, "second": other.RefreshToken} {
		_, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "printing", printingSecret)
		if errorCode(body) != "invalid_grant" {
			t.Errorf("%s refresh token after revoke: got %v, want invalid_grant", name, body)
		}
	}
	for name, at := range map[string]string{"first": tok.AccessToken, "second": other.AccessToken} {
		if got := introspect(t, srv, at)["active"]; got != false {
			t.Errorf("%s access token after revoke: active = %v, want false", name, got)
		}
	}
	if p := b.get("/authorize?" + authParams("photos.read").Encode()); p.Request.URL.Path != "/consent" {
		t.Errorf("after revoke the next request went to %s, want /consent: the consent must be forgotten", p.Request.URL.Path)
	}
}

// /account needs a signed-in user, and one user cannot revoke for another.
func TestAccountNeedsSignIn(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	if p := b.get("/account"); p.Request.URL.Path != "/login" {
		t.Errorf("signed out: got %s, want /login", p.Request.URL.Path)
	}
	alice := newBrowser(t, srv)
	tok := exchange(t, srv, alice.code("photos.read"))
	bob := newBrowser(t, srv)
	bob.signIn("bob", "builder")
	p := bob.post("/account/revoke", url.Values{"csrf_token": {field(t, bob.get("/account"), csrfPattern)}, "client_id": {"printing"}})
	if p.StatusCode != http.StatusBadRequest {
		t.Errorf("bob revoking an app he never allowed: got status %d, want 400", p.StatusCode)
	}
	if got := introspect(t, srv, tok.AccessToken)["active"]; got != true {
		t.Errorf("alice's token after bob's revoke: active = %v, want true", got)
	}
}

// The revoked notice names the app from the registry, never text from the URL.
func TestAccountNoticeIsNotInjectable(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.signIn("alice", "wonderland")
	p := b.get("/account?revoked=" + url.QueryEscape("Your password expired, call 555"))
	if strings.Contains(p.Body, "call 555") {
		t.Error("text from the URL appears on the account page")
	}
}

// When the client revokes its refresh token (PrintShop's Disconnect), the app leaves /account
// and the next authorization asks the user again.
func TestClientRevocationForgetsConsent(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	tok := exchange(t, srv, b.code("photos.read"))
	resp, body := tokenRequest(t, srv, "/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, "printing", printingSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: got %d %v", resp.StatusCode, body)
	}
	if strings.Contains(b.get("/account").Body, `value="printing"`) {
		t.Error("after the client revoked its grant, /account still lists it")
	}
	if p := b.get("/authorize?" + authParams("photos.read").Encode()); p.Request.URL.Path != "/consent" {
		t.Errorf("after the client revoked its grant, the next request went to %s, want /consent", p.Request.URL.Path)
	}
}
