package web

// The test harness: small in-test stand-ins for Accounts (metadata, token, revocation) and
// Photos (the API), a real PrintShop over real HTTP with SQLite in a temp dir, and a browser
// with a cookie jar that stops at redirects leaving PrintShop.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
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

	"github.com/lestrrat-go/jwx/v2/jws"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

const (
	testClientID     = "printing"
	testClientSecret = "printshop-test-secret"
)

// clock is a settable clock shared by PrintShop and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeAccounts is a small authorization server: it issues codes the test asks for, checks PKCE
// and client credentials at /token, rotates refresh tokens, and records what it saw.
type fakeAccounts struct {
	srv    *httptest.Server
	issuer string // what the metadata says; tests may set another to fake a mix-up

	mu            sync.Mutex
	codes         map[string]fakeCode
	refresh       map[string]string // live refresh token → username
	usedRefresh   map[string]int    // how often each refresh token was presented
	revoked       []url.Values      // /revoke requests
	tokenRequests int
	expiresIn     int64  // for new access tokens; 0 means 600
	scope         string // scope granted; "" means photos.read
	refreshError  string // if set, /token answers this error to refresh requests
	down          bool   // if set, every request fails with 503
	photos        *fakePhotos
	n             int
	proofs        []string // DPoP headers of token requests, in order
	// pkceOptional redeems a code issued without challenge with no code_verifier, as Accounts
	// does with AUTHSERVER_INSECURE_PKCE_OPTIONAL (the attack lab).
	pkceOptional  bool
	lastTokenForm url.Values
}

type fakeCode struct {
	challenge, username string
}

func newFakeAccounts(t testing.TB) *fakeAccounts {
	t.Helper()
	a := &fakeAccounts{codes: map[string]fakeCode{}, refresh: map[string]string{}, usedRefresh: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		issuer, down := a.issuer, a.down
		a.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           issuer,
			"authorization_endpoint":           a.srv.URL + "/authorize",
			"token_endpoint":                   a.srv.URL + "/token",
			"revocation_endpoint":              a.srv.URL + "/revoke",
			"code_challenge_methods_supported": []string{"S256"},
			"authorization_response_iss_parameter_supported": true,
		})
	})
	mux.HandleFunc("POST /token", a.handleToken)
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		if !a.clientAuthenticated(w, r) {
			return
		}
		r.ParseForm()
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		a.revoked = append(a.revoked, r.PostForm)
		delete(a.refresh, r.PostForm.Get("token"))
	})
	a.srv = httptest.NewServer(mux)
	a.issuer = a.srv.URL
	t.Cleanup(a.srv.Close)
	return a
}

func (a *fakeAccounts) clientAuthenticated(w http.ResponseWriter, r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok || id != testClientID || secret != url.QueryEscape(testClientSecret) {
		w.Header().Set("WWW-Authenticate", "Basic")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
		return false
	}
	return true
}

// issueCode makes a code for username, bound to the PKCE challenge of a /connect redirect.
func (a *fakeAccounts) issueCode(challenge, username string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	code := fmt.Sprintf("code-%d", a.n)
	a.codes[code] = fakeCode{challenge: challenge, username: username}
	return code
}

func (a *fakeAccounts) handleToken(w http.ResponseWriter, r *http.Request) {
	if !a.clientAuthenticated(w, r) {
		return
	}
	r.ParseForm()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokenRequests++
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json") // RFC 6749 §5.2
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "fake accounts says " + code})
	}
	if a.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var username string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		a.lastTokenForm = r.PostForm
		c, ok := a.codes[r.PostForm.Get("code")]
		delete(a.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		optional := a.pkceOptional && c.challenge == "" && !r.PostForm.Has("code_verifier")
		if !ok || (!optional && base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge) {
			fail("invalid_grant")
			return
		}
		username = c.username
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		a.usedRefresh[rt]++
		user, ok := a.refresh[rt]
		if a.refreshError != "" || !ok {
			fail(cmpOr(a.refreshError, "invalid_grant"))
			return
		}
		delete(a.refresh, rt) // rotation: the presented token is dead
		username = user
	default:
		fail("unsupported_grant_type")
		return
	}
	a.n++
	access, refresh := fmt.Sprintf("access-%s-%d", username, a.n), fmt.Sprintf("refresh-%s-%d", username, a.n)
	a.refresh[refresh] = username
	if a.photos != nil {
		a.photos.allow(access, username)
	}
	tokenType := "Bearer"
	if proof := r.Header.Get("DPoP"); proof != "" {
		// Like Accounts, bind the token to the proof's key (RFC 9449 §5); fakeDPoPKey reads it.
		a.proofs = append(a.proofs, proof)
		tokenType = "DPoP"
		if a.photos != nil {
			a.photos.bind(access, fakeDPoPKey(proof))
		}
	}
	expires := a.expiresIn
	if expires == 0 {
		expires = 600
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "token_type": tokenType, "expires_in": expires,
		"refresh_token": refresh, "scope": cmpOr(a.scope, "photos.read"),
	})
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fakePhotos is a small Photos API: each user has a few photos; only tokens Accounts issued
// (and not revoked by the test) are accepted.
type fakePhotos struct {
	srv *httptest.Server

	mu       sync.Mutex
	tokens   map[string]string // access token → username
	bound    map[string]string // access token → thumbprint of its DPoP key
	proofs   []string          // DPoP headers received, in order
	library  map[string][]photosapi.Photo
	content  map[string][]byte
	requests int
	down     bool
}

