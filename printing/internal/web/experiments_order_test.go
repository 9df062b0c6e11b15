package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The experiments work in any order (issue 15). Pressed top to bottom, "Replay the code" ends
// PrintShop's grant (RFC 6749 §4.1.2: Accounts SHOULD revoke the tokens issued from a replayed
// code), and every button after it must still end on /flow with an explained outcome, never a
// bare 409. Pressed bottom to top, the same. "Connect again" from /flow comes back to /flow.
func TestExperimentsInAnyOrder(t *testing.T) {
	pageOrder := []string{"tamper", "trunk", "replay", "refresh", "steal", "revoke"}
	reversed := slices.Clone(pageOrder)
	slices.Reverse(reversed)
	for _, order := range [][]string{pageOrder, reversed} {
		t.Run(strings.Join(order, ", "), func(t *testing.T) {
			shop, b := tokensConnected(t)
			lost := false
			for _, name := range order {
				if name == "replay" {
					// Accounts revokes the grant of a replayed code, as the real one does.
					tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "invalid_grant" })
				}
				p, steps := experimentRun(t, shop, b, name)
				out := experimentOutcome(t, p, steps) // 303 to /flow#latest, with a note
				if lost && !strings.Contains(out.Refused, "lost access") {
					t.Errorf("%s after the grant ended: refused %q, want that PrintShop lost access", name, out.Refused)
				}
				if lost && !strings.Contains(out.Note, "Connect again") {
					t.Errorf("%s after the grant ended: the note does not say what to do:\n%s", name, out.Note)
				}
				if name == "replay" {
					lost = true
					if !strings.Contains(out.Note, "Connect again") {
						t.Errorf("replay: the note does not offer to connect again:\n%s", out.Note)
					}
				}
				flowPage := b.get("/flow")
				if flowPage.StatusCode != http.StatusOK || !strings.Contains(flowPage.Body, `id="latest"`) {
					t.Fatalf("/flow after %s: got %d", name, flowPage.StatusCode)
				}
				if lost != strings.Contains(flowPage.Body, `href="/connect?next=flow"`) {
					t.Errorf("/flow after %s: offers to connect again = %v, want %v", name, !lost, lost)
				}
			}
		})
	}
	t.Run("Connect again comes back to /flow", func(t *testing.T) {
		shop, b := tokensConnected(t)
		tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "invalid_grant" })
		experimentRun(t, shop, b, "replay")
		tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "" })
		p := b.get("/connect?next=flow")
		u, err := url.Parse(p.Header.Get("Location"))
		if p.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("GET /connect?next=flow: got %d", p.StatusCode)
		}
		req := u.Query()
		code := shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
		back := b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
		if back.StatusCode != http.StatusOK || back.Request.URL.Path != "/flow" {
			t.Fatalf("after connecting again: got %d at %s, want /flow", back.StatusCode, back.Request.URL)
		}
		if conn := tokensConnection(t, shop); !conn.Connected() {
			t.Error("not connected after connecting again")
		}
	})
	t.Run("next names a page, never a URL", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example", "/orders", "FLOW"} {
			if got := returnTo(next); got != "" {
				t.Errorf("returnTo(%q): got %q, want the gallery", next, got)
			}
		}
	})
}

// Before they run, the experiments that end PrintShop's access say so, and the Revoke card
// explains why a revoke at /account alone does not end it at once (the access token lives on
// until exp, RFC 9068; only the refresh asks Accounts, RFC 6749 §6).
func TestExperimentsSayWhatEndsAccess(t *testing.T) {
	_, b := tokensConnected(t)
	page := b.get("/flow").Body
	_, replayCard, _ := strings.Cut(page, `action="/flow/experiments/replay"`)
	replayCard, _, _ = strings.Cut(replayCard, "</form>")
	if !strings.Contains(replayCard, "Ends PrintShop's access") {
		t.Error("the Replay card does not say, before it runs, that it ends PrintShop's access")
	}
	_, revokeCard, _ := strings.Cut(page, `class="experiment-card revoke"`)
	for _, want := range []string{"ends PrintShop's access at once", "alone not end it at once", "keeps working until its access token expires",
		"<em>refreshes</em>", "invalid_grant"} {
		if !strings.Contains(revokeCard, want) {
			t.Errorf("the Revoke card lacks %q", want)
		}
	}
}

// A user who never connected gets an outcome that says so, with the way to connect, and
// nothing reaches Accounts.
func TestExperimentBeforeConnecting(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	before := tokensAccounts(shop)
	p, steps := experimentRun(t, shop, b, "tamper")
	out := experimentOutcome(t, p, steps)
	if !strings.Contains(out.Refused, "not connected") || !strings.Contains(out.Note, "have not connected your Photos") {
		t.Errorf("got refused %q, note %q; want that the Photos are not connected", out.Refused, out.Note)
	}
	if after := tokensAccounts(shop); after.tokenRequests != before.tokenRequests {
		t.Error("an experiment that could not run reached Accounts' token endpoint")
	}
	if page := b.get("/flow").Body; !strings.Contains(page, `href="/connect?next=flow"`) {
		t.Error("/flow does not offer to connect and come back")
	}
}
