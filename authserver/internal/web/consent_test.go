package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The consent page shows the client's name, each scope in plain words with its own ticked
// checkbox, and Allow and Deny buttons (contract: "Consent form").
func TestConsentPageShowsClientAndScopes(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.login(b.get("/authorize?"+authParams("photos.read photos.write").Encode()), "alice", "wonderland")
	if p.Request.URL.Path != "/consent" {
		t.Fatalf("got %s, want /consent", p.Request.URL.Path)
	}
	checks := []struct{ name, pattern string }{
		{"client name", `Allow PrintShop`},
		{"photos.read in plain words", regexp.QuoteMeta(describeScope("photos.read").Description)},
		{"photos.write in plain words", regexp.QuoteMeta(describeScope("photos.write").Description)},
		{"a ticked checkbox for photos.read", `type="checkbox" name="scope" value="photos.read" checked`},
		{"a ticked checkbox for photos.write", `type="checkbox" name="scope" value="photos.write" checked`},
		{"Allow button", `<button type="submit" name="decision" value="allow"`},
		{"Deny button", `<button type="submit" name="decision" value="deny"`},
		{"csrf_token", `type="hidden" name="csrf_token" value="[A-Za-z0-9_-]{43}"`},
		{"side panel: you are at the authorization server", `You are at the authorization server`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.pattern).MatchString(p.Body) {
			t.Errorf("consent page lacks %s (%s)", c.name, c.pattern)
		}
	}
	if n := strings.Count(p.Body, `name="scope"`); n != 2 {
		t.Errorf("got %d scope checkboxes, want 2: one per requested scope", n)
	}
}

// RFC 6749 §3.3: the user may grant less than was asked; the token then carries what was granted.
func TestConsentGrantLess(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	params := authParams("photos.read photos.write")
	p := b.login(b.get("/authorize?"+params.Encode()), "alice", "wonderland")
	u := redirectBack(t, b.consent(p, "allow", "photos.read"))
	tok := exchange(t, srv, u.Query().Get("code"))
	if got := tok.Extra("scope"); got != "photos.read" {
		t.Errorf("got token scope %q, want %q", got, "photos.read")
	}
}

// A forged consent form cannot grant a scope the client did not ask for.
func TestConsentCannotAddScopes(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.login(b.get("/authorize?"+authParams("photos.read").Encode()), "alice", "wonderland")
	u := redirectBack(t, b.consent(p, "allow", "photos.read", "photos.write", "photos.delete"))
	tok := exchange(t, srv, u.Query().Get("code"))
	if got := tok.Extra("scope"); got != "photos.read" {
		t.Errorf("got token scope %q, want %q", got, "photos.read")
	}
}

// Deny answers access_denied (RFC 6749 §4.1.2.1) with state and iss (RFC 9207).
func TestConsentDeny(t *testing.T) {
	tests := []struct {
		name     string
		decision string
		scopes   []string
	}{
		{"Deny button", "deny", []string{"photos.read"}},
		{"Allow with every scope unticked grants nothing", "allow", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			b := newBrowser(t, srv)
			params := authParams("photos.read")
			p := b.login(b.get("/authorize?"+params.Encode()), "alice", "wonderland")
			u := redirectBack(t, b.consent(p, tc.decision, tc.scopes...))
			q := u.Query()
			if q.Get("error") != "access_denied" || q.Get("state") != params.Get("state") || q.Get("iss") != srv.URL {
				t.Errorf("got %s, want error=access_denied with state and iss", u)
			}
			if q.Has("code") {
				t.Error("a denied request got a code")
			}
			// Nothing was remembered: the next request shows the consent page again.
			if p := b.get("/authorize?" + params.Encode()); p.Request.URL.Path != "/consent" {
				t.Errorf("after deny the next request went to %s, want /consent", p.Request.URL.Path)
			}
		})
	}
}