func newFakePhotos(t testing.TB) *fakePhotos {
	t.Helper()
	p := &fakePhotos{tokens: map[string]string{}, bound: map[string]string{}, library: map[string][]photosapi.Photo{}, content: map[string][]byte{}}
	for _, user := range []string{"alice", "bob"} {
		for i, title := range []string{"Sunrise over the hills", "Chequered tiles", "Crane at dawn"} {
			id := fmt.Sprintf("p-%s-%d", user, i)
			album := "Holiday"
			if i == 2 {
				album = "Work"
			}
			p.library[user] = append(p.library[user], photosapi.Photo{ID: id, Title: user + ": " + title, Album: album,
				Width: 160, Height: 120, TakenAt: time.Date(2026, 1, i+1, 10, 0, 0, 0, time.UTC)})
			p.content[id] = testJPEG(t, 160, 120, uint8(60*i))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/photos", func(w http.ResponseWriter, r *http.Request) {
		user, ok := p.check(w, r)
		if !ok {
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"photos": p.library[user]})
	})
	mux.HandleFunc("GET /api/photos/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		user, ok := p.check(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		if !strings.HasPrefix(id, "p-"+user+"-") || p.content[id] == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(p.content[id])
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakePhotos) allow(token, user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens[token] = user
}

// reject makes Photos refuse every token issued so far (a revocation it sees at once).
func (p *fakePhotos) reject() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.tokens)
}

func (p *fakePhotos) check(w http.ResponseWriter, r *http.Request) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if p.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return "", false
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	user, ok := p.tokens[token]
	if proof := r.Header.Get("DPoP"); proof != "" {
		p.proofs = append(p.proofs, proof)
	}
	if jkt := p.bound[token]; ok && (jkt != "" || scheme != "Bearer") {
		// A bound token needs the DPoP scheme and a proof from its key (RFC 9449 §7); the
		// proof's other checks are Photos' own tests' business.
		if scheme != "DPoP" || fakeDPoPKey(r.Header.Get("DPoP")) != jkt {
			w.Header().Set("WWW-Authenticate", `Bearer realm="photos", DPoP error="invalid_dpop_proof", error_description="DPoP proof check jkt failed: fake photos"`)
			w.WriteHeader(http.StatusUnauthorized)
			return "", false
		}
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="photos", error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return "", false
	}
	return user, true
}

func (p *fakePhotos) bind(token, jkt string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bound[token] = jkt
}

// fakeDPoPKey is the thumbprint of the public key in a DPoP proof's header, or "".
func fakeDPoPKey(proof string) string {
	msg, err := jws.ParseString(proof)
	if err != nil || len(msg.Signatures()) != 1 || msg.Signatures()[0].ProtectedHeaders().JWK() == nil {
		return ""
	}
	jkt, _ := dpop.Thumbprint(msg.Signatures()[0].ProtectedHeaders().JWK())
	return jkt
}

