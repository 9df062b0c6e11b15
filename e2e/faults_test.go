package e2e

// Valet under load and faults, against the real binaries: many flows and refreshes at once, a
// graceful stop of Accounts while it is busy, and the pages PrintShop shows while a neighbour
// service is down. These tests assert outcomes (nothing lost, no error, no 500), never times:
// make load and make bench-report measure speed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// person is a browser that many goroutines can drive at once: unlike browser, it returns
// errors instead of failing the test, and it counts every 500 Internal Server Error.
type person struct {
	s                  *stack
	client             *http.Client
	username, password string
	serverErrors       *atomic.Int64
}

// sharedTransport lets hundreds of people reuse connections, as their browsers would.
func sharedTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 256
	return tr
}

func newPerson(s *stack, tr http.RoundTripper, username, password string, serverErrors *atomic.Int64) *person {
	jar, _ := cookiejar.New(nil)
	return &person{s: s, username: username, password: password, serverErrors: serverErrors,
		client: &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes one request and reads the whole answer. A 500 is an error: a page that names
// what went wrong (a 503 naming the service that is down) is an answer.
func (p *person) send(method, rawURL string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: the answer was cut: %w", method, rawURL, err)
	}
	if resp.StatusCode == http.StatusInternalServerError {
		p.serverErrors.Add(1)
		return resp, string(data), fmt.Errorf("%s %s: got status 500: %s", method, rawURL, pageText(string(data)))
	}
	return resp, string(data), nil
}

// pageText is what an error page says: the text of its <h1> and <p> elements, or the start of
// a body that has none.
func pageText(body string) string {
	var parts []string
	for _, m := range pageTextPattern.FindAllStringSubmatch(body, -1) {
		parts = append(parts, strings.TrimSpace(m[1]))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%.300s", body)
	}
	return strings.Join(parts, " / ")
}

var pageTextPattern = regexp.MustCompile(`(?s)<(?:h1|p)>(.*?)</(?:h1|p)>`)

// expect sends a request and checks the status; for a 303 it returns where it points.
func (p *person) expect(method, rawURL string, form url.Values, status int) (string, *url.URL, error) {
	resp, body, err := p.send(method, rawURL, form)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != status {
		return body, nil, fmt.Errorf("%s %s: got status %d, want %d: %s", method, rawURL, resp.StatusCode, status, pageText(body))
	}
	if status != http.StatusSeeOther {
		return body, nil, nil
	}
	to, err := resp.Location()
	return body, to, err
}

// hidden returns the value of the first <input name=name> in body.
func hidden(body, name string) string {
	for _, in := range tags(body, "input") {
		if in.Attrs["name"] == name {
			return in.Attrs["value"]
		}
	}
	return ""
}

// signInAtPrintShop signs in with PrintShop's own login form.
func (p *person) signInAtPrintShop() error {
	home, _, err := p.expect(http.MethodGet, p.s.PrintURL+"/", nil, http.StatusOK)
	if err != nil {
		return err
	}
	_, _, err = p.expect(http.MethodPost, p.s.PrintURL+"/login", url.Values{
		"csrf_token": {hidden(home, "csrf_token")}, "username": {p.username}, "password": {p.password}}, http.StatusSeeOther)
	return err
}

// authorize goes from PrintShop's /connect through Accounts (signing in and allowing when
// asked) and returns the callback URL Accounts sent the browser to, not yet followed.
func (p *person) authorize() (*url.URL, error) {
	_, next, err := p.expect(http.MethodGet, p.s.PrintURL+"/connect", nil, http.StatusSeeOther)
	if err != nil {
		return nil, err
	}
	return p.authorizeFrom(next)
}

// authorizeFrom follows the browser through Accounts from an authorization URL until it is
// sent back to the client: another origin, or Accounts' own /code page for the curl client.
func (p *person) authorizeFrom(next *url.URL) (*url.URL, error) {
	for range 10 {
		if !sameOrigin(next, p.s.AuthURL) || next.Path == "/code" {
			return next, nil
		}
		resp, body, err := p.send(http.MethodGet, next.String(), nil)
		switch {
		case err != nil:
			return nil, err
		case resp.StatusCode == http.StatusSeeOther:
			next, err = resp.Location()
			if err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode == http.StatusOK && next.Path == "/login":
			_, next, err = p.expect(http.MethodPost, p.s.AuthURL+"/login", url.Values{
				"csrf_token": {hidden(body, "csrf_token")}, "request": {hidden(body, "request")},
				"username": {p.username}, "password": {p.password}}, http.StatusSeeOther)
		case resp.StatusCode == http.StatusOK && next.Path == "/consent":
			_, next, err = p.expect(http.MethodPost, p.s.AuthURL+"/consent", url.Values{
				"csrf_token": {hidden(body, "csrf_token")}, "request": {hidden(body, "request")},
				"decision": {"allow"}, "scope": {"photos.read"}}, http.StatusSeeOther)
		default:
			return nil, fmt.Errorf("GET %s: unexpected status %d: %.300s", next, resp.StatusCode, body)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errors.New("the authorization did not leave Accounts within 10 hops")
}

// finish follows the callback to PrintShop's gallery and returns the gallery page.
func (p *person) finish(callback *url.URL) (string, error) {
	_, to, err := p.expect(http.MethodGet, callback.String(), nil, http.StatusSeeOther)
	if err != nil {
		return "", err
	}
	gallery, _, err := p.expect(http.MethodGet, to.String(), nil, http.StatusOK)
	if err == nil && len(tags(gallery, "input")) == 0 {
		err = fmt.Errorf("the gallery at %s has no photo to tick", to)
	}
	return gallery, err
}

// connect runs the whole flow: sign in at PrintShop, connect Photos through Accounts, and see
// the gallery.
func (p *person) connect() error {
	if err := p.signInAtPrintShop(); err != nil {
		return err
	}
	callback, err := p.authorize()
	if err != nil {
		return err
	}
	_, err = p.finish(callback)
	return err
}

// busyPattern matches what SQLite says when a writer waited for the lock longer than its
// busy_timeout: it must never reach a user, nor even a log.
var busyPattern = regexp.MustCompile(`(?i)SQLITE_BUSY|database is locked`)

// checkNoBusy fails the test if any service logged SQLITE_BUSY or a panic.
func checkNoBusy(t *testing.T, s *stack) {
	t.Helper()
	for name, p := range s.procs {
		out := p.output.String()
		if busyPattern.MatchString(out) {
			t.Errorf("%s logged SQLITE_BUSY (database is locked) under load", name)
		}
		if strings.Contains(out, "panic:") {
			t.Errorf("%s panicked", name)
		}
	}
}

// needOwnStack skips a fault test on an external stack: it needs to start and stop services.
func needOwnStack(t *testing.T, s *stack) {
	t.Helper()
	if s.External {
		t.Skip("external stack: this fault test starts and stops the services itself")
	}
}

// TestFault200ConcurrentFlows runs 200 complete flows at once, 100 as alice and 100 as bob,
// each in its own browser: PrintShop sign-in, the authorization code flow with PKCE through
// Accounts (RFC 6749 §4.1, RFC 7636), and the gallery fetched from Photos. Every one must
// succeed, and no SQLITE_BUSY may reach a user or a log.
func TestFault200ConcurrentFlows(t *testing.T) {
	s := startStack(t, stackOptions{})
	needOwnStack(t, s)
	const flows = 200
	var serverErrors atomic.Int64
	tr := sharedTransport()
	defer tr.CloseIdleConnections()
	start := make(chan struct{})
	errs := make([]error, flows)
	var wg sync.WaitGroup
	for i := range flows {
		p := newPerson(s, tr, "alice", "wonderland", &serverErrors)
		if i%2 == 1 {
			p.username, p.password = "bob", "builder"
		}
		wg.Go(func() {
			<-start
			errs[i] = p.connect()
		})
	}
	close(start)
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("flow %d: %v", i, err)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d concurrent flows failed, want 0", failed, flows)
	}
	if n := serverErrors.Load(); n > 0 {
		t.Errorf("%d answers were 500 Internal Server Error, want none", n)
	}
	checkNoBusy(t, s)
}

// refreshAt posts a refresh token request (RFC 6749 §6) as the curl client and returns the
// status and the answer.
func refreshAt(client *http.Client, s *stack, refreshToken string) (int, map[string]any, error) {
	req, err := http.NewRequest(http.MethodPost, s.AuthURL+"/token", strings.NewReader(url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("curl", "curl-demo-secret")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("the token answer (status %d) is not JSON: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, answer, nil
}

// curlGrants makes n grants for alice and the curl client, one after the other, and returns
// their refresh tokens.
func curlGrants(t *testing.T, s *stack, n int) []string {
	t.Helper()
	conf := &oauth2.Config{
		ClientID: "curl", ClientSecret: "curl-demo-secret", RedirectURL: s.AuthURL + "/code",
		Scopes: []string{"photos.read"},
		Endpoint: oauth2.Endpoint{AuthURL: s.AuthURL + "/authorize", TokenURL: s.AuthURL + "/token",
			AuthStyle: oauth2.AuthStyleInHeader},
	}
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	old := make([]string, n)
	for i := range old {
		verifier := oauth2.GenerateVerifier()
		auth := b.authorizeAtAccounts(s, conf.AuthCodeURL(randomString(), oauth2.S256ChallengeOption(verifier)), "alice", "wonderland", "allow")
		tok, err := conf.Exchange(ctx, auth.Callback.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("grant %d: exchange: %v", i, err)
		}
		if tok.RefreshToken == "" {
			t.Fatalf("grant %d: no refresh token", i)
		}
		old[i] = tok.RefreshToken
	}
	return old
}

// TestFault50ConcurrentRefreshesEachUsedOnce refreshes 50 distinct grants at once: all 50
// succeed, each with a new refresh token (rotation, RFC 9700 §4.14.2). Then the 50 old tokens
// are presented again, at once: each was used exactly once, so each replay is invalid_grant
// (RFC 6749 §5.2).
func TestFault50ConcurrentRefreshesEachUsedOnce(t *testing.T) {
	s := startStack(t, stackOptions{})
	needOwnStack(t, s)
	old := curlGrants(t, s, 50)
	client := &http.Client{Transport: sharedTransport(), Timeout: time.Minute}
	type outcome struct {
		status int
		answer map[string]any
		err    error
	}
	atOnce := func(tokens []string) []outcome {
		out := make([]outcome, len(tokens))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, rt := range tokens {
			wg.Go(func() {
				<-start
				out[i].status, out[i].answer, out[i].err = refreshAt(client, s, rt)
			})
		}
		close(start)
		wg.Wait()
		return out
	}

	rotated := map[string]bool{}
	for i, o := range atOnce(old) {
		switch {
		case o.err != nil:
			t.Errorf("refresh %d: %v", i, o.err)
		case o.status != http.StatusOK:
			t.Errorf("refresh %d of a live refresh token: got status %d (%v), want 200", i, o.status, o.answer)
		default:
			next, _ := o.answer["refresh_token"].(string)
			if next == "" || next == old[i] || rotated[next] {
				t.Errorf("refresh %d: refresh_token %q is missing, unchanged or not unique; RFC 9700 §4.14.2 rotates it", i, next)
			}
			rotated[next] = true
		}
	}
	for i, o := range atOnce(old) {
		if o.err != nil {
			t.Errorf("replay %d: %v", i, o.err)
		} else if o.status != http.StatusBadRequest || o.answer["error"] != "invalid_grant" {
			t.Errorf("replay %d of a rotated refresh token: got %d %v, want 400 invalid_grant (used once only, RFC 9700 §4.14.2)", i, o.status, o.answer)
		}
	}
	checkNoBusy(t, s)
}

// terminate sends SIGTERM to a service and waits for it to exit. It returns the exit error:
// nil means a clean exit, and the services exit cleanly only when http.Server.Shutdown
// returned nil, that is when every request in flight was answered within its 10 s timeout.
func (s *stack) terminate(t *testing.T, name string) error {
	t.Helper()
	p := s.procs[name]
	p.stopped = true
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", name, err)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%s did not exit within %s of SIGTERM; killed it", name, stopTimeout)
		return nil
	}
}

// restart starts a stopped service again with the same settings, port and database.
func (s *stack) restart(t *testing.T, name string) {
	t.Helper()
	p := startProcess(t, name, s.dir, s.env[name])
	s.procs[name] = p
	health := map[string]string{"authserver": s.AuthURL, "photos": s.PhotosURL, "printing": s.PrintURL}
	waitHealthy(t, p, health[name]+"/healthz", time.Now().Add(healthTimeout))
}

// openFiles counts a service's open file descriptors (Linux /proc); ok is false elsewhere. A
// request stuck in a leaked goroutine holds its connection open, so a leak shows here.
func openFiles(s *stack, name string) (n int, ok bool) {
	entries, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(s.procs[name].cmd.Process.Pid), "fd"))
	return len(entries), err == nil
}

// checkNoLeak fails if a service holds many more open files than before the outage.
func checkNoLeak(t *testing.T, s *stack, name string, before int, requests int) {
	t.Helper()
	after, ok := openFiles(s, name)
	if !ok {
		t.Logf("no /proc on this system: not checking %s for leaked connections", name)
		return
	}
	// A few descriptors come and go with idle keep-alive connections; a leak of one per
	// request would add as many as there were requests.
	if slack := requests / 4; after > before+slack {
		t.Errorf("%s holds %d open files after %d requests during the outage, %d before: a leak (goroutines stuck with their connections)", name, after, requests, before)
	}
}

// TestFaultGracefulStopOfAccountsUnderLoad sends SIGTERM to Accounts while 16 clients keep it
// busy with authorization requests and code redemptions. Accounts must answer every request it
// had begun, in full, and exit cleanly (within its 10 s shutdown timeout). While it is down,
// Photos keeps validating tokens with the keys it holds, and PrintShop names Accounts and
// offers a retry, never a 500. A flow cut in half, holding a code when Accounts stopped, is
// retried once Accounts is back, and PrintShop and Photos recover without a restart.
func TestFaultGracefulStopOfAccountsUnderLoad(t *testing.T) {
	s := startStack(t, stackOptions{})
	needOwnStack(t, s)
	var serverErrors atomic.Int64
	tr := sharedTransport()
	defer tr.CloseIdleConnections()

	// alice is connected at PrintShop; the test holds its own token for the Photos API.
	alice := newPerson(s, tr, "alice", "wonderland", &serverErrors)
	if err := alice.connect(); err != nil {
		t.Fatalf("alice's flow before the stop: %v", err)
	}
	_, token := libraryOf(t, s, "alice", "wonderland")
	// bob's flow is cut in half: Accounts gave the code, and stops before PrintShop redeems it.
	bob := newPerson(s, tr, "bob", "builder", &serverErrors)
	if err := bob.signInAtPrintShop(); err != nil {
		t.Fatal(err)
	}
	callback, err := bob.authorize()
	if err != nil {
		t.Fatalf("bob's flow before the stop: %v", err)
	}
	printFiles, haveProc := openFiles(s, "printing")

	load := startCodeLoad(t, s, tr, &serverErrors, 16)
	load.waitFor(100) // let the load build up (a count, not a time)
	if err := s.terminate(t, "authserver"); err != nil {
		t.Errorf("Accounts did not exit cleanly after SIGTERM under load: %v (Shutdown did not finish the requests in flight)", err)
	}
	load.end()
	t.Logf("%d flows completed under load before and during the stop", load.done.Load())

	tries := checkAccountsDown(t, s, alice, bob, callback, token.AccessToken)

	// Accounts comes back, on the same port with the same database: the others recover alone.
	s.restart(t, "authserver")
	if haveProc {
		checkNoLeak(t, s, "printing", printFiles, tries)
	}
	retried, err := bob.authorize() // "Try again": PrintShop's /connect
	if err != nil {
		t.Fatalf("bob's retry after Accounts came back: %v", err)
	}
	if _, err := bob.finish(retried); err != nil {
		t.Fatalf("bob's retry after Accounts came back: %v", err)
	}
	if _, fresh := libraryOf(t, s, "bob", "builder"); fresh.AccessToken == "" {
		t.Error("no token from Accounts after its restart")
	}
	if n := serverErrors.Load(); n > 0 {
		t.Errorf("%d answers were 500 Internal Server Error, want none", n)
	}
	checkNoBusy(t, s)
}

// checkAccountsDown checks what users see while Accounts is down: Photos validates alice's
// token with the keys it holds, alice's gallery works, bob's half flow gets a page that names
// Accounts and offers to try again, and so does each of alice's attempts to disconnect. It
// returns how many requests it made to PrintShop that needed Accounts.
func checkAccountsDown(t *testing.T, s *stack, alice, bob *person, callback *url.URL, token string) int {
	t.Helper()
	if resp, body := apiGet(t, s, token, "/api/photos"); resp.StatusCode != http.StatusOK {
		t.Errorf("with Accounts down, GET /api/photos with a valid token: got %d, want 200 (Photos holds the keys): %s", resp.StatusCode, body)
	}
	gallery, _, err := alice.expect(http.MethodGet, s.PrintURL+"/photos", nil, http.StatusOK)
	if err != nil {
		t.Fatalf("with Accounts down, alice's gallery: %v", err)
	}
	page, _, err := bob.expect(http.MethodGet, callback.String(), nil, http.StatusServiceUnavailable)
	if err != nil {
		t.Fatalf("with Accounts down, bob's callback: %v", err)
	}
	if !strings.Contains(page, "Accounts is not answering") || !hasLink(page, "/connect") {
		t.Fatalf("with Accounts down, bob's callback page does not name Accounts or offer to try again:\n%s", excerpt(page))
	}
	// PrintShop cannot revoke, says so, keeps the tokens, and offers to try again.
	const tries = 20
	for i := range tries {
		page, _, err := alice.expect(http.MethodPost, s.PrintURL+"/disconnect",
			url.Values{"csrf_token": {hidden(gallery, "csrf_token")}}, http.StatusServiceUnavailable)
		if err != nil {
			t.Fatalf("with Accounts down, alice's disconnect (try %d): %v", i, err)
		}
		if !strings.Contains(page, "Accounts did not take the revocation") || !hasLink(page, "/") {
			t.Fatalf("with Accounts down, the disconnect page does not name Accounts or offer to try again:\n%s", excerpt(page))
		}
	}
	return tries + 1
}

// codeLoad keeps Accounts busy: workers signed in at Accounts redeem code after code until
// Accounts stops serving or end is called. A request that fails otherwise fails the test.
type codeLoad struct {
	done, failed, running atomic.Int64
	stop                  chan struct{}
	wg                    sync.WaitGroup
}

func startCodeLoad(t *testing.T, s *stack, tr http.RoundTripper, serverErrors *atomic.Int64, workers int) *codeLoad {
	t.Helper()
	l := &codeLoad{stop: make(chan struct{})}
	for range workers {
		worker := newPerson(s, tr, "alice", "wonderland", serverErrors)
		if err := signInAtAccounts(worker); err != nil {
			t.Fatal(err)
		}
		l.running.Add(1)
		l.wg.Go(func() {
			defer l.running.Add(-1)
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				switch err := redeemOnce(worker); {
				case err == nil:
					l.done.Add(1)
				case errors.Is(err, errNotServing):
					return // Accounts has closed its listener: this request never began
				default:
					l.failed.Add(1)
					t.Errorf("a request under load failed: %v", err)
					return
				}
			}
		})
	}
	return l
}

