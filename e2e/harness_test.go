package e2e

// The harness: build the three real binaries once, start them on free loopback ports with their
// own temporary databases, and give tests a browser (a cookie jar that does not follow
// redirects on its own) to drive them with.
//
// With E2E_STACK=external the harness builds and starts nothing: every test runs against a
// stack someone else started, such as `docker compose up` (external_test.go).

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
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

	"golang.org/x/oauth2"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver, to read PrintShop's database
)

// services are the three binaries, each built from the folder of the same name.
var services = []string{"authserver", "photos", "printing"}

// binDir holds the binaries TestMain built.
var binDir string

// Timeouts of the harness.
const (
	buildTimeout  = 5 * time.Minute
	healthTimeout = 60 * time.Second // Photos makes its demo library on first start
	stopTimeout   = 15 * time.Second // each service shuts down within 10 s of SIGINT
)

// TestMain builds the three services once, from the repository root (the parent of this
// module), into a temporary folder shared by every test.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	ext, err := loadExternal(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if ext != nil {
		// Someone else's stack: nothing to build, but it must be up.
		if err := ext.checkHealthy(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		external = ext
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "valet-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := buildServices(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the services failed:\n"+err.Error())
		return 1
	}
	binDir = dir
	return m.Run()
}

// buildServices runs `go build -o DIR/NAME .` in each service folder, all three at once.
func buildServices(dir string) error {
	root, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.work")); err != nil {
		return fmt.Errorf("the repository root %s has no go.work: run the tests from the e2e folder", root)
	}
	// go test puts $GOROOT/bin first on the PATH it gives the test binary.
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	errs := make([]error, len(services))
	var wg sync.WaitGroup
	for i, name := range services {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, goCmd, "build", "-o", filepath.Join(dir, name), ".")
			cmd.Dir = filepath.Join(root, name)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go build in %s: %v\n%s", cmd.Dir, err, out)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// stackOptions changes how startStack configures the services. The zero value is the default
// setup: JWT checks at Photos and Accounts' default token lifetime.
type stackOptions struct {
	// TokenCheck is PHOTOS_TOKEN_CHECK: "jwt" (the default) or "introspect".
	TokenCheck string
	// AccessTokenTTL is AUTHSERVER_ACCESS_TOKEN_TTL; zero keeps Accounts' default.
	AccessTokenTTL time.Duration
	// Env adds or overrides variables; each goes to the service its prefix names
	// (AUTHSERVER_, PHOTOS_ or PRINTING_).
	Env map[string]string
	// Clients, if set, changes the registrations in Accounts' clients file (the attack lab
	// registers PrintShop by its origin).
	Clients func(s *stack, clients []client) []client
}

