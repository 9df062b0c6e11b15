package e2e

// The browser harness: a real Chromium, headless, driven over the DevTools protocol with
// chromedp. Where the cookie-jar browser of harness_test.go checks each hop of the protocol, this
// one sees what a person sees: rendered pages, images that load or do not, buttons to press, and
// one cookie store shared by every service on the host.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Timeouts of the browser tests.
const (
	browserTimeout = 2 * time.Minute  // everything a browser test does in its browsers
	queryTimeout   = 15 * time.Second // one page action: a query, a click and its navigation
	imageTimeout   = 30 * time.Second // the images of one page, loaded one by one
)

// chromiumMissing is what a browser test says when it finds no Chromium.
const chromiumMissing = "chromium not found: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) to run the browser tests"

// chromiumPath finds Chromium (Debian's /usr/bin/chromium), or a Chrome, on PATH; empty if none.
var chromiumPath = sync.OnceValue(func() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
})

// inCI reports whether the CI variable is set, as CI systems do: there a missing browser is a
// failure, not a skip.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// browserTest is what one browser test shares between its browsers: a deadline, and a folder
// with a screenshot of every step, kept when the test fails.
type browserTest struct {
	t     *testing.T
	ctx   context.Context // ends browserTimeout after the test began
	shots string          // the screenshot folder

	mu sync.Mutex
	n  int // screenshots taken
}

// startBrowserTest skips the test (fails it, under CI) when there is no Chromium, and makes its
// screenshot folder, removed when the test passes unless E2E_KEEP_SCREENSHOTS is set. Call it
// first, so that its cleanup runs last and sees every failure.
func startBrowserTest(t *testing.T) *browserTest {
	t.Helper()
	if chromiumPath() == "" {
		if inCI() {
			t.Fatal("CI is set: " + chromiumMissing)
		}
		t.Skip(chromiumMissing)
	}
	dir, err := os.MkdirTemp(os.TempDir(), "valet-browser-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		switch {
		case t.Failed():
			t.Logf("screenshots of every step are kept in %s", dir)
		case os.Getenv("E2E_KEEP_SCREENSHOTS") != "":
			t.Logf("E2E_KEEP_SCREENSHOTS is set: screenshots of every step are in %s", dir)
		default:
			os.RemoveAll(dir)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	return &browserTest{t: t, ctx: ctx, shots: dir}
}

// chrome is one person's browser: its own Chromium process and profile, one tab.
type chrome struct {
	t   *testing.T
	bt  *browserTest
	who string          // whose browser, for messages and screenshot names
	ctx context.Context // the tab
}

// newChrome starts a headless Chromium with a fresh profile and a 1280x800 window, and stops
// it when the test ends.
func (bt *browserTest) newChrome(who string) *chrome {
	t := bt.t
	t.Helper()
	profile, err := os.MkdirTemp("", "valet-chromium-profile-*")
	if err != nil {
		t.Fatal(err)
	}
	output := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath()),
		chromedp.NoSandbox, // root in a container has no sandbox to use
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(bt.ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits until Chromium has exited
		if t.Failed() && output.String() != "" {
			t.Logf("---- output of %s's chromium ----\n%s", who, excerpt(output.String()))
		}
		removeProfile(t, profile)
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s for %s: %v\n%s", chromiumPath(), who, err, excerpt(output.String()))
	}
	return &chrome{t: t, bt: bt, who: who, ctx: ctx}
}

// removeProfile removes a Chromium profile folder. Chromium's helpers can still be writing to
// it for a moment after the browser exits, so it tries for a few seconds.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("could not remove the chromium profile %s: %v", dir, err)
}

// shot saves a full-page screenshot as the next numbered PNG in the test's screenshot folder.
func (c *chrome) shot(step string) {
	c.bt.mu.Lock()
	c.bt.n++
	n := c.bt.n
	c.bt.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("%s: no screenshot of %q: %v", c.who, step, err)
		return
	}
	name := fmt.Sprintf("%02d-%s-%s.png", n, c.who, slug(step))
	if err := os.WriteFile(filepath.Join(c.bt.shots, name), png, 0o644); err != nil {
		c.t.Logf("%s: saving the screenshot of %q: %v", c.who, step, err)
	}
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a step's name fit a file name.
func slug(s string) string {
	s = strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// fatalf saves a screenshot of the page as it is, then fails the test.
func (c *chrome) fatalf(format string, args ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, args...)
	c.shot("FAILED " + msg)
	c.t.Fatalf("%s's browser: %s (at %s)", c.who, msg, c.locationOrErr())
}

// errorf saves a screenshot and marks the test failed, and carries on.
func (c *chrome) errorf(format string, args ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, args...)
	c.shot("FAILED " + msg)
	c.t.Errorf("%s's browser: %s (at %s)", c.who, msg, c.locationOrErr())
}

