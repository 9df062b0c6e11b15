package e2e

// The walkthrough in a real browser: what a student does in class, step by step, with a
// screenshot of each step. Where flow_test.go asserts the protocol hop by hop, these tests
// assert what a person sees: rendered pages, loaded pictures, buttons that work, and one cookie
// store for the three services on one host.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserWalkthrough is the whole story in Chromium: sign in at PrintShop, connect Photos
// through Accounts' login and consent (RFC 6749 §4.1), see the gallery, order prints, and read
// the recorded flow on /flow.
func TestBrowserWalkthrough(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")

	// 1. PrintShop's own sign-in.
	c.signInAtPrintShop(s, "alice", "wonderland")

	// 2. Connect your Photos: the browser goes to Accounts, which asks who Alice is there, and
	// explains beside the form what PrintShop asked for.
	if path := c.pressConnect(s); path != "/login" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
	}
	if panel := c.text("aside.panel"); !strings.Contains(panel, "PrintShop") || !strings.Contains(panel, "photos.read") {
		c.errorf("the login page's panel does not explain PrintShop's request for photos.read:\n%s", panel)
	}

	// 3. Sign in at Accounts, 4. read the consent page and allow.
	if u := c.signInAtAccounts(s, "alice", "wonderland"); u.Path != "/consent" {
		c.fatalf("signing in at Accounts led to %s, want the consent page", u)
	}
	c.readConsent(s, "alice")
	c.decide(s, "allow")

	// 5. The gallery: Alice's photos as the Photos API lists them, every thumbnail loaded.
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	if len(alice) < 2 {
		t.Fatalf("alice has %d photos; the walkthrough orders two", len(alice))
	}
	c.checkGallery(s, alice)
	if notice := c.text("main [role=status]"); !strings.Contains(notice, "Your Photos are connected") {
		c.errorf("the gallery's notice says %q, want that the Photos are connected", notice)
	}

	// 6. Tick two photos, 5x7, two copies, order: the order page shows its proof.
	picked := alice[:2]
	for _, p := range picked {
		c.do("tick "+p.Title, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=photo][value=%q]`, p.ID)), chromedp.NodeVisible))
	}
	c.do("choose 5x7 and 2 copies",
		chromedp.SetValue(chromedp.CSS("select[name=size]"), "5x7"),
		chromedp.SetValue(chromedp.CSS("input[name=copies]"), "2"))
	if n := c.count("input[name=photo]:checked"); n != 2 {
		c.errorf("%d photos are ticked, want 2", n)
	}
	if size := run(c, "read the size", chromedp.Value(chromedp.CSS("select[name=size]"))); size != "5x7" {
		c.errorf("the size is %q, want 5x7", size)
	}
	c.shot("ticked two photos, 5x7, 2 copies")
	c.press("fieldset.order button[type=submit]")
	order := c.location()
	if !sameOrigin(order, s.PrintURL) || !regexp.MustCompile(`^/orders/\d+$`).MatchString(order.Path) {
		c.fatalf("ordering led to %s, want PrintShop's /orders/{id}", order)
	}
	if h1 := c.text("main h1"); !strings.HasPrefix(h1, "Order #") || !strings.Contains(h1, "received") {
		c.errorf("the order page's heading is %q, want Order #… received", h1)
	}
	summary := c.text("main p")
	for _, want := range []string{"2 photos, printed 5x7 in, 2 copies of each", picked[0].Title, picked[1].Title} {
		if !strings.Contains(summary, want) {
			c.errorf("the order page says %q; want it to mention %q", summary, want)
		}
	}
	if n, broken := c.imagesLoaded("img.proof"); n != 1 || len(broken) > 0 {
		c.errorf("the order page has %d proof images, %d of them broken; want one that loads", n, len(broken))
	}
	c.shot("the order with its proof")

	// 7. /flow: the recorded steps, in order, front channel told apart from back channel.
	if status := c.open(s.PrintURL + "/flow"); status != 200 {
		c.fatalf("GET /flow: status %d, want 200 (PrintShop's walkthrough of the last flow)", status)
	}
	checkFlowRows(c, readFlowRows(c))
	c.do("open every row", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`))
	c.shot("the flow, every row open")
}

