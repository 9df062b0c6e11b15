package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/valet/authserver/internal/store"
)

// RP-Initiated Logout 1.0 §2: the post_logout_redirect_uri "MUST have been previously
// registered", compared exactly, like redirect URIs (RFC 9700 §2.1).
func TestMatchPostLogoutRedirectURI(t *testing.T) {
	client := store.Client{PostLogoutRedirectURIs: []string{"http://localhost:9002/"}}
	tests := []struct {
		name string
		uri  string
		want bool
	}{
		{"the registered URI matches", "http://localhost:9002/", true},
		{"a longer path does not (no prefix match)", "http://localhost:9002/evil", false},
		{"without the slash does not (no normalisation)", "http://localhost:9002", false},
		{"another host does not", "http://attacker.example/", false},
		{"an empty URI does not", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchPostLogoutRedirectURI(client, tc.uri); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// signedIn reports whether the browser is signed in at Accounts, as its home page shows.
func signedIn(b *browser) bool {
	b.t.Helper()
	return strings.Contains(b.get("/").Body, "Signed in as")
}

// endSession sends the browser to /end-session with the given parameters.
func endSession(b *browser, params url.Values) page {
	b.t.Helper()
	return b.get("/end-session?" + params.Encode())
}

// RP-Initiated Logout 1.0 §2 and §3: with a valid id_token_hint the session ends and the browser
// goes back to the registered post_logout_redirect_uri with state.
func TestEndSessionWithIDTokenHint(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	_, idToken := photosWebTokensIn(t, srv, b, "openid profile")
	if !signedIn(b) {
		t.Fatal("the browser is not signed in at Accounts after the flow")
	}
	p := endSession(b, url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"http://localhost:9002/"}, "state": {"s-42"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("got status %d, want 303; body:\n%s", p.StatusCode, p.Body)
	}
	if loc := p.Header.Get("Location"); loc != "http://localhost:9002/?state=s-42" {
		t.Errorf("got Location %q, want the post_logout_redirect_uri with state (§3)", loc)
	}
	if c := p.Header.Get("Set-Cookie"); !strings.HasPrefix(c, "accounts_session=;") || !strings.Contains(c, "Max-Age=0") {
		t.Errorf("got Set-Cookie %q, want accounts_session deleted (Max-Age=0)", c)
	}
	if signedIn(b) {
		t.Error("the Accounts session is still alive after a logout with a valid id_token_hint")
	}
}

// RP-Initiated Logout 1.0 §6: without a valid id_token_hint the request may be forged, so
// Accounts asks the user first, and signs out only when the user confirms.
func TestEndSessionWithoutHintAsksFirst(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name   string
		params url.Values
	}{
		{"no id_token_hint", url.Values{"client_id": {"photos-web"}}},
		{"an access token is not an ID token", nil}, // filled in below
		{"a forged id_token_hint", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			tok, idToken := photosWebTokensIn(t, srv, b, "openid profile")
			switch tc.name {
			case "an access token is not an ID token":
				tc.params = url.Values{"id_token_hint": {tok.AccessToken}, "client_id": {"photos-web"}}
			case "a forged id_token_hint":
				tc.params = url.Values{"id_token_hint": {idToken[:len(idToken)-4] + "AAAA"}, "client_id": {"photos-web"}}
			}
			tc.params.Set("post_logout_redirect_uri", "http://localhost:9002/")
			tc.params.Set("state", "s-7")
			p := endSession(b, tc.params)
			if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, `action="/end-session/confirm"`) {
				t.Fatalf("got status %d, want 200 and a confirmation form; body:\n%s", p.StatusCode, p.Body)
			}
			if !signedIn(b) {
				t.Fatal("the session ended before the user confirmed")
			}
			form := url.Values{"csrf_token": {field(t, p, csrfPattern)}, "client_id": {"photos-web"},
				"post_logout_redirect_uri": {"http://localhost:9002/"}, "state": {"s-7"}}
			done := b.post("/end-session/confirm", form)
			if loc := done.Header.Get("Location"); done.StatusCode != http.StatusSeeOther || loc != "http://localhost:9002/?state=s-7" {
				t.Errorf("confirming got %d Location %q, want 303 to the post_logout_redirect_uri with state", done.StatusCode, loc)
			}
			if signedIn(b) {
				t.Error("the session is still alive after the user confirmed")
			}
		})
	}
}

// RP-Initiated Logout 1.0 §2: an unregistered post_logout_redirect_uri gets an error page, no
// redirect, and the session is not ended; so does a client_id that is not the hint's audience.
func TestEndSessionRefusesUnregisteredRedirect(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name     string
		uri      string
		clientID string
		want     string
	}{
		{"an unregistered URI is refused (§2)", "http://attacker.example/", "", "not registered"},
		{"a URI that only starts like a registered one is refused (exact match)", "http://localhost:9002/evil", "", "not registered"},
		{"a client_id that is not the hint's aud is refused (§2)", "http://localhost:9002/", "printing", "not the audience"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			_, idToken := photosWebTokensIn(t, srv, b, "openid profile")
			params := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {tc.uri}, "state": {"s-1"}}
			if tc.clientID != "" {
				params.Set("client_id", tc.clientID)
			}
			p := endSession(b, params)
			if p.StatusCode != http.StatusBadRequest || p.Header.Get("Location") != "" {
				t.Errorf("got status %d Location %q, want 400 and no redirect", p.StatusCode, p.Header.Get("Location"))
			}
			if !strings.Contains(p.Body, tc.want) {
				t.Errorf("the error page does not say %q:\n%s", tc.want, p.Body)
			}
			if !signedIn(b) {
				t.Error("the session was ended by a refused logout request")
			}
		})
	}
}

// The confirmation form checks its hidden post_logout_redirect_uri again and its CSRF token:
// a tampered form neither redirects nor signs out.
func TestEndSessionConfirmChecksAgain(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	photosWebTokensIn(t, srv, b, "openid profile")
	p := endSession(b, url.Values{"client_id": {"photos-web"}})
	csrf := field(t, p, csrfPattern)
	tampered := b.post("/end-session/confirm", url.Values{"csrf_token": {csrf}, "client_id": {"photos-web"},
		"post_logout_redirect_uri": {"http://attacker.example/"}})
	if tampered.StatusCode != http.StatusBadRequest {
		t.Errorf("a tampered redirect got status %d, want 400", tampered.StatusCode)
	}
	noCSRF := b.post("/end-session/confirm", url.Values{"client_id": {"photos-web"}})
	if noCSRF.StatusCode != http.StatusForbidden {
		t.Errorf("a confirmation without csrf_token got status %d, want 403", noCSRF.StatusCode)
	}
	if !signedIn(b) {
		t.Error("a refused confirmation ended the session")
	}
}

// RP-Initiated Logout 1.0 §3: without a post_logout_redirect_uri, Accounts signs out (with a
// valid hint) and says so on its own page.
func TestEndSessionWithoutRedirectShowsSignedOut(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	_, idToken := photosWebTokensIn(t, srv, b, "openid profile")
	p := endSession(b, url.Values{"id_token_hint": {idToken}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "You are signed out") {
		t.Errorf("got %d, want 200 and the signed-out page:\n%s", p.StatusCode, p.Body)
	}
	if signedIn(b) {
		t.Error("the session is still alive")
	}
}