func (c *chrome) locationOrErr() string {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown location: " + err.Error()
	}
	return loc
}

// do runs actions that return nothing, failing the test with what was being done.
func (c *chrome) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.fatalf("%s: %v", what, err)
	}
}

// run runs one action and returns its value, failing the test with what was being done.
func run[T any](c *chrome, what string, action chromedp.Action[T]) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		c.fatalf("%s: %v", what, err)
	}
	return v
}

// open loads a URL and returns the HTTP status of the page it ends on.
func (c *chrome) open(rawURL string) int64 {
	c.t.Helper()
	resp := run(c, "open "+rawURL, chromedp.NavigateResponse(rawURL))
	if resp == nil {
		return 0
	}
	return resp.Status
}

// press clicks the element (a link or a submit button) and waits until the page it leads to
// has loaded, through any redirects; it returns that page's HTTP status.
func (c *chrome) press(sel string) int64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		c.fatalf("press %s: %v", sel, err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// fill types a value into an empty text input.
func (c *chrome) fill(sel, value string) {
	c.t.Helper()
	c.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// text is the rendered text of the first element sel matches (what a person can read).
func (c *chrome) text(sel string) string {
	c.t.Helper()
	return strings.TrimSpace(run(c, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// texts is the rendered text of every element sel matches, in page order; none is no error.
func (c *chrome) texts(sel string) []string {
	c.t.Helper()
	return evaluate[[]string](c, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.innerText.trim())`, sel))
}

// count is how many elements sel matches.
func (c *chrome) count(sel string) int {
	c.t.Helper()
	return evaluate[int](c, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// evaluate runs a JavaScript expression in the page and decodes its value.
func evaluate[T any](c *chrome, js string) T {
	c.t.Helper()
	return run(c, "evaluate "+js, chromedp.Evaluate[T](js))
}

// location is the URL of the page the tab shows.
func (c *chrome) location() *url.URL {
	c.t.Helper()
	raw := run(c, "read the location", chromedp.Location())
	u, err := url.Parse(raw)
	if err != nil {
		c.fatalf("the location %q does not parse: %v", raw, err)
	}
	return u
}

// expectAt fails the test unless the tab shows path on the service at base.
func (c *chrome) expectAt(base, path, what string) *url.URL {
	c.t.Helper()
	u := c.location()
	if !sameOrigin(u, base) || u.Path != path {
		c.fatalf("%s: the browser is at %s, want %s%s; the page says:\n%s", what, u, base, path, excerpt(c.text("body")))
	}
	return u
}

// imagesLoaded scrolls each image sel matches into view until all have finished loading (the
// gallery's are loading="lazy": they load only near the viewport), and returns how many there
// are and the alt text of those that did not decode (naturalWidth 0: a broken image).
func (c *chrome) imagesLoaded(sel string) (count int, broken []string) {
	c.t.Helper()
	const js = `(sel) => {
		const imgs = [...document.querySelectorAll(sel)];
		const pending = imgs.filter(img => !img.complete);
		if (pending.length > 0) {
			pending[0].scrollIntoView({block: "center"});
			return false;
		}
		window.scrollTo(0, 0);
		return {count: imgs.length, broken: imgs.filter(img => img.naturalWidth === 0).map(img => img.alt || img.src)};
	}`
	type result struct {
		Count  int      `json:"count"`
		Broken []string `json:"broken"`
	}
	ctx, cancel := context.WithTimeout(c.ctx, imageTimeout+5*time.Second)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.PollFunction[result](js,
		chromedp.WithPollingArgs(sel), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(imageTimeout)))
	if err != nil {
		c.fatalf("the images %s did not finish loading within %s: %v", sel, imageTimeout, err)
	}
	return r.Count, r.Broken
}

// cookies lists the cookies the browser would send to any of the URLs.
func (c *chrome) cookies(urls ...string) []*network.Cookie {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, queryTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		c.fatalf("Network.getCookies: %v", err)
	}
	return res.Cookies
}

// The steps of the story, as a person takes them. Each ends with a screenshot.

// signInAtPrintShop opens PrintShop's home page and signs in with its form; the banner then
// names the user.
func (c *chrome) signInAtPrintShop(s *stack, username, password string) {
	c.t.Helper()
	c.open(s.PrintURL + "/")
	c.fill(`form[action="/login"] input[name=username]`, username)
	c.fill(`form[action="/login"] input[name=password]`, password)
	c.press(`form[action="/login"] button[type=submit]`)
	c.expectAt(s.PrintURL, "/", "after signing in at PrintShop")
	c.expectSignedInAtPrintShop(username)
	c.shot("signed in at PrintShop")
}

// expectSignedInAtPrintShop checks PrintShop's banner on the page shown.
func (c *chrome) expectSignedInAtPrintShop(username string) {
	c.t.Helper()
	if banner, want := c.text("header.banner"), "Signed in to PrintShop as "+username; !strings.Contains(banner, want) {
		c.fatalf("PrintShop's banner says %q, want %q", banner, want)
	}
}

// pressConnect presses "Connect your Photos" on PrintShop's home page, which must be showing,
// and returns the path of the Accounts page the browser lands on.
func (c *chrome) pressConnect(s *stack) string {
	c.t.Helper()
	const button = `main a[href="/connect"]`
	if got := c.text(button); got != "Connect your Photos" {
		c.fatalf("PrintShop's connect button says %q, want %q", got, "Connect your Photos")
	}
	c.press(button)
	u := c.location()
	if !sameOrigin(u, s.AuthURL) {
		c.fatalf("Connect your Photos led to %s, want a page at Accounts (%s)", u, s.AuthURL)
	}
	c.shot("pressed Connect your Photos")
	return u.Path
}

// signInAtAccounts fills Accounts' login form, which must be showing, and returns where the
// browser lands.
func (c *chrome) signInAtAccounts(s *stack, username, password string) *url.URL {
	c.t.Helper()
	c.expectAt(s.AuthURL, "/login", "before signing in at Accounts")
	c.fill(`form[action="/login"] input[name=username]`, username)
	c.fill(`form[action="/login"] input[name=password]`, password)
	c.press(`form[action="/login"] button[type=submit]`)
	u := c.location()
	c.shot("signed in at Accounts")
	return u
}

// readConsent checks the consent page: it names PrintShop and the user, and has one photos.read
// line, ticked.
func (c *chrome) readConsent(s *stack, username string) {
	c.t.Helper()
	c.expectAt(s.AuthURL, "/consent", "the consent page")
	if h1, want := c.text("main h1"), "Allow PrintShop to use your Photos account?"; h1 != want {
		c.errorf("the consent page's heading is %q, want %q", h1, want)
	}
	if main := c.text("main"); !strings.Contains(main, "Signed in as "+username) {
		c.errorf("the consent page does not say who is signed in (%s):\n%s", username, main)
	}
	lines := c.texts("form[action='/consent'] ul.scopes li")
	if len(lines) != 1 || !strings.Contains(lines[0], "photos.read") {
		c.errorf("the consent page's scope lines are %q, want one photos.read line", lines)
	}
	if !evaluate[bool](c, `document.querySelector('input[name=scope][value="photos.read"]')?.checked === true`) {
		c.errorf("the photos.read checkbox is not ticked")
	}
	c.shot("read the consent page")
}

// decide presses Allow or Deny on the consent page and returns the HTTP status of the page at
// PrintShop the browser comes back to.
func (c *chrome) decide(s *stack, decision string) int64 {
	c.t.Helper()
	status := c.press(fmt.Sprintf(`button[name=decision][value=%s]`, decision))
	if u := c.location(); !sameOrigin(u, s.PrintURL) {
		c.fatalf("after %s, the browser is at %s, want back at PrintShop (%s)", decision, u, s.PrintURL)
	}
	c.shot("pressed " + decision)
	return status
}

// checkGallery checks PrintShop's gallery: exactly the owner's photo titles (so none of
// another user's), and every thumbnail loaded.
func (c *chrome) checkGallery(s *stack, own []apiPhoto) {
	c.t.Helper()
	c.expectAt(s.PrintURL, "/photos", "the gallery")
	if h1 := c.text("main h1"); h1 != "Your photos" {
		c.fatalf("the gallery's heading is %q, want %q", h1, "Your photos")
	}
	shown := c.texts(".gallery li")
	var want []string
	for _, p := range own {
		want = append(want, p.Title)
	}
	slices.Sort(shown)
	slices.Sort(want)
	if !slices.Equal(shown, want) {
		c.errorf("the gallery shows the titles %q, want exactly %s's %q", shown, c.who, want)
	}
	n, broken := c.imagesLoaded(".gallery img")
	if n != len(own) {
		c.errorf("the gallery has %d thumbnails, want %d", n, len(own))
	}
	if len(broken) > 0 {
		c.errorf("these thumbnails did not load (naturalWidth 0): %q", broken)
	}
	c.shot("the gallery")
}

// connect runs the whole connect flow for a browser signed in at PrintShop but not at Accounts:
// Connect, sign in at Accounts, read the consent page, Allow, and the gallery.
func (c *chrome) connect(s *stack, username, password string, own []apiPhoto) {
	c.t.Helper()
	if path := c.pressConnect(s); path != "/login" {
		c.fatalf("Connect your Photos led to Accounts' %s, want its login page", path)
	}
	c.signInAtAccounts(s, username, password)
	c.readConsent(s, username)
	c.decide(s, "allow")
	c.checkGallery(s, own)
}