// waitFor returns once n flows are done, a worker failed, or every worker stopped.
func (l *codeLoad) waitFor(n int64) {
	for l.done.Load() < n && l.failed.Load() == 0 && l.running.Load() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
}

// end stops the workers and waits for them.
func (l *codeLoad) end() {
	close(l.stop)
	l.wg.Wait()
}

// signInAtAccounts signs a person in at Accounts through an authorization request of the curl
// client, allowing it once, so that later requests need neither login nor consent.
func signInAtAccounts(p *person) error {
	verifier := oauth2.GenerateVerifier()
	start, err := url.Parse(p.s.AuthURL + "/authorize?" + curlAuthorization(p.s, verifier).Encode())
	if err != nil {
		return err
	}
	to, err := p.authorizeFrom(start)
	if err == nil && to.Query().Get("code") == "" {
		err = fmt.Errorf("signing in at Accounts ended at %s, with no code", to)
	}
	return err
}

// curlAuthorization is an authorization request of the curl client, with PKCE (RFC 7636).
func curlAuthorization(s *stack, verifier string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {"curl"}, "redirect_uri": {s.AuthURL + "/code"},
		"scope": {"photos.read"}, "state": {randomString()}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"}}
}

// errNotServing is a request that never reached a serving Accounts: the connection was refused
// or reset before any answer began, after Accounts closed its listener.
var errNotServing = errors.New("Accounts is not serving")