// testJPEG encodes a small picture in one shade.
func testJPEG(t testing.TB, w, h int, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// printShop is a running PrintShop wired to the fakes.
type printShop struct {
	URL      string
	Store    *store.Store
	Clock    *clock
	Logs     *syncBuffer
	Accounts *fakeAccounts
	Photos   *fakePhotos
	DBPath   string
}

// newPrintShop starts PrintShop against fake Accounts and Photos. Options change the
// configuration before it starts (the attack lab's switches).
func newPrintShop(t testing.TB, opts ...func(*oauth.Config, *Config)) *printShop {
	t.Helper()
	return newPrintShopWith(t, BindingBearer, opts...)
}

// newPrintShopWith starts PrintShop with PRINTING_TOKEN_BINDING=binding, wired as main wires it.
func newPrintShopWith(t testing.TB, binding string, opts ...func(*oauth.Config, *Config)) *printShop {
	t.Helper()
	accounts, photos := newFakeAccounts(t), newFakePhotos(t)
	accounts.photos = photos
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "printing.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, u := range [][2]string{{"alice", "wonderland"}, {"bob", "builder"}} {
		h, _ := bcrypt.GenerateFromPassword([]byte(u[1]), bcrypt.MinCost)
		if err := st.SaveUser(ctx, store.User{Username: u[0], Name: u[0], PasswordHash: string(h)}); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{now: time.Now().Truncate(time.Second)}
	srvURL := "http://printshop.test" // replaced below once the server has a port
	flows := flow.NewRecorder(st, clk.Now)
	recording := &dpop.Transport{Base: &flow.Transport{Base: http.DefaultTransport, Recorder: flows},
		Key: ConnectionKeys(st), Now: clk.Now}
	oauthConfig := oauth.Config{
		Issuer: accounts.srv.URL, AuthServerURL: accounts.srv.URL,
		ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: srvURL + "/callback", Scope: []string{"photos.read"}, Now: clk.Now,
		HTTPClient: &http.Client{Transport: recording, Timeout: 10 * time.Second},
	}
	webConfig := Config{PublicURL: srvURL, Now: clk.Now, PhotosPublicURL: "http://localhost:9002", TokenBinding: binding}
	for _, opt := range opts {
		opt(&oauthConfig, &webConfig)
	}
	client := oauth.NewClient(oauthConfig)
	logs := &syncBuffer{}
	handler, err := NewServer(slog.New(slog.NewTextHandler(logs, nil)), st, client,
		photosapi.New(photos.srv.URL, &http.Client{Transport: recording, Timeout: 10 * time.Second}), flows,
		webConfig)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &printShop{URL: srv.URL, Store: st, Clock: clk, Logs: logs, Accounts: accounts, Photos: photos, DBPath: dbPath}
}

// browser is a user agent with a cookie jar. It stops at a redirect that leaves PrintShop
// (to Accounts), so the test can play Accounts' part.
type browser struct {
	t      testing.TB
	shop   *printShop
	client *http.Client
}

func newBrowser(t testing.TB, shop *printShop) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, shop: shop}
	b.client = &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
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
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.shop.URL+path, body)
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

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf returns the CSRF token on a page.
func csrf(t testing.TB, p page) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no csrf_token on %s (status %d):\n%s", p.Request.URL.Path, p.StatusCode, p.Body)
	}
	return m[1]
}

// signIn signs the browser in to PrintShop.
func (b *browser) signIn(username, password string) {
	b.t.Helper()
	p := b.post("/login", url.Values{"csrf_token": {csrf(b.t, b.get("/"))}, "username": {username}, "password": {password}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "Signed in to PrintShop as") {
		b.t.Fatalf("sign-in as %s: status %d at %s", username, p.StatusCode, p.Request.URL)
	}
}

// startConnect clicks "Connect your Photos" and returns the authorization request PrintShop
// sent the browser to.
func (b *browser) startConnect() url.Values {
	b.t.Helper()
	p := b.get("/connect")
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("GET /connect: got status %d, want 303 to Accounts:\n%s", p.StatusCode, p.Body)
	}
	u, err := url.Parse(p.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.Query()
}

// callback returns the browser to PrintShop's redirect URI with the given answer.
func (b *browser) callback(answer url.Values) page {
	b.t.Helper()
	return b.get("/callback?" + answer.Encode())
}

// connect runs the whole connect flow as username, with Accounts granting photos.read.
func (b *browser) connect(username string) page {
	b.t.Helper()
	req := b.startConnect()
	code := b.shop.Accounts.issueCode(req.Get("code_challenge"), username)
	return b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {b.shop.Accounts.srv.URL}})
}

// syncBuffer collects the log of concurrent requests.
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
