package e2e

// The external-stack mode: the same tests against a stack someone else started, such as
// `docker compose up` on http://localhost:9000-9002.
//
//	E2E_STACK=external                  run against an external stack; unset: start our own
//	E2E_PRINTSHOP_URL                   PrintShop's public URL  (default http://localhost:9000)
//	E2E_ACCOUNTS_URL                    Accounts' public URL, the issuer (default http://localhost:9001)
//	E2E_PHOTOS_URL                      Photos' public URL      (default http://localhost:9002)
//	E2E_ACCESS_TOKEN_TTL                the AUTHSERVER_ACCESS_TOKEN_TTL the stack was started with,
//	                                    if short (at most 1m): runs TestBrowserRevokeAtAccounts
//	E2E_PRINTING_CLIENT_SECRET          the printing client's secret (default printshop-demo-secret)
//
// Such a stack keeps its state from test to test (and from run to run): Accounts remembers
// consent, PrintShop remembers connections. So every test first puts the users it drives back at
// the start with resetUser. Checks that need PrintShop's database or a setting only the harness
// can choose (introspection, a short token lifetime) are left out, each with a log line or a
// skip that says why. The tests share the stack's users, so none of them may run in parallel
// (t.Parallel) with another.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// external is the stack of E2E_STACK=external, or nil when each test starts its own.
var external *externalStack

// maxExternalTTL is the longest E2E_ACCESS_TOKEN_TTL a test will wait out.
const maxExternalTTL = time.Minute

// demoPrintingSecret is the printing client's secret in Accounts' built-in demo clients.
const demoPrintingSecret = "printshop-demo-secret"

// externalStack is a stack someone else started.
type externalStack struct {
	printURL, authURL, photosURL string
	accessTokenTTL               time.Duration // zero: not given
	printingSecret               string
}

