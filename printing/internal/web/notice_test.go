package web

import (
	"net/url"
	"strings"
	"testing"
)

// A notice is news once: after signing in the home page says "Welcome back.", and the same
// address loaded again (the Back button, since pages are no-store) no longer does.
func TestNoticeShowsOnce(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	first := b.post("/login", url.Values{"csrf_token": {csrf(t, b.get("/"))}, "username": {"alice"}, "password": {"wonderland"}})
	if !strings.Contains(first.Body, "Welcome back.") {
		t.Fatalf("after signing in, the home page does not say Welcome back.:\n%s", first.Body)
	}
	again := b.get("/?notice=signed-in")
	if strings.Contains(again.Body, "Welcome back.") {
		t.Error("the home page shows a stale Welcome back. when its address is loaded again")
	}
	// A link cannot put a notice on the page either, without the redirect that set it.
	if p := newBrowser(t, shop).get("/?notice=signed-out"); strings.Contains(p.Body, "You are signed out of PrintShop.") {
		t.Error("a link alone shows a notice")
	}
}