// flowRow is one row of /flow's diagram: a <details> element that is not inside another one.
type flowRow struct {
	Title   string `json:"title"`   // the step's title: the row's .title, or else its whole <summary>
	Summary string `json:"summary"` // the row's <summary> text: the title and its labels
	Class   string `json:"class"`   // the row's classes
	Channel string `json:"channel"` // its data-channel attribute, if any
}

// readFlowRows reads the rows of /flow. A row may hold <details> of its own (the calls of a
// collapsed run of Photos calls); those are not rows.
func readFlowRows(c *chrome) []flowRow {
	c.t.Helper()
	return evaluate[[]flowRow](c, `[...document.querySelectorAll("details")].filter(d => !d.parentElement.closest("details")).map(d => {
		const s = d.querySelector(":scope > summary");
		const title = s && s.querySelector(".title");
		return {
			title: (title || s || d).innerText.trim(),
			summary: (s || d).innerText.trim(),
			class: d.className,
			channel: d.dataset.channel || "",
		};
	})`)
}

// flowSteps are the rows /flow shows for a first connect, in order: the titles PrintShop
// records (printing/internal/web/connect.go, tokens.go; flow.go collapses a run of Photos calls
// into one row) and the channel each travels on.
var flowSteps = []struct {
	title   *regexp.Regexp
	channel string
}{
	{regexp.MustCompile(`^The authorization request: PrintShop sends your browser to Accounts`), "front"},
	{regexp.MustCompile(`^Sign-in at Accounts`), "front"},
	{regexp.MustCompile(`^Consent at Accounts: you decide what PrintShop may do`), "front"},
	{regexp.MustCompile(`^The redirect back: Accounts sends your browser to PrintShop with the code`), "front"},
	{regexp.MustCompile(`^The token request: the code and the PKCE verifier, for tokens`), "back"},
	{regexp.MustCompile(`^(A Photos API call with the access token|\d+ Photos API calls, each with the access token)`), "back"},
}

var channelWords = regexp.MustCompile(`(?i)\b(front|back)[- ]channel\b`)

// channelLabel is how a row tells its channel: the words "front channel" or "back channel" a
// person reads, or else a data-channel attribute, or else a class naming front or back.
func channelLabel(r flowRow) string {
	if m := channelWords.FindString(r.Summary); m != "" {
		return strings.ToLower(m)
	}
	if r.Channel != "" {
		return "data-channel=" + r.Channel
	}
	for _, cls := range strings.Fields(r.Class) {
		if strings.Contains(cls, "front") || strings.Contains(cls, "back") {
			return "class " + cls
		}
	}
	return ""
}

// checkFlowRows finds each of flowSteps among the rows, in order, and checks that front-channel
// rows are labelled one way and back-channel rows another.
func checkFlowRows(c *chrome, rows []flowRow) {
	c.t.Helper()
	var titles []string
	for _, r := range rows {
		titles = append(titles, fmt.Sprintf("%s [%s]", r.Title, channelLabel(r)))
	}
	c.t.Logf("/flow shows %d rows:\n%s", len(rows), strings.Join(titles, "\n"))
	labels := map[string][]string{} // channel → the labels of its rows
	next := 0
	for _, step := range flowSteps {
		matches := func(r flowRow) bool { return step.title.MatchString(r.Title) }
		i := slices.IndexFunc(rows[next:], matches)
		if i < 0 {
			if slices.ContainsFunc(rows, matches) {
				c.errorf("/flow shows the step %q out of order", step.title)
			} else {
				c.errorf("/flow has no <details> row for the step %q", step.title)
			}
			continue
		}
		row := rows[next+i]
		next += i + 1
		labels[step.channel] = append(labels[step.channel], channelLabel(row))
	}
	for channel, ls := range labels {
		if slices.Contains(ls, "") || len(slices.Compact(slices.Clone(ls))) != 1 {
			c.errorf("/flow's %s-channel rows are labelled %q; want one label, the same on each", channel, ls)
		}
	}
	if f, b := labels["front"], labels["back"]; len(f) > 0 && len(b) > 0 && f[0] == b[0] {
		c.errorf("/flow labels front-channel and back-channel rows alike (%q)", f[0])
	}
}