// client is one registration in Accounts' clients file.
type client struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris"`
	GrantTypes   []string `json:"grant_types"`
	Scopes       []string `json:"scopes"`
	// Photos' own web app: no consent page, and where Accounts may send it after sign-out.
	FirstParty             bool     `json:"first_party,omitempty"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
}

// testClientRedirect is the redirect URI of the e2e-client registration. Nothing listens
// there: the test reads the code from the Location header and never follows it.
const testClientRedirect = "http://127.0.0.1:1/cb"

// stack is one running set of the three services.
type stack struct {
	AuthURL, PhotosURL, PrintURL string // public URLs: http://127.0.0.1:PORT, or an external stack's
	PrintingDB                   string // PrintShop's SQLite file; empty on an external stack
	PrintingSecret               string // the printing client's secret at Accounts
	TestClientSecret             string // the e2e-client's secret at Accounts; none on an external stack
	// AccessTokenTTL is the lifetime of the access tokens Accounts issues; zero when unknown
	// (an external stack without E2E_ACCESS_TOKEN_TTL).
	AccessTokenTTL time.Duration
	// External is set when someone else started the stack (E2E_STACK=external): it keeps its
	// state from test to test, and its databases and settings are out of reach.
	External bool
	// procs, dir and env let a fault test stop a service and start it again as it was
	// (faults_test.go); empty on an external stack.
	procs map[string]*process
	dir   string
	env   map[string]map[string]string
}

// defaultAccessTokenTTL is AUTHSERVER_ACCESS_TOKEN_TTL's default.
const defaultAccessTokenTTL = 10 * time.Minute

// startStack starts Accounts, Photos and PrintShop on three free loopback ports, each with a
// fresh database in a temporary folder, waits until each answers /healthz, and stops them when
// the test ends. If the test fails, each service's output is printed. With E2E_STACK=external
// it starts nothing and returns the external stack, or skips the test if it needs settings
// that stack does not have.
func startStack(t *testing.T, opts stackOptions) *stack {
	t.Helper()
	if external != nil {
		return external.stack(t, opts)
	}
	if binDir == "" {
		t.Fatal("the services were not built (TestMain did not run)")
	}
	ports := freePorts(t, 3)
	authPort, photosPort, printPort := ports[0], ports[1], ports[2]
	dir := t.TempDir()
	s := &stack{
		AuthURL:          "http://127.0.0.1:" + authPort,
		PhotosURL:        "http://127.0.0.1:" + photosPort,
		PrintURL:         "http://127.0.0.1:" + printPort,
		PrintingDB:       filepath.Join(dir, "printing.db"),
		PrintingSecret:   randomString(),
		TestClientSecret: randomString(),
		AccessTokenTTL:   defaultAccessTokenTTL,
	}
	if opts.AccessTokenTTL != 0 {
		s.AccessTokenTTL = opts.AccessTokenTTL
	}
	photosSecret := randomString()
	photosWebSecret := randomString()

	clients := []client{
		{
			ClientID: "printing", ClientSecret: s.PrintingSecret, Name: "PrintShop",
			RedirectURIs: []string{s.PrintURL + "/callback"},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read"},
		},
		{
			// Photos uses this client only to call /introspect.
			ClientID: "photos", ClientSecret: photosSecret, Name: "Photos (token introspection)",
			RedirectURIs: []string{}, GrantTypes: []string{}, Scopes: []string{},
		},
		{
			// Photos' own web app, which signs its owner in with OpenID Connect.
			ClientID: "photos-web", ClientSecret: photosWebSecret, Name: "Photos", FirstParty: true,
			RedirectURIs:           []string{s.PhotosURL + "/callback"},
			PostLogoutRedirectURIs: []string{s.PhotosURL + "/"},
			GrantTypes:             []string{"authorization_code", "refresh_token"},
			Scopes:                 []string{"openid", "profile"},
		},
		{
			// The README's curl walkthrough (readme_test.go), with the demo secret it prints.
			ClientID: "curl", ClientSecret: "curl-demo-secret", Name: "Your terminal (curl)",
			RedirectURIs: []string{s.AuthURL + "/code"},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read"},
		},
		{
			// The photo kiosk (printing kiosk): the device authorization grant, RFC 8628.
			ClientID: "kiosk", Name: "PrintShop photo kiosk", RedirectURIs: []string{},
			GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"},
			Scopes:     []string{"photos.read"},
		},
		{
			// The test itself, to call the Photos API directly.
			ClientID: "e2e-client", ClientSecret: s.TestClientSecret, Name: "End-to-end test",
			RedirectURIs: []string{testClientRedirect},
			GrantTypes:   []string{"authorization_code"},
			Scopes:       []string{"photos.read"},
		},
	}
	if opts.Clients != nil {
		clients = opts.Clients(s, clients)
	}
	clientsFile := filepath.Join(dir, "clients.json")
	data, err := json.MarshalIndent(clients, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(clientsFile, data, 0o600); err != nil {
		t.Fatal(err)
	}

	tokenCheck := opts.TokenCheck
	if tokenCheck == "" {
		tokenCheck = "jwt"
	}
	env := map[string]map[string]string{
		"authserver": {
			"AUTHSERVER_ADDR":         "127.0.0.1:" + authPort,
			"AUTHSERVER_PUBLIC_URL":   s.AuthURL,
			"AUTHSERVER_AUDIENCE":     s.PhotosURL,
			"AUTHSERVER_CLIENTS_FILE": clientsFile,
			"AUTHSERVER_DB":           filepath.Join(dir, "authserver.db"),
		},
		"photos": {
			"PHOTOS_ADDR":          "127.0.0.1:" + photosPort,
			"PHOTOS_PUBLIC_URL":    s.PhotosURL,
			"PHOTOS_ISSUER":        s.AuthURL,
			"PHOTOS_DB":            filepath.Join(dir, "photos.db"),
			"PHOTOS_CLIENT_SECRET": photosSecret,
			"PHOTOS_TOKEN_CHECK":   tokenCheck,
			// Photos' web app: its registration at Accounts, and PrintShop for /me's link.
			"PHOTOS_WEB_CLIENT_SECRET": photosWebSecret,
			"PHOTOS_PRINTSHOP_URL":     s.PrintURL,
		},
		"printing": {
			"PRINTING_ADDR":          "127.0.0.1:" + printPort,
			"PRINTING_PUBLIC_URL":    s.PrintURL,
			"PRINTING_ISSUER":        s.AuthURL,
			"PRINTING_PHOTOS_URL":    s.PhotosURL,
			"PRINTING_DB":            s.PrintingDB,
			"PRINTING_CLIENT_SECRET": s.PrintingSecret,
		},
	}
	if opts.AccessTokenTTL != 0 {
		env["authserver"]["AUTHSERVER_ACCESS_TOKEN_TTL"] = opts.AccessTokenTTL.String()
	}
	for k, v := range opts.Env {
		switch {
		case strings.HasPrefix(k, "AUTHSERVER_"):
			env["authserver"][k] = v
		case strings.HasPrefix(k, "PHOTOS_"):
			env["photos"][k] = v
		case strings.HasPrefix(k, "PRINTING_"):
			env["printing"][k] = v
		default:
			t.Fatalf("stackOptions.Env: %s names no service (want an AUTHSERVER_, PHOTOS_ or PRINTING_ prefix)", k)
		}
	}

	procs := make([]*process, 0, len(services))
	for _, name := range services {
		procs = append(procs, startProcess(t, name, dir, env[name]))
	}
	health := map[string]string{"authserver": s.AuthURL, "photos": s.PhotosURL, "printing": s.PrintURL}
	deadline := time.Now().Add(healthTimeout)
	for _, p := range procs {
		waitHealthy(t, p, health[p.name]+"/healthz", deadline)
	}
	s.procs, s.dir, s.env = map[string]*process{}, dir, env
	for _, p := range procs {
		s.procs[p.name] = p
	}
	return s
}

// freePorts finds n distinct free ports on 127.0.0.1, holding each open until all are found.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var ports []string
	var listeners []net.Listener
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, ln)
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ports = append(ports, port)
	}
	return ports
}

// randomString returns 128 random bits, base64url-encoded: for client secrets and PKCE state.
func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// syncBuffer is a bytes.Buffer safe for the copying goroutines of exec.Cmd and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is one running service.
type process struct {
	name   string
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // the exit status, once done is closed
	// stopped is set when a test stopped the process on purpose (faults_test.go).
	stopped bool
}

// startProcess starts the named binary with env added to a copy of the test's environment from
// which every AUTHSERVER_, PHOTOS_ and PRINTING_ variable was removed, so that a developer's
// shell cannot change the test. It stops the process with SIGINT when the test ends, and prints
// its output if the test failed.
func startProcess(t *testing.T, name, dir string, env map[string]string) *process {
	t.Helper()
	p := &process{name: name, output: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(filepath.Join(binDir, name))
	p.cmd.Dir = dir // anything written to a relative path lands in the test's temp folder
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTHSERVER_") && !strings.HasPrefix(kv, "PHOTOS_") && !strings.HasPrefix(kv, "PRINTING_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	// Cleanups run last-registered first: stop the process, then print its complete output.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- output of %s ----\n%s", name, p.output.String())
		}
	})
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop sends SIGINT and waits for a clean exit, killing the process after stopTimeout.
func (p *process) stop(t *testing.T) {
	select {
	case <-p.done:
		// A service that dies mid-test is a bug even if the test did not notice.
		if !t.Failed() && !p.stopped {
			t.Errorf("%s exited before the test ended: %v", p.name, p.err)
		}
		return
	default:
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Logf("%s: SIGINT: %v", p.name, err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s did not exit cleanly after SIGINT: %v", p.name, p.err)
		}
	case <-time.After(stopTimeout):
		t.Errorf("%s did not exit within %s of SIGINT; killed it", p.name, stopTimeout)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// waitHealthy polls url until it answers 200, the process exits, or the deadline passes.
func waitHealthy(t *testing.T, p *process, url string, deadline time.Time) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was healthy: %v", p.name, p.err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s did not answer 200 within %s (last: %v)", p.name, url, healthTimeout, describe(resp, err))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func describe(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// page is one answer the browser received, its body read in full.
type page struct {
	Method string
	URL    *url.URL
	Status int
	Header http.Header
	Body   string
}

// location is the page's Location header, resolved against its URL.
func (p *page) location(t *testing.T) *url.URL {
	t.Helper()
	raw := p.Header.Get("Location")
	if raw == "" {
		t.Fatalf("%s %s: answered %d with no Location header", p.Method, p.URL, p.Status)
	}
	u, err := p.URL.Parse(raw)
	if err != nil {
		t.Fatalf("%s %s: bad Location %q: %v", p.Method, p.URL, raw, err)
	}
	return u
}

// redirect asserts that the page is a 303 See Other and returns where it points.
func (p *page) redirect(t *testing.T) *url.URL {
	t.Helper()
	if p.Status != http.StatusSeeOther {
		t.Fatalf("%s %s: got status %d, want 303 See Other; body:\n%s", p.Method, p.URL, p.Status, excerpt(p.Body))
	}
	return p.location(t)
}

// ok asserts a 200.
func (p *page) ok(t *testing.T) *page {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("%s %s: got status %d, want 200; body:\n%s", p.Method, p.URL, p.Status, excerpt(p.Body))
	}
	return p
}

func excerpt(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// browser is a person's browser: one cookie jar shared by every service (cookies ignore ports),
// redirects never followed on its own so a test can assert each hop, and a record of every
// answer it received.
type browser struct {
	t      *testing.T
	jar    *cookiejar.Jar
	client *http.Client

	mu   sync.Mutex
	seen []*page
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, jar: jar, client: &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// get fetches a URL.
func (b *browser) get(rawURL string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form, as application/x-www-form-urlencoded.
func (b *browser) post(rawURL string, form url.Values) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	p := &page{Method: req.Method, URL: req.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	b.mu.Lock()
	b.seen = append(b.seen, p)
	b.mu.Unlock()
	return p
}

// pagesFrom returns every answer received from the given base URL (scheme://host:port).
func (b *browser) pagesFrom(base string) []*page {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*page
	for _, p := range b.seen {
		if p.URL.Scheme+"://"+p.URL.Host == base {
			out = append(out, p)
		}
	}
	return out
}

// cookie returns the value of the named cookie the jar would send to rawURL.
func (b *browser) cookie(rawURL, name string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// tagPattern matches one start tag; attrPattern one attribute in it.
var (
	tagPattern  = regexp.MustCompile(`(?is)<([a-z][a-z0-9]*)\b([^>]*)>`)
	attrPattern = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

// tag is one HTML start tag with its attributes, values unescaped.
type tag struct {
	Name  string
	Attrs map[string]string
}

func (t tag) has(attr string) bool { _, ok := t.Attrs[attr]; return ok }

// tags lists the start tags of the given element name in an HTML document, in order. The
// pages under test are our own templates, so a regular expression is enough.
func tags(body, name string) []tag {
	var out []tag
	for _, m := range tagPattern.FindAllStringSubmatch(body, -1) {
		if !strings.EqualFold(m[1], name) {
			continue
		}
		tg := tag{Name: strings.ToLower(m[1]), Attrs: map[string]string{}}
		for _, a := range attrPattern.FindAllStringSubmatch(m[2], -1) {
			tg.Attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
		}
		out = append(out, tg)
	}
	return out
}

// inputValue is the value of the first <input name=name> in body.
func inputValue(t *testing.T, p *page, name string) string {
	t.Helper()
	for _, in := range tags(p.Body, "input") {
		if in.Attrs["name"] == name {
			return in.Attrs["value"]
		}
	}
	t.Fatalf("%s %s: no <input name=%q> on the page:\n%s", p.Method, p.URL, name, excerpt(p.Body))
	return ""
}

// formsWithAction lists the <form> start tags whose action is the given path.
func formsWithAction(body, action string) []tag {
	var out []tag
	for _, f := range tags(body, "form") {
		if f.Attrs["action"] == action {
			out = append(out, f)
		}
	}
	return out
}

// authorization is one run of the authorization code flow at Accounts, driven by a browser.
type authorization struct {
	Callback *url.URL // where Accounts sent the browser back: the client's redirect URI
	Consent  *page    // the consent page, if Accounts showed one
}

// authorizeAtAccounts follows the browser through Accounts, starting at an authorization URL:
// it signs in when the login page shows, answers the consent page with decision ("allow" or
// "deny", every offered scope ticked), and stops at the first redirect that leaves Accounts.
func (b *browser) authorizeAtAccounts(s *stack, start, username, password, decision string) authorization {
	t := b.t
	t.Helper()
	var result authorization
	next := b.get(start)
	for range 10 {
		switch {
		case next.Status == http.StatusSeeOther:
			to := next.location(t)
			if to.Scheme+"://"+to.Host != s.AuthURL {
				result.Callback = to
				return result
			}
			next = b.get(to.String())
		case next.Status == http.StatusOK && next.URL.Path == "/code":
			// The curl demo client's redirect URI is a page at Accounts itself.
			result.Callback = next.URL
			return result
		case next.Status == http.StatusOK && next.URL.Path == "/login":
			next = b.post(s.AuthURL+"/login", url.Values{
				"csrf_token": {inputValue(t, next, "csrf_token")},
				"request":    {inputValue(t, next, "request")},
				"username":   {username},
				"password":   {password},
			})
		case next.Status == http.StatusOK && next.URL.Path == "/consent":
			result.Consent = next
			form := url.Values{
				"csrf_token": {inputValue(t, next, "csrf_token")},
				"request":    {inputValue(t, next, "request")},
				"decision":   {decision},
			}
			for _, in := range tags(next.Body, "input") {
				if in.Attrs["type"] == "checkbox" && in.Attrs["name"] == "scope" {
					form.Add("scope", in.Attrs["value"])
				}
			}
			next = b.post(s.AuthURL+"/consent", form)
		default:
			t.Fatalf("%s %s: unexpected answer %d during authorization; body:\n%s", next.Method, next.URL, next.Status, excerpt(next.Body))
		}
	}
	t.Fatalf("authorization at Accounts did not finish within 10 hops (last: %s %s)", next.Method, next.URL)
	return result
}

// testClientToken gets an access token for username for the test itself: a separate browser
// signs in at Accounts and allows, and the code is swapped with PKCE at /token. On a stack the
// harness started, the test has its own client, e2e-client. An external stack has only the demo
// clients, so the test plays the printing client: it authorizes with PrintShop's client_id and
// redirect URI, stops at the redirect instead of following it to PrintShop, and swaps the code
// itself with PKCE and the printing secret.
func testClientToken(t *testing.T, s *stack, username, password string) *oauth2.Token {
	t.Helper()
	clientID, secret, redirect := "e2e-client", s.TestClientSecret, testClientRedirect
	if s.External {
		clientID, secret, redirect = "printing", s.PrintingSecret, s.PrintURL+"/callback"
	}
	conf := &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.AuthURL + "/authorize",
			TokenURL:  s.AuthURL + "/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirect,
		Scopes:      []string{"photos.read"},
	}
	state, verifier := randomString(), oauth2.GenerateVerifier()
	b := newBrowser(t)
	auth := b.authorizeAtAccounts(s, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), username, password, "allow")
	q := auth.Callback.Query()
	if got := auth.Callback.Scheme + "://" + auth.Callback.Host + auth.Callback.Path; got != redirect {
		t.Fatalf("Accounts sent the test's client %s to %s, want %s", clientID, auth.Callback, redirect)
	}
	if q.Get("state") != state || q.Get("iss") != s.AuthURL || q.Get("code") == "" {
		t.Fatalf("the test's authorization response is %s; want a code, state %q and iss %q", auth.Callback, state, s.AuthURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("the test's code exchange (client %s) for %s: %v", clientID, username, err)
	}
	return tok
}

// apiPhoto is one photo as GET /api/photos lists it.
type apiPhoto struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Album  string `json:"album"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// apiGet calls the Photos API with a bearer token and returns the body.
func apiGet(t *testing.T, s *stack, token, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.PhotosURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

// libraryOf lists a user's photos straight from the Photos API, with the test's own access
// token (see testClientToken), which it returns too. On an external stack that token comes from
// the printing client, so Accounts then remembers the user's consent for PrintShop: call
// libraryOf before resetUser when a test needs the consent page.
func libraryOf(t *testing.T, s *stack, username, password string) ([]apiPhoto, *oauth2.Token) {
	t.Helper()
	tok := testClientToken(t, s, username, password)
	resp, body := apiGet(t, s, tok.AccessToken, "/api/photos")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/photos as %s: got status %d, want 200; body: %s", username, resp.StatusCode, body)
	}
	var list struct {
		Photos []apiPhoto `json:"photos"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("GET /api/photos as %s: %v; body: %s", username, err, body)
	}
	if len(list.Photos) == 0 {
		t.Fatalf("GET /api/photos as %s: no photos; the demo library should give every demo user some", username)
	}
	return list.Photos, tok
}

// signInAtPrintShop opens PrintShop's home page and signs in with its login form.
func (b *browser) signInAtPrintShop(s *stack, username, password string) {
	t := b.t
	t.Helper()
	home := b.get(s.PrintURL + "/").ok(t)
	resp := b.post(s.PrintURL+"/login", url.Values{
		"csrf_token": {inputValue(t, home, "csrf_token")},
		"username":   {username},
		"password":   {password},
	})
	if to := resp.redirect(t); to.Scheme+"://"+to.Host != s.PrintURL || to.Path != "/" {
		t.Fatalf("POST /login at PrintShop: redirected to %s, want PrintShop's home", to)
	}
}

// connectPhotos runs "Connect your Photos" at PrintShop for a signed-in browser and returns
// the callback URL Accounts sent the browser to (not yet followed).
func (b *browser) connectPhotos(s *stack, username, password, decision string) authorization {
	b.t.Helper()
	to := b.get(s.PrintURL + "/connect").redirect(b.t)
	return b.authorizeAtAccounts(s, to.String(), username, password, decision)
}

// connection is a row of PrintShop's connections table.
type connection struct {
	AccessToken, RefreshToken string
}

// printingConnection reads the tokens PrintShop holds for username, straight from its
// database; ok is false if it holds none. Guard it with s.hasDatabase: an external stack's
// database is out of reach.
func printingConnection(t *testing.T, s *stack, username string) (conn connection, ok bool) {
	t.Helper()
	if s.PrintingDB == "" {
		t.Fatal("printingConnection: this stack's PrintShop database is out of reach; guard the check with s.hasDatabase")
	}
	db, err := sql.Open("sqlite", "file:"+s.PrintingDB+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT access_token, refresh_token FROM connections WHERE username = ?`, username).
		Scan(&conn.AccessToken, &conn.RefreshToken)
	if errors.Is(err, sql.ErrNoRows) {
		return connection{}, false
	}
	if err != nil {
		t.Fatalf("read PrintShop's connections table: %v", err)
	}
	return conn, true
}

