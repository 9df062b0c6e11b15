package web

import (
	"net/http"
	"strings"
	"testing"
)

// Back after consent, then Allow again: the request was already answered, and a code is
// issued once per request (RFC 6749 §4.1.2). The page says so, shows who is signed in, and
// offers a way on; the consent page is not kept by the browser, so Back fetches it anew.
func TestConsentAnsweredTwice(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.get("/authorize?" + authParams("photos.read").Encode())
	consent := b.login(p, "alice", "wonderland")
	if consent.Request.URL.Path != "/consent" {
		t.Fatalf("got %s, want the consent page", consent.Request.URL)
	}
	if got := consent.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("the consent page's Cache-Control: got %q, want no-store", got)
	}
	redirectBack(t, b.consent(consent, "allow", "photos.read"))
	again := b.consent(consent, "allow", "photos.read") // the stale form, after Back
	if again.StatusCode != http.StatusBadRequest {
		t.Fatalf("got %d, want 400", again.StatusCode)
	}
	for _, want := range []string{"has ended", "pressed Back", "Signed in as <strong>alice</strong>", `href="/account"`} {
		if !strings.Contains(again.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(again.Body, `<a href="/login">Sign in</a>`) {
		t.Error("the banner offers to sign in, though alice is signed in")
	}
}
