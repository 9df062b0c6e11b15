package e2e

// The attack lab in Chromium: attack 01 (loose redirect matching) and attack 04 (token theft
// in the implicit flow) succeed with their switches on and fail with the defaults. Both use the
// userinfo trick: a redirect_uri that starts with PrintShop's registered origin,
// http://127.0.0.1:P, yet whose host is the attacker's, http://127.0.0.1:P@127.0.0.1:A/steal
// (RFC 3986 §3.2.1). Chromium follows Accounts' 303 there.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// followTrap has Alice open the attacker's link sel, sign in at Accounts and allow, and returns
// where her browser ends up.
func followTrap(c *chrome, l *lab, sel string) string {
	c.t.Helper()
	c.open(l.AttackerURL + "/")
	c.press(sel)
	if u := c.location(); !sameOrigin(u, l.AuthURL) || u.Path != "/login" {
		return u.String()
	}
	c.signInAtAccounts(l.stack, "alice", "wonderland")
	c.expectAt(l.AuthURL, "/consent", "the consent page")
	c.press(`button[name=decision][value=allow]`)
	c.shot("allowed")
	return c.location().String()
}

func TestAttack01LooseRedirectInBrowserRFC9700Section2_1(t *testing.T) {
	bt := startBrowserTest(t)
	l := startLab(t, map[string]string{"AUTHSERVER_INSECURE_REDIRECT_MATCH": "prefix"})
	c := bt.newChrome("alice")
	at := followTrap(c, l, "#trap-code")
	if !strings.HasPrefix(at, l.AttackerURL+"/steal?") && !strings.Contains(at, "@"+strings.TrimPrefix(l.AttackerURL, "http://")+"/steal?") {
		c.fatalf("after allowing, Alice's browser is at %s, want the attacker's /steal", at)
	}
	c.open(l.AttackerURL + "/")
	if loot := c.text("#loot"); !strings.Contains(loot, "code") || strings.Contains(loot, "ACCEPTED") {
		c.fatalf("the attacker's loot should hold Alice's code, and nothing Photos accepted:\n%s", loot)
	}
	c.shot("the attacker has Alice's code")
}

func TestAttack01LooseRedirectRefusedByDefaultInBrowser(t *testing.T) {
	bt := startBrowserTest(t)
	l := startLab(t, nil)
	c := bt.newChrome("alice")
	c.open(l.AttackerURL + "/")
	if status := c.press("#trap-code"); status != 400 {
		c.fatalf("the trap link got status %d at Accounts, want 400 (an error page, no redirect)", status)
	}
	c.expectAt(l.AuthURL, "/authorize", "Accounts' error page")
	if body := c.text("main"); !strings.Contains(body, "not registered") {
		c.fatalf("Accounts' page does not say the redirect_uri is not registered:\n%s", body)
	}
	c.open(l.AttackerURL + "/")
	if n := c.count("#no-loot"); n != 1 {
		c.fatalf("the attacker got loot with exact matching on")
	}
}

func TestAttack04ImplicitTokenTheftInBrowserRFC9700Section2_1_2(t *testing.T) {
	bt := startBrowserTest(t)
	l := startLab(t, map[string]string{"AUTHSERVER_ENABLE_IMPLICIT": "true", "AUTHSERVER_INSECURE_REDIRECT_MATCH": "prefix"})
	c := bt.newChrome("alice")
	at := followTrap(c, l, "#trap-token")
	if !strings.Contains(at, "/steal#") || !strings.Contains(at, "access_token=") {
		c.fatalf("after allowing, Alice's browser is at %s, want the attacker's /steal with a token in the fragment", at)
	}
	// The attacker's script reads the fragment, which no server ever sees, and posts it home.
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`body[data-stolen=token]`)); err != nil {
		c.fatalf("the attacker's script did not post the token: %v", err)
	}
	c.open(l.AttackerURL + "/")
	if loot := c.text("#loot"); !strings.Contains(loot, "access_token") || !strings.Contains(loot, "ACCEPTED (200)") {
		c.fatalf("the attacker's loot should hold Alice's token, accepted by Photos:\n%s", loot)
	}
	c.shot("the attacker has Alice's token")
}

func TestAttack04ImplicitRefusedByDefaultInBrowser(t *testing.T) {
	bt := startBrowserTest(t)
	l := startLab(t, nil)
	c := bt.newChrome("alice")
	c.open(l.AttackerURL + "/")
	if status := c.press("#trap-token"); status != 400 {
		c.fatalf("the implicit trap got status %d at Accounts, want 400", status)
	}
	c.open(l.AttackerURL + "/")
	if n := c.count("#no-loot"); n != 1 {
		c.fatalf("the attacker got loot with the defaults")
	}
}
