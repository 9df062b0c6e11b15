package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/store"
)

// The demo users' passwords are stored as bcrypt hashes, never as the password.
func TestLoginPasswordsAreBcryptHashes(t *testing.T) {
	srv := newTestServer(t)
	for _, u := range []struct{ name, password string }{{"alice", "wonderland"}, {"bob", "builder"}} {
		user, err := srv.Store.User(context.Background(), u.name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(user.PasswordHash, u.password) {
			t.Errorf("%s: the stored hash contains the password", u.name)
		}
		if _, err := bcrypt.Cost([]byte(user.PasswordHash)); err != nil {
			t.Errorf("%s: stored value is not a bcrypt hash: %v", u.name, err)
		}
		if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(u.password)) != nil {
			t.Errorf("%s: the hash does not match the demo password", u.name)
		}
	}
}

func TestLogin(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name, username, password string
		wantStatus               int
		wantSignedIn             bool
	}{
		{"right password answers 303 (contract)", "alice", "wonderland", http.StatusSeeOther, true},
		{"wrong password is refused", "alice", "builder", http.StatusUnauthorized, false},
		{"unknown user is refused like a wrong password", "mallory", "wonderland", http.StatusUnauthorized, false},
		{"empty password is refused", "bob", "", http.StatusUnauthorized, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, srv)
			b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			p := b.login(b.get("/login"), tc.username, tc.password)
			if p.StatusCode != tc.wantStatus {
				t.Fatalf("got status %d, want %d", p.StatusCode, tc.wantStatus)
			}
			if !tc.wantSignedIn && !strings.Contains(p.Body, "Wrong username or password") {
				t.Errorf("failed login page does not say why")
			}
			account := b.get("/account")
			signedIn := account.StatusCode == http.StatusOK
			if signedIn != tc.wantSignedIn {
				t.Errorf("signed in = %v, want %v", signedIn, tc.wantSignedIn)
			}
		})
	}
}

// The session id changes at login, so an id fixed before login is worthless after it.
func TestLoginChangesSessionID(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.get("/login")
	before := sessionCookieValue(t, p)
	p = b.login(p, "alice", "wonderland")
	after := ""
	for _, resp := range redirectChain(p.Response) {
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				after = c.Value
			}
		}
	}
	if after == "" || after == before {
		t.Fatalf("session cookie after login = %q, want a new value (before: %q)", after, before)
	}
	if _, err := srv.Store.Session(context.Background(), store.Hash(before), srv.Clock.Now()); err == nil {
		t.Error("the pre-login session id still finds a session")
	}
}

// prompt=login forces a fresh login even when the user is signed in (OpenID Connect Core §3.1.2.1).
func TestLoginPromptLoginForcesFreshLogin(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.code("photos.read") // signed in, consent remembered

	again := b.get("/authorize?" + authParams("photos.read").Encode())
	if again.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed in without prompt: got status %d at %s, want straight back to the client", again.StatusCode, again.Request.URL.Path)
	}
	params := authParams("photos.read")
	params.Set("prompt", "login")
	p := b.get("/authorize?" + params.Encode())
	if p.Request.URL.Path != "/login" {
		t.Fatalf("prompt=login: got %s, want the login page", p.Request.URL.Path)
	}
	u := redirectBack(t, b.login(p, "alice", "wonderland"))
	if u.Query().Get("code") == "" {
		t.Errorf("after the fresh login: got %s, want a code", u)
	}
}

// Logout ends the session.
func TestLogout(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.signIn("alice", "wonderland")
	account := b.get("/account")
	p := b.post("/logout", map[string][]string{"csrf_token": {field(t, account, csrfPattern)}})
	if p.Request.URL.Path != "/login" {
		t.Fatalf("after logout got %s, want /login", p.Request.URL.Path)
	}
	if got := b.get("/account"); got.Request.URL.Path != "/login" {
		t.Errorf("after logout /account shows %s, want a redirect to /login", got.Request.URL.Path)
	}
}

func sessionCookieValue(t *testing.T, p page) string {
	t.Helper()
	for _, resp := range redirectChain(p.Response) {
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				return c.Value
			}
		}
	}
	t.Fatalf("no %s cookie set", sessionCookie)
	return ""
}

// redirectChain lists the responses that led to resp, last first.
func redirectChain(resp *http.Response) []*http.Response {
	var out []*http.Response
	for r := resp; r != nil; {
		out = append(out, r)
		if r.Request == nil {
			break
		}
		r = r.Request.Response
	}
	return out
}
