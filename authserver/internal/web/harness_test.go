package web

// The test harness: a real Accounts (real HTTP, real SQLite in a temp dir) with a movable
// clock, a browser with a cookie jar, and helpers that walk the authorization code flow.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/oauth2"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/registry"
	"github.com/valet/authserver/internal/store"
)

// Test clients. Their redirect URIs are never contacted: the test browser stops at the
// redirect back to the client and reads the code from the Location header.
const (
	printingRedirect = "http://localhost:9000/callback"
	publicRedirect   = "http://127.0.0.1:8765/cb?keep=this"
	printingSecret   = "printshop-test-secret"
	otherSecret      = "other-test-secret"
	workerSecret     = "worker: s3cret%/+&=" // characters that must be form-encoded in Basic auth
	photosSecret     = "photos-test-secret"
	photosWebSecret  = "photos-web-test-secret"
	// aliceVerifier is a valid PKCE verifier (43 characters).
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

func testClients() []registry.Client {
	return []registry.Client{
		{ClientID: "printing", ClientSecret: printingSecret, Name: "PrintShop",
			RedirectURIs: []string{printingRedirect},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read", "photos.write"}},
		{ClientID: "other", ClientSecret: otherSecret, Name: "Other App",
			RedirectURIs: []string{"http://localhost:9100/callback"},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read"}},
		{ClientID: "public-app", Name: "Public App",
			RedirectURIs: []string{publicRedirect},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read", "photos.write"}},
		{ClientID: "worker", ClientSecret: workerSecret, Name: "Nightly Worker",
			RedirectURIs: []string{"http://localhost:9200/callback"},
			GrantTypes:   []string{"client_credentials"},
			Scopes:       []string{"photos.read", "photos.write"}},
		{ClientID: "photos", ClientSecret: photosSecret, Name: "Photos (token introspection)",
			RedirectURIs: []string{}, GrantTypes: []string{}, Scopes: []string{}},
		{ClientID: "photos-web", ClientSecret: photosWebSecret, Name: "Photos", FirstParty: true,
			RedirectURIs:           []string{"http://localhost:9002/callback"},
			PostLogoutRedirectURIs: []string{"http://localhost:9002/"},
			GrantTypes:             []string{"authorization_code", "refresh_token"},
			Scopes:                 []string{"openid", "profile", "photos.read", "photos.write", "photos.delete"}},
	}
}

// clock is a settable clock shared by the server and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer collects log output from concurrent requests.
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

// testServer is a running Accounts.
type testServer struct {
	URL     string // the issuer
	Store   *store.Store
	Clock   *clock
	Keys    *keys.Keyring
	Logs    *syncBuffer
	Handler http.Handler
	DBPath  string
}

type serverOption func(*serverOptions)

type serverOptions struct {
	alg       jwa.SignatureAlgorithm
	dbPath    string
	clients   []registry.Client
	accessTTL time.Duration
	scheme    string // "https" pretends the public URL is https (for cookie tests)
	dpopNonce bool   // AUTHSERVER_DPOP_NONCE=true
	configure func(*Config)
}

func withAlg(alg jwa.SignatureAlgorithm) serverOption {
	return func(o *serverOptions) { o.alg = alg }
}
func withDB(path string) serverOption { return func(o *serverOptions) { o.dbPath = path } }
func withClients(c []registry.Client) serverOption {
	return func(o *serverOptions) { o.clients = c }
}
func withHTTPSIssuer() serverOption { return func(o *serverOptions) { o.scheme = "https" } }
func withDPoPNonce() serverOption   { return func(o *serverOptions) { o.dpopNonce = true } }

// withConfig changes the web configuration before the server starts (the attack lab's switches).
func withConfig(f func(*Config)) serverOption { return func(o *serverOptions) { o.configure = f } }

// newTestServer starts Accounts on 127.0.0.1 with a fresh SQLite file in a temp dir.
func newTestServer(t testing.TB, opts ...serverOption) *testServer {
	t.Helper()
	o := serverOptions{alg: jwa.RS256, clients: testClients(), accessTTL: 10 * time.Minute, scheme: "http"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dbPath == "" {
		o.dbPath = filepath.Join(t.TempDir(), "accounts.db")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, o.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := registry.Save(ctx, st, o.clients, registry.DemoUsers(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now().Truncate(time.Second)}
	keyring, err := keys.Open(ctx, st, keys.InUse(o.alg), o.accessTTL+time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := o.scheme + "://" + ln.Addr().String()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	cfg := Config{
		Issuer: issuer, Audience: "http://localhost:9002", SigningAlg: o.alg,
		AccessTokenTTL: o.accessTTL, RefreshTokenTTL: 24 * time.Hour, Now: clk.Now, DPoPNonce: o.dpopNonce,
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	handler, err := NewServer(logger, st, keyring, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{URL: issuer, Store: st, Clock: clk, Keys: keyring, Logs: logs, Handler: handler, DBPath: o.dbPath}
}

// base is where the test talks to the server: always http, even when the issuer says https.
func (s *testServer) base() string {
	return "http://" + strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
}

// browser is a user agent with a cookie jar that follows redirects within Accounts but stops
// at a redirect that leaves it (back to a client), like a test of the front channel needs.
type browser struct {
	t      testing.TB
	srv    *testServer
	client *http.Client
}

func newBrowser(t testing.TB, srv *testServer) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, srv: srv}
	b.client = &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b
}

// page is a response with its body read.
type page struct {
	*http.Response
	Body string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do(http.MethodPost, path, form)
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.srv.base() + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{Response: resp, Body: string(data)}
}

var (
	csrfPattern    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	requestPattern = regexp.MustCompile(`name="request" value="([^"]+)"`)
)

// field returns the value of a hidden input on a page, failing the test if it is missing.
func field(t testing.TB, p page, re *regexp.Regexp) string {
	t.Helper()
	m := re.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("page %s (status %d) has no %s:\n%s", p.Request.URL.Path, p.StatusCode, re, p.Body)
	}
	return m[1]
}

// login submits the login form shown on p.
func (b *browser) login(p page, username, password string) page {
	b.t.Helper()
	form := url.Values{"csrf_token": {field(b.t, p, csrfPattern)}, "username": {username}, "password": {password}}
	if m := requestPattern.FindStringSubmatch(p.Body); m != nil {
		form.Set("request", m[1])
	}
	return b.post("/login", form)
}

// consent submits the consent form shown on p with the decision and the ticked scopes.
func (b *browser) consent(p page, decision string, scopes ...string) page {
	b.t.Helper()
	form := url.Values{"csrf_token": {field(b.t, p, csrfPattern)}, "request": {field(b.t, p, requestPattern)},
		"decision": {decision}, "scope": scopes}
	return b.post("/consent", form)
}

// signIn signs the browser in at Accounts directly.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	p := b.login(b.get("/login"), username, password)
	if p.Request.URL.Path != "/account" {
		b.t.Fatalf("sign-in as %s ended at %s (status %d)", username, p.Request.URL, p.StatusCode)
	}
}

// authParams are the parameters of a good authorization request for the printing client.
func authParams(scope string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {"printing"},
		"redirect_uri":          {printingRedirect},
		"scope":                 {scope},
		"state":                 {"state-" + randomToken()[:8]},
		"code_challenge":        {s256(testVerifier)},
		"code_challenge_method": {"S256"},
	}
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redirectBack returns the Location of a redirect back to the client, failing if p is not one.
func redirectBack(t testing.TB, p page) *url.URL {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther && p.StatusCode != http.StatusFound {
		t.Fatalf("got status %d at %s, want a redirect back to the client; body:\n%s", p.StatusCode, p.Request.URL, p.Body)
	}
	u, err := url.Parse(p.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorize runs the browser through /authorize as username, allowing every scope on the
// consent page if it appears, and returns the redirect back to the client.
func (b *browser) authorize(params url.Values, username, password string) *url.URL {
	b.t.Helper()
	p := b.get("/authorize?" + params.Encode())
	if p.Request.URL.Path == "/login" {
		p = b.login(p, username, password)
	}
	if p.Request.URL.Path == "/consent" {
		scopes := strings.Fields(params.Get("scope"))
		p = b.consent(p, "allow", scopes...)
	}
	return redirectBack(b.t, p)
}

// code runs a full authorization as alice for the printing client and returns the code.
func (b *browser) code(scope string) string {
	b.t.Helper()
	u := b.authorize(authParams(scope), "alice", "wonderland")
	code := u.Query().Get("code")
	if code == "" {
		b.t.Fatalf("no code in %s", u)
	}
	return code
}

// tokenRequest posts a form to an endpoint, optionally with HTTP Basic client credentials.
func tokenRequest(t testing.TB, srv *testServer, path string, form url.Values, clientID, secret string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.base()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if clientID != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &body); err != nil {
			t.Fatalf("POST %s: body is not JSON (status %d): %s", path, resp.StatusCode, data)
		}
	}
	return resp, body
}

// exchange redeems a code for the printing client with x/oauth2, as a real client would.
func exchange(t testing.TB, srv *testServer, code string) *oauth2.Token {
	t.Helper()
	tok, err := printingConfig(srv).Exchange(context.Background(), code, oauth2.VerifierOption(testVerifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func printingConfig(srv *testServer) *oauth2.Config {
	return &oauth2.Config{
		ClientID: "printing", ClientSecret: printingSecret, RedirectURL: printingRedirect,
		Scopes: []string{"photos.read"},
		Endpoint: oauth2.Endpoint{
			AuthURL: srv.base() + "/authorize", TokenURL: srv.base() + "/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// introspect asks /introspect about a token as the printing client, which owns most test
// tokens: refresh tokens are only described to their own client.
func introspect(t testing.TB, srv *testServer, token string) map[string]any {
	t.Helper()
	resp, body := tokenRequest(t, srv, "/introspect", url.Values{"token": {token}}, "printing", printingSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect: got status %d, want 200: %v", resp.StatusCode, body)
	}
	return body
}

// errorCode returns the "error" of an RFC 6749 §5.2 answer.
func errorCode(body map[string]any) string {
	s, _ := body["error"].(string)
	return s
}