// redeemOnce is one authorization with a remembered consent and its code redeemed with PKCE,
// as the curl client, by a worker signed in at Accounts.
func redeemOnce(w *person) error {
	verifier := oauth2.GenerateVerifier()
	resp, body, err := w.send(http.MethodGet, w.s.AuthURL+"/authorize?"+curlAuthorization(w.s, verifier).Encode(), nil)
	if err != nil {
		return notServing(err)
	}
	to, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || to.Query().Get("code") == "" {
		return fmt.Errorf("GET /authorize: got %d to %v, want 303 with a code: %.300s", resp.StatusCode, to, body)
	}
	req, _ := http.NewRequest(http.MethodPost, w.s.AuthURL+"/token", strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {to.Query().Get("code")},
		"redirect_uri": {w.s.AuthURL + "/code"}, "code_verifier": {verifier}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("curl", "curl-demo-secret")
	resp, err = w.client.Do(req)
	if err != nil {
		return notServing(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("POST /token: the answer (status %d) was cut or is not JSON: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || answer.AccessToken == "" {
		return fmt.Errorf("POST /token: got status %d, want 200 with an access token", resp.StatusCode)
	}
	return nil
}

// notServing classifies a transport error with no answer at all: a refused or reset connection
// after the listener closed is errNotServing; anything else is returned as it is.
func notServing(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "server closed idle connection") {
		return fmt.Errorf("%w: %v", errNotServing, err)
	}
	return err
}

// TestFaultPhotosOutage stops Photos while alice is connected at PrintShop. The gallery then
// says Photos is not answering and offers to try again, never a 500; when Photos is back, on
// the same port with the same database, the same link shows the gallery, with no restart of
// PrintShop.
func TestFaultPhotosOutage(t *testing.T) {
	s := startStack(t, stackOptions{})
	needOwnStack(t, s)
	var serverErrors atomic.Int64
	tr := sharedTransport()
	defer tr.CloseIdleConnections()
	alice := newPerson(s, tr, "alice", "wonderland", &serverErrors)
	if err := alice.connect(); err != nil {
		t.Fatal(err)
	}
	before, haveProc := openFiles(s, "printing")
	if err := s.terminate(t, "photos"); err != nil {
		t.Errorf("Photos did not exit cleanly after SIGTERM: %v", err)
	}
	const tries = 20
	var retry string
	for i := range tries {
		page, _, err := alice.expect(http.MethodGet, s.PrintURL+"/photos", nil, http.StatusServiceUnavailable)
		if err != nil {
			t.Fatalf("with Photos down, the gallery (try %d): %v", i, err)
		}
		if !strings.Contains(page, "Photos is not answering") {
			t.Fatalf("with Photos down, the gallery does not say Photos is not answering:\n%s", excerpt(page))
		}
		retry = ""
		for _, a := range tags(page, "a") {
			if a.Attrs["href"] == "/photos" {
				retry = a.Attrs["href"]
			}
		}
		if retry == "" {
			t.Fatalf("with Photos down, the gallery's error page offers no retry link to /photos:\n%s", excerpt(page))
		}
	}
	s.restart(t, "photos")
	if haveProc {
		checkNoLeak(t, s, "printing", before, tries)
	}
	gallery, _, err := alice.expect(http.MethodGet, s.PrintURL+retry, nil, http.StatusOK)
	if err != nil {
		t.Fatalf("the retry link once Photos is back: %v", err)
	}
	photos, _ := libraryOf(t, s, "alice", "wonderland")
	if _, missing := titlesIn(gallery, photos); len(missing) > 0 {
		t.Errorf("the gallery after Photos came back lacks %q", missing)
	}
	if n := serverErrors.Load(); n > 0 {
		t.Errorf("%d answers were 500 Internal Server Error, want none", n)
	}
	checkNoBusy(t, s)
}