// TestBrowserDenyShowsFriendlyPage: Deny on the consent page brings the browser back to
// PrintShop with error=access_denied (RFC 6749 §4.1.2.1), which PrintShop explains in plain
// words, offering to connect again.
func TestBrowserDenyShowsFriendlyPage(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")

	c.signInAtPrintShop(s, "alice", "wonderland")
	if path := c.pressConnect(s); path != "/login" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
	}
	c.signInAtAccounts(s, "alice", "wonderland")
	c.readConsent(s, "alice")
	status := c.decide(s, "deny")
	c.expectAt(s.PrintURL, "/callback", "after Deny")
	if h1 := c.text("main h1"); h1 != "You said no" || status != 200 {
		c.errorf("after Deny PrintShop shows %q with status %d, want \"You said no\" with 200", h1, status)
	}
	if link := c.text(`main a[href="/connect"]`); link != "Connect your Photos" {
		c.errorf("the page after Deny links to /connect with %q, want \"Connect your Photos\"", link)
	}
	c.shot("PrintShop after Deny")

	c.open(s.PrintURL + "/")
	if c.count(`form[action="/disconnect"]`) != 0 || c.count(`main a[href="/connect"]`) != 1 {
		c.errorf("PrintShop's home page after Deny should offer Connect, not Disconnect")
	}
	c.shot("PrintShop's home after Deny")
}