// loadExternal reads the E2E_ variables. It returns nil when E2E_STACK asks for no external
// stack, and an error naming every bad variable at once.
func loadExternal(getenv func(string) string) (*externalStack, error) {
	switch mode := getenv("E2E_STACK"); mode {
	case "", "self":
		return nil, nil
	case "external":
	default:
		return nil, fmt.Errorf("E2E_STACK=%q: want external, or unset to start a stack per test", mode)
	}
	var errs []error
	publicURL := func(name, def string) string {
		raw := getenv(name)
		if raw == "" {
			return def
		}
		u, err := url.Parse(strings.TrimSuffix(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("%s=%q: want a URL such as %s, with no path", name, raw, def))
			return def
		}
		return u.String()
	}
	e := &externalStack{
		printURL:       publicURL("E2E_PRINTSHOP_URL", "http://localhost:9000"),
		authURL:        publicURL("E2E_ACCOUNTS_URL", "http://localhost:9001"),
		photosURL:      publicURL("E2E_PHOTOS_URL", "http://localhost:9002"),
		printingSecret: getenv("E2E_PRINTING_CLIENT_SECRET"),
	}
	if e.printingSecret == "" {
		e.printingSecret = demoPrintingSecret
	}
	if raw := getenv("E2E_ACCESS_TOKEN_TTL"); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("E2E_ACCESS_TOKEN_TTL=%q: want a positive Go duration such as 20s", raw))
		}
		e.accessTokenTTL = d
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// checkHealthy asks each service's /healthz once, so that a stack that is not up fails the run
// with one clear line instead of every test failing on its own.
func (e *externalStack) checkHealthy() error {
	client := &http.Client{Timeout: 5 * time.Second}
	var errs []error
	for _, base := range []string{e.printURL, e.authURL, e.photosURL} {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = errors.New(resp.Status)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("E2E_STACK=external, but GET %s/healthz: %v", base, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w\nstart the stack first (docker compose up), or unset E2E_STACK to let each test start its own", err)
	}
	return nil
}

// stack returns the external stack for a test, or skips the test if it needs a setting the
// harness cannot give a stack it did not start.
func (e *externalStack) stack(t *testing.T, opts stackOptions) *stack {
	t.Helper()
	if opts.TokenCheck != "" && opts.TokenCheck != "jwt" {
		t.Skipf("external stack: this test needs PHOTOS_TOKEN_CHECK=%s, which only a stack the test starts itself can be given", opts.TokenCheck)
	}
	if len(opts.Env) > 0 {
		var names []string
		for k := range opts.Env {
			names = append(names, k)
		}
		slices.Sort(names)
		t.Skipf("external stack: this test needs %s set, which only a stack the test starts itself can be given", strings.Join(names, ", "))
	}
	if opts.AccessTokenTTL != 0 {
		switch {
		case e.accessTokenTTL == 0:
			t.Skipf("external stack: this test needs a short access token lifetime (it asks for %s); start the stack with AUTHSERVER_ACCESS_TOKEN_TTL=20s and set E2E_ACCESS_TOKEN_TTL=20s to run it", opts.AccessTokenTTL)
		case e.accessTokenTTL > maxExternalTTL:
			t.Skipf("external stack: E2E_ACCESS_TOKEN_TTL=%s is longer than the %s this test will wait out", e.accessTokenTTL, maxExternalTTL)
		}
	}
	return &stack{
		AuthURL: e.authURL, PhotosURL: e.photosURL, PrintURL: e.printURL,
		PrintingSecret: e.printingSecret, AccessTokenTTL: e.accessTokenTTL, External: true,
	}
}

// resetUser puts a user back at the start of the story: not connected at PrintShop, and
// nothing remembered for PrintShop at Accounts, so that the consent page really appears. An
// external stack needs it, since earlier tests and runs leave connections and consent behind;
// on a fresh stack it finds nothing to undo, and runs anyway so that it stays tested.
func resetUser(t *testing.T, s *stack, username, password string) {
	t.Helper()
	resetAtPrintShop(t, s, username, password)
	resetAtAccounts(t, s, username, password)
}

// resetAtPrintShop signs in at PrintShop and presses Disconnect if the user is connected, which
// also revokes PrintShop's grant at Accounts.
func resetAtPrintShop(t *testing.T, s *stack, username, password string) {
	t.Helper()
	b := newBrowser(t)
	b.signInAtPrintShop(s, username, password)
	home := b.get(s.PrintURL + "/").ok(t)
	if len(formsWithAction(home.Body, "/disconnect")) == 0 {
		return
	}
	to := b.post(s.PrintURL+"/disconnect", url.Values{"csrf_token": {inputValue(t, home, "csrf_token")}}).redirect(t)
	if to.Query().Get("notice") != "disconnected" {
		t.Fatalf("reset: POST /disconnect at PrintShop as %s redirected to %s, want notice=disconnected", username, to)
	}
	t.Logf("reset: %s was connected at PrintShop; disconnected", username)
}

// resetAtAccounts signs in at Accounts and, if /account lists PrintShop, presses its Revoke: the
// remembered consent and every grant PrintShop holds for the user end.
func resetAtAccounts(t *testing.T, s *stack, username, password string) {
	t.Helper()
	b := newBrowser(t)
	login := b.get(s.AuthURL + "/login").ok(t)
	to := b.post(s.AuthURL+"/login", url.Values{
		"csrf_token": {inputValue(t, login, "csrf_token")},
		"username":   {username},
		"password":   {password},
	}).redirect(t)
	account := b.get(to.String()).ok(t)
	if account.URL.Path != "/account" {
		t.Fatalf("reset: signing in at Accounts as %s led to %s, want /account", username, account.URL)
	}
	if !listsClient(account.Body, "printing") {
		return
	}
	to = b.post(s.AuthURL+"/account/revoke", url.Values{
		"csrf_token": {inputValue(t, account, "csrf_token")},
		"client_id":  {"printing"},
	}).redirect(t)
	account = b.get(to.String()).ok(t)
	if listsClient(account.Body, "printing") {
		t.Fatalf("reset: Accounts still lists PrintShop for %s after Revoke:\n%s", username, excerpt(account.Body))
	}
	t.Logf("reset: Accounts remembered PrintShop for %s; revoked", username)
}

// listsClient reports whether Accounts' /account page has a revoke form for the client.
func listsClient(body, clientID string) bool {
	return slices.ContainsFunc(tags(body, "input"), func(in tag) bool {
		return in.Attrs["name"] == "client_id" && in.Attrs["value"] == clientID
	})
}