// A grant is remembered per user, client and scopes: a repeat flow for the same or fewer scopes
// skips the page; more scopes, another user, or prompt=consent shows it.
func TestConsentRemembered(t *testing.T) {
	srv := newTestServer(t)
	alice := newBrowser(t, srv)
	alice.code("photos.read photos.write")

	tests := []struct {
		name        string
		b           *browser
		scope       string
		prompt      string
		wantConsent bool
	}{
		{"same scopes skip the page", alice, "photos.read photos.write", "", false},
		{"fewer scopes skip the page", alice, "photos.read", "", false},
		{"prompt=consent forces the page (OpenID Connect Core §3.1.2.1)", alice, "photos.read", "consent", true},
		{"another user is asked", nil, "photos.read", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.b
			user, password := "alice", "wonderland"
			if b == nil {
				b, user, password = newBrowser(t, srv), "bob", "builder"
			}
			params := authParams(tc.scope)
			if tc.prompt != "" {
				params.Set("prompt", tc.prompt)
			}
			p := b.get("/authorize?" + params.Encode())
			if p.Request.URL.Path == "/login" {
				p = b.login(p, user, password)
			}
			gotConsent := p.Request.URL.Path == "/consent"
			if gotConsent != tc.wantConsent {
				t.Fatalf("consent page shown = %v, want %v (ended at %s, status %d)", gotConsent, tc.wantConsent, p.Request.URL.Path, p.StatusCode)
			}
			if !gotConsent {
				if code := redirectBack(t, p).Query().Get("code"); code == "" {
					t.Fatal("skipped consent but got no code")
				} else if tok := exchange(t, srv, code); tok.Extra("scope") != tc.scope {
					t.Errorf("got scope %q, want %q", tok.Extra("scope"), tc.scope)
				}
			}
		})
	}
}

// More scopes than remembered shows the page, and only the new answer changes what is remembered.
func TestConsentMoreScopesAsksAgain(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.code("photos.read")
	p := b.get("/authorize?" + authParams("photos.read photos.write").Encode())
	if p.Request.URL.Path != "/consent" {
		t.Fatalf("asking for more went to %s, want /consent", p.Request.URL.Path)
	}
}

// The first-party client photos-web skips consent; every other client asks (contract).
func TestConsentFirstPartySkips(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	params := authParams("openid photos.read")
	params.Set("client_id", "photos-web")
	params.Set("redirect_uri", "http://localhost:9002/callback")
	params.Set("nonce", "n-0S6_WzA2Mj")
	p := b.login(b.get("/authorize?"+params.Encode()), "alice", "wonderland")
	if p.StatusCode != http.StatusSeeOther || redirectBack(t, p).Query().Get("code") == "" {
		t.Fatalf("photos-web: got status %d at %s, want a code without a consent page", p.StatusCode, p.Request.URL.Path)
	}
	// The same user with PrintShop is asked.
	if p := b.get("/authorize?" + authParams("photos.read").Encode()); p.Request.URL.Path != "/consent" {
		t.Errorf("printing: got %s, want /consent", p.Request.URL.Path)
	}
}

// Consent can be answered once: a double submit does not issue a second code.
func TestConsentAnsweredOnce(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.login(b.get("/authorize?"+authParams("photos.read").Encode()), "alice", "wonderland")
	redirectBack(t, b.consent(p, "allow", "photos.read"))
	again := b.consent(p, "allow", "photos.read")
	if again.StatusCode != http.StatusBadRequest || again.Header.Get("Location") != "" {
		t.Errorf("second submit: got status %d Location %q, want 400 and no redirect", again.StatusCode, again.Header.Get("Location"))
	}
}

// OpenID Connect Core §3.1.2.1: with prompt=login the consent page cannot be reached, nor
// answered, by going around the login page.
func TestConsentCannotSkipPromptLogin(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.signIn("alice", "wonderland")
	params := authParams("photos.read")
	params.Set("prompt", "login")
	p := b.get("/authorize?" + params.Encode())
	if p.Request.URL.Path != "/login" {
		t.Fatalf("got %s, want /login", p.Request.URL.Path)
	}
	id := field(t, p, requestPattern)
	if got := b.get("/consent?request=" + id); got.Request.URL.Path != "/login" {
		t.Errorf("GET /consent around the login page: ended at %s, want /login", got.Request.URL.Path)
	}
	answer := b.post("/consent", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "request": {id},
		"decision": {"allow"}, "scope": {"photos.read"}})
	if answer.StatusCode == http.StatusSeeOther || answer.Request.URL.Path != "/login" {
		t.Errorf("POST /consent around the login page: got status %d at %s, want the login page", answer.StatusCode, answer.Request.URL.Path)
	}
}