// hasDatabase reports whether the test can read PrintShop's database, and logs which check it
// leaves out when it cannot (an external stack).
func (s *stack) hasDatabase(t *testing.T, check string) bool {
	t.Helper()
	if s.PrintingDB != "" {
		return true
	}
	t.Logf("external stack: not checking %s: that needs PrintShop's database, which only a stack the test starts itself exposes", check)
	return false
}

// checkCookieAttributes checks every Set-Cookie the browser received: a prefixed name per
// service, HttpOnly and SameSite=Lax (CONTRACT.md, "Forms and cookies").
func checkCookieAttributes(t *testing.T, b *browser, s *stack) {
	t.Helper()
	prefixes := map[string]string{s.AuthURL: "accounts_", s.PhotosURL: "photos_", s.PrintURL: "printshop_"}
	for base, prefix := range prefixes {
		for _, p := range b.pagesFrom(base) {
			resp := http.Response{Header: p.Header}
			for _, c := range resp.Cookies() {
				if !strings.HasPrefix(c.Name, prefix) {
					t.Errorf("%s %s set cookie %q, want the prefix %q", p.Method, p.URL, c.Name, prefix)
				}
				if !c.HttpOnly {
					t.Errorf("%s %s set cookie %q without HttpOnly", p.Method, p.URL, c.Name)
				}
				if c.SameSite != http.SameSiteLaxMode {
					t.Errorf("%s %s set cookie %q with SameSite %v, want Lax", p.Method, p.URL, c.Name, c.SameSite)
				}
			}
		}
	}
}

// titlesIn reports which of the titles appear, HTML-escaped, in body.
func titlesIn(body string, photos []apiPhoto) (found, missing []string) {
	for _, p := range photos {
		if strings.Contains(body, html.EscapeString(p.Title)) {
			found = append(found, p.Title)
		} else {
			missing = append(missing, p.Title)
		}
	}
	slices.Sort(found)
	slices.Sort(missing)
	return found, missing
}