// TestBrowserRevokeAtAccounts: Revoke on Accounts' /account ends the grant at once, but the
// access token PrintShop holds is a JWT that Photos checks on its own, so the gallery keeps
// working until PrintShop needs a new token, and then PrintShop asks to reconnect (RFC 7009
// §2.1, RFC 9068; the README's trade-off).
func TestBrowserRevokeAtAccounts(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{AccessTokenTTL: 15 * time.Second})
	ttl := s.AccessTokenTTL
	alice, _ := libraryOf(t, s, "alice", "wonderland") // before the reset: on an external stack it leaves consent behind
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")

	c.signInAtPrintShop(s, "alice", "wonderland")
	if path := c.pressConnect(s); path != "/login" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
	}
	c.signInAtAccounts(s, "alice", "wonderland")
	c.readConsent(s, "alice")
	allowed := time.Now() // the access token is issued after this
	c.decide(s, "allow")
	c.checkGallery(s, alice)

	// Accounts' /account, in the same browser: still signed in there from the flow.
	c.open(s.AuthURL + "/account")
	c.expectAt(s.AuthURL, "/account", "Accounts' connected apps")
	if apps := c.texts("main table tbody td:first-child"); !slices.Contains(apps, "PrintShop") {
		c.fatalf("Accounts' /account lists %q, want PrintShop", apps)
	}
	c.shot("Accounts lists PrintShop")
	c.press(`form[action="/account/revoke"]:has(input[name=client_id][value=printing]) button[type=submit]`)
	c.expectAt(s.AuthURL, "/account", "after Revoke")
	if notice := c.text("main [role=status]"); !strings.Contains(notice, "Revoked PrintShop") {
		c.errorf("after Revoke, Accounts says %q, want \"Revoked PrintShop…\"", notice)
	}
	if apps := c.texts("main table tbody td:first-child"); slices.Contains(apps, "PrintShop") {
		c.errorf("after Revoke, Accounts still lists PrintShop")
	}
	c.shot("revoked PrintShop at Accounts")

	// Back at PrintShop: the JWT it holds still opens Photos. PrintShop refreshes a quarter of
	// the lifetime before expiry (its clock stores whole seconds), and that refresh is what
	// meets the revocation; until then the gallery must work.
	stillValid := ttl*3/4 - 2*time.Second
	c.open(s.PrintURL + "/photos")
	elapsed := time.Since(allowed).Round(100 * time.Millisecond)
	switch h1 := c.text("main h1"); {
	case h1 == "Your photos":
		if n := c.count(".gallery li"); n != len(alice) {
			c.errorf("the gallery after Revoke shows %d photos, want %d", n, len(alice))
		}
		t.Logf("revoked at Accounts, yet %s after Allow PrintShop's gallery still works: its access token is a JWT that Photos checks on its own, valid for %s", elapsed, ttl)
	case elapsed < stillValid:
		c.fatalf("right after Revoke (%s after Allow, token lifetime %s) PrintShop shows %q; want the gallery, since the JWT is still valid", elapsed, ttl, h1)
	default:
		t.Logf("not checking that the gallery works after Revoke: %s had passed since Allow, too close to the refresh (token lifetime %s)", elapsed, ttl)
	}
	c.shot("the gallery right after Revoke")

	// Once the token is due, PrintShop's refresh meets the revoked grant (invalid_grant), and it
	// asks to reconnect.
	deadline := allowed.Add(ttl + 30*time.Second)
	var status int64
	for {
		status = c.open(s.PrintURL + "/photos")
		if c.text("main h1") == "PrintShop lost access to your Photos" {
			break
		}
		if time.Now().After(deadline) {
			c.fatalf("%s after Allow (token lifetime %s), PrintShop still shows %q; want it to ask to reconnect", time.Since(allowed).Round(time.Second), ttl, c.text("main h1"))
		}
		time.Sleep(time.Second)
	}
	t.Logf("%s after Allow (token lifetime %s), PrintShop asks to reconnect (status %d)", time.Since(allowed).Round(100*time.Millisecond), ttl, status)
	if link := c.text(`main a[href="/connect"]`); link != "Connect your Photos" {
		c.errorf("the lost-access page links to /connect with %q, want \"Connect your Photos\"", link)
	}
	if c.count(".gallery li") != 0 {
		c.errorf("the lost-access page still shows photos")
	}
	c.shot("PrintShop asks to reconnect")

	c.open(s.PrintURL + "/")
	if alert := c.text("main .alert"); !strings.Contains(alert, "PrintShop lost access to your Photos") {
		c.errorf("PrintShop's home page says %q, want that it lost access", alert)
	}
	if c.count(`main a[href="/connect"]`) != 1 {
		c.errorf("PrintShop's home page after losing access offers no Connect button")
	}
	c.shot("PrintShop's home after losing access")
}

// TestBrowserAliceAndBobSideBySide: two people, two browsers, at the same time: both start
// connecting before either finishes, and each gallery shows its owner's photos and none of the
// other's.
func TestBrowserAliceAndBobSideBySide(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	bob, _ := libraryOf(t, s, "bob", "builder")
	for _, p := range bob {
		if slices.ContainsFunc(alice, func(a apiPhoto) bool { return a.Title == p.Title }) {
			t.Fatalf("alice and bob both have a photo titled %q; the test tells them apart by title", p.Title)
		}
	}
	resetUser(t, s, "alice", "wonderland")
	resetUser(t, s, "bob", "builder")
	a, b := bt.newChrome("alice"), bt.newChrome("bob")

	a.signInAtPrintShop(s, "alice", "wonderland")
	b.signInAtPrintShop(s, "bob", "builder")
	for _, c := range []*chrome{a, b} {
		if path := c.pressConnect(s); path != "/login" {
			c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
		}
	}
	a.signInAtAccounts(s, "alice", "wonderland")
	b.signInAtAccounts(s, "bob", "builder")
	a.readConsent(s, "alice")
	b.readConsent(s, "bob")
	a.decide(s, "allow")
	b.decide(s, "allow")
	a.checkGallery(s, alice) // exactly alice's titles: none of bob's
	b.checkGallery(s, bob)
	a.expectSignedInAtPrintShop("alice")
	b.expectSignedInAtPrintShop("bob")
}

