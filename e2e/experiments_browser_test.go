package e2e

import (
	"slices"
	"strings"
	"testing"
)

// experimentResult is what the last row of /flow must say after an experiment: every result
// is explained, on /flow, never as a bare error page.
type experimentResult struct {
	name string   // the experiment, as in its URL
	want []string // words the outcome must hold
	lost bool     // PrintShop holds no usable key afterwards: the row offers Connect again
}

// TestBrowserExperimentsInAnyOrder presses the six experiments of /flow in page order, then
// connects again from /flow and presses them in reverse (issue 15: "Replay the code" ends
// PrintShop's grant, RFC 6749 §4.1.2, and every button after it must still explain itself).
func TestBrowserExperimentsInAnyOrder(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	own, _ := libraryOf(t, s, "alice", "wonderland") // before the reset: see libraryOf
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")
	c.signInAtPrintShop(s, "alice", "wonderland")
	c.connect(s, "alice", "wonderland", own)
	c.open(s.PrintURL + "/flow")
	notRun := []string{"not run", "lost access", "Connect again"}
	pageOrder := []experimentResult{
		{"tamper", []string{"Expected 401 invalid_token — got 401 invalid_token"}, false},
		{"trunk", []string{"Expected 403 insufficient_scope — got 403 insufficient_scope"}, false},
		{"replay", []string{"Expected invalid_grant — got invalid_grant", "Connect again"}, true},
		{"refresh", notRun, true},
		{"steal", notRun, true},
		{"revoke", notRun, true},
	}
	for _, r := range pageOrder {
		pressExperiment(c, s, r)
	}
	connectAgainFromFlow(c, s)
	reverse := []experimentResult{
		{"revoke", []string{"nothing was revoked"}, false},
		{"steal", []string{"Expected 200 — got 200 OK", "THE THEFT WORKS"}, false},
		{"refresh", []string{"got both", "before", "after"}, false},
		{"replay", []string{"Expected invalid_grant — got invalid_grant", "Connect again"}, true},
		{"trunk", notRun, true},
		{"tamper", notRun, true},
	}
	for _, r := range reverse {
		pressExperiment(c, s, r)
	}
}

// pressExperiment presses one experiment's button on /flow and checks that the browser is back
// on /flow with the experiment's explained result as the last row.
func pressExperiment(c *chrome, s *stack, r experimentResult) {
	c.t.Helper()
	if status := c.press(`form[action="/flow/experiments/` + r.name + `"] button[type=submit]`); status != 200 {
		c.fatalf("%s: the answer was %d (%s), want /flow", r.name, status, c.text("main h1"))
	}
	c.expectAt(s.PrintURL, "/flow", "after the experiment "+r.name)
	latest := strings.Join(c.texts("#latest > summary"), "\n")
	// The labels are upper case on screen (CSS), so compare without case.
	if lower := strings.ToLower(latest); !strings.Contains(lower, "outcome") && !strings.Contains(lower, "refused") {
		c.errorf("%s: the last row of /flow is not an explained result:\n%s", r.name, latest)
	}
	for _, want := range r.want {
		if !strings.Contains(latest, want) {
			c.errorf("%s: the last row of /flow lacks %q:\n%s", r.name, want, latest)
		}
	}
	if got := c.count(`#latest a[href="/connect?next=flow"]`) > 0; got != r.lost {
		c.errorf("%s: the last row offers Connect again = %v, want %v", r.name, got, r.lost)
	}
	c.shot("experiment " + r.name)
}

// connectAgainFromFlow presses the last row's Connect again, goes through Accounts (signed in
// already; the consent page if it shows), and checks that the browser comes back to /flow.
func connectAgainFromFlow(c *chrome, s *stack) {
	c.t.Helper()
	c.press(`#latest a[href="/connect?next=flow"]`)
	for range 3 {
		u := c.location()
		switch {
		case sameOrigin(u, s.AuthURL) && u.Path == "/login":
			c.signInAtAccounts(s, "alice", "wonderland")
			continue
		case sameOrigin(u, s.AuthURL) && u.Path == "/consent":
			c.press(`button[name=decision][value=allow]`)
			continue
		}
		break
	}
	c.expectAt(s.PrintURL, "/flow", "after Connect again")
	if notices := c.texts("main [role=status]"); !slices.ContainsFunc(notices, func(n string) bool { return strings.Contains(n, "Connected again") }) {
		c.errorf("after Connect again, /flow's notices are %q, want that PrintShop is connected again", notices)
	}
}
