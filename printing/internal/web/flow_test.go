package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/store"
)

// The happy path: sign in, connect, land on the gallery with the user's photos.
func TestConnectFlow(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	req := b.startConnect()
	for name, want := range map[string]string{"response_type": "code", "client_id": testClientID, "scope": "photos.read", "code_challenge_method": "S256"} {
		if got := req.Get(name); got != want {
			t.Errorf("authorization request %s = %q, want %q", name, got, want)
		}
	}
	if req.Get("state") == "" || len(req.Get("code_challenge")) != 43 {
		t.Fatalf("authorization request lacks state or an S256 code_challenge: %v", req)
	}
	code := shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
	p := b.callback(map[string][]string{"code": {code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
	if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("after the callback: got %d at %s, want the gallery:\n%s", p.StatusCode, p.Request.URL, p.Body)
	}
	for _, want := range []string{"alice: Sunrise over the hills", "alice: Crane at dawn", "Holiday", "Work", "/thumbnail"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("gallery lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "bob:") {
		t.Error("alice's gallery shows bob's photos")
	}
}

// The refresh comes a minute before expiry, or a quarter of the lifetime for short-lived tokens,
// never on every use.
func TestRefreshDue(t *testing.T) {
	now := time.Now()
	conn := func(lifetime, age time.Duration) store.Connection {
		return store.Connection{ConnectedAt: now.Add(-age), ExpiresAt: now.Add(-age).Add(lifetime)}
	}
	tests := []struct {
		name          string
		lifetime, age time.Duration
		want          bool
	}{
		{"a fresh 10-minute token is used as is", 10 * time.Minute, 0, false},
		{"a 10-minute token is refreshed in its last minute", 10 * time.Minute, 9*time.Minute + time.Second, true},
		{"not a second before its last minute", 10 * time.Minute, 8*time.Minute + 59*time.Second, false},
		{"a 5-second token is used at first", 5 * time.Second, 0, false},
		{"a 5-second token is refreshed in its last quarter", 5 * time.Second, 4 * time.Second, true},
		{"an expired token is refreshed", time.Minute, 2 * time.Minute, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := refreshDue(conn(tc.lifetime, tc.age), now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