// TestBrowserCookieIsolation: the three services share one host, so one browser keeps all their
// cookies in one jar (cookies ignore ports). Signing in at PrintShop and at Accounts, visiting
// Photos, and a whole connect flow must not sign anyone out anywhere, and every cookie carries
// its service's prefix, HttpOnly and SameSite=Lax (CONTRACT.md, "Forms and cookies").
func TestBrowserCookieIsolation(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	resetUser(t, s, "alice", "wonderland")
	c := bt.newChrome("alice")

	// Signed in at PrintShop, then at Accounts directly, then a look at Photos.
	c.signInAtPrintShop(s, "alice", "wonderland")
	c.open(s.AuthURL + "/login")
	if u := c.signInAtAccounts(s, "alice", "wonderland"); !sameOrigin(u, s.AuthURL) || u.Path != "/account" {
		c.fatalf("signing in at Accounts directly led to %s, want its /account", u)
	}
	if banner := c.text("header.banner"); !strings.Contains(banner, "Signed in as alice") {
		c.errorf("Accounts' banner says %q, want \"Signed in as alice\"", banner)
	}
	if status := c.open(s.PhotosURL + "/"); status != 200 || c.text("main h1") != "Photos" {
		c.fatalf("Photos' home page: status %d, heading %q", status, c.text("main h1"))
	}
	c.shot("Photos' home page")
	c.open(s.PrintURL + "/")
	c.expectSignedInAtPrintShop("alice")
	c.shot("still signed in at PrintShop")

	// The connect flow: Accounts already knows Alice, so it goes straight to consent.
	if path := c.pressConnect(s); path != "/consent" {
		c.fatalf("Connect your Photos led to Accounts' %s; want its consent page, since Alice signed in there already", path)
	}
	c.readConsent(s, "alice")
	c.decide(s, "allow")
	c.checkGallery(s, alice)

	// Afterwards: still signed in at both.
	c.open(s.PrintURL + "/")
	c.expectSignedInAtPrintShop("alice")
	c.shot("after the flow, still signed in at PrintShop")
	c.open(s.AuthURL + "/account")
	c.expectAt(s.AuthURL, "/account", "Accounts' connected apps after the flow (not its login page)")
	if apps := c.texts("main table tbody td:first-child"); !slices.Contains(apps, "PrintShop") {
		c.errorf("Accounts' /account after the flow lists %q, want PrintShop", apps)
	}
	c.shot("after the flow, still signed in at Accounts")

	// One jar, each cookie named for its service, HttpOnly and SameSite=Lax.
	prefixes := []string{"printshop_", "accounts_", "photos_"}
	var names, seen []string
	for _, ck := range c.cookies(s.PrintURL, s.AuthURL, s.PhotosURL) {
		seen = append(seen, ck.Name)
		names = append(names, fmt.Sprintf("%s (domain %s, HttpOnly %v, SameSite %q)", ck.Name, ck.Domain, ck.HTTPOnly, ck.SameSite))
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(ck.Name, p) }) {
			t.Errorf("cookie %q has none of the service prefixes %q", ck.Name, prefixes)
		}
		if !ck.HTTPOnly {
			t.Errorf("cookie %q is not HttpOnly", ck.Name)
		}
		if ck.SameSite != network.CookieSameSiteLax {
			t.Errorf("cookie %q has SameSite %q, want Lax", ck.Name, ck.SameSite)
		}
	}
	t.Logf("the browser's cookies for the three services: %s", strings.Join(names, "; "))
	for _, want := range []string{"printshop_session", "accounts_session"} {
		if !slices.Contains(seen, want) {
			t.Errorf("the browser has no %s cookie; it has %q", want, seen)
		}
	}
}
