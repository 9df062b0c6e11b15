package web

// Tests of PrintShop's pages: the session cookie, CSRF on every form, the gallery and its
// thumbnails, and the pages shown when Accounts or Photos is down.

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/valet/printing/internal/store"
)

// pagesSeen is one response the browser received, as it arrived.
type pagesSeen struct {
	url    string
	status int
	header http.Header
	body   string
}

// pagesRecorder is the browser's transport: it keeps every response, including the redirects
// the client follows on its own, with their headers and bodies.
type pagesRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []pagesSeen
}

func (r *pagesRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, pagesSeen{url: req.URL.String(), status: resp.StatusCode, header: resp.Header.Clone(), body: string(body)})
	return resp, nil
}

func (r *pagesRecorder) all() []pagesSeen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pagesSeen(nil), r.seen...)
}

// pagesRecord makes the browser record every response from now on.
func pagesRecord(b *browser) *pagesRecorder {
	r := &pagesRecorder{next: http.DefaultTransport}
	b.client.Transport = r
	return r
}

func pagesURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pagesSessionCookie returns the printshop_session cookie set by a response, if any.
func pagesSessionCookie(h http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

// pagesSignedIn reports whether the page shows the browser signed in.
func pagesSignedIn(p page) bool { return strings.Contains(p.Body, "Signed in to PrintShop as") }

// The contract's cookie rules: printshop_session, HttpOnly and SameSite=Lax always, Secure only
// for an https public URL; and the issue's: its id changes at login (against session fixation).
func TestPagesSessionCookieHttpOnlyLaxNewAtLogin(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	rec := pagesRecord(b)
	home := b.get("/")
	anonymous := pagesSessionCookie(home.Header)
	if anonymous == nil {
		t.Fatalf("GET / set no %s cookie", sessionCookie)
	}
	b.post("/login", url.Values{"csrf_token": {csrf(t, home)}, "username": {"alice"}, "password": {"wonderland"}})

	var login *http.Cookie
	for _, s := range rec.all() {
		if strings.HasSuffix(s.url, "/login") {
			login = pagesSessionCookie(s.header)
		}
	}
	if login == nil {
		t.Fatal("the login answer set no session cookie")
	}
	for _, c := range []*http.Cookie{anonymous, login} {
		if !c.HttpOnly {
			t.Errorf("cookie %s is not HttpOnly", c.Name)
		}
		if c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: SameSite %v, want Lax", c.Name, c.SameSite)
		}
		if c.Secure {
			t.Errorf("cookie %s is Secure on an http public URL", c.Name)
		}
	}
	if login.Value == anonymous.Value {
		t.Error("the session id did not change at login")
	}

	// The id from before login does not carry the signed-in session.
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(pagesURL(t, shop.URL), []*http.Cookie{{Name: sessionCookie, Value: anonymous.Value}})
	planted := newBrowser(t, shop)
	planted.client.Jar = jar
	if p := planted.get("/"); pagesSignedIn(p) {
		t.Error("the session id from before login is signed in")
	}
	if p := b.get("/"); !pagesSignedIn(p) {
		t.Error("the browser that signed in is not signed in")
	}
}

// The contract: every form posts a hidden csrf_token bound to the browser session. Each of
// PrintShop's forms refuses a token that is missing, empty, wrong, another session's, or the
// session's own from before login, and does nothing.
func TestPagesCSRFOnEveryForm(t *testing.T) {
	type env struct {
		shop        *printShop
		alice       *browser // signed in and connected
		anon        *browser // not signed in
		beforeLogin string   // alice's token before she signed in
		other       string   // another browser's token
	}
	forms := []struct {
		name string
		// post submits the form, otherwise valid, with the given token (nil: no csrf_token).
		post func(e env, token []string) page
		// unchanged checks that the form did nothing.
		unchanged func(t *testing.T, e env)
	}{
		{"login", func(e env, token []string) page {
			return e.anon.post("/login", url.Values{"csrf_token": token, "username": {"bob"}, "password": {"builder"}})
		}, func(t *testing.T, e env) {
			if pagesSignedIn(e.anon.get("/")) {
				t.Error("the login form signed the browser in")
			}
		}},
		{"logout", func(e env, token []string) page {
			return e.alice.post("/logout", url.Values{"csrf_token": token})
		}, func(t *testing.T, e env) {
			if !pagesSignedIn(e.alice.get("/")) {
				t.Error("the logout form signed alice out")
			}
		}},
		{"orders", func(e env, token []string) page {
			return e.alice.post("/orders", url.Values{"csrf_token": token, "photo": {"p-alice-0"}, "size": {"4x6"}, "copies": {"1"}})
		}, func(t *testing.T, e env) {
			if orders, err := e.shop.Store.Orders(t.Context(), "alice"); err != nil || len(orders) != 0 {
				t.Errorf("orders: got %d (err %v), want 0", len(orders), err)
			}
		}},
		{"disconnect", func(e env, token []string) page {
			return e.alice.post("/disconnect", url.Values{"csrf_token": token})
		}, func(t *testing.T, e env) {
			if _, ok := callbackConnection(t, e.shop, "alice"); !ok {
				t.Error("the disconnect form forgot alice's tokens")
			}
			if got := len(tokensAccounts(e.shop).revoked); got != 0 {
				t.Errorf("revocations: got %d, want %d", got, 0)
			}
		}},
	}
	tokens := []struct {
		name  string
		token func(e env) []string
		// forLogin says whether the case applies to the login form (whose browser has only
		// an anonymous session).
		forLogin bool
	}{
		{"missing csrf_token", func(env) []string { return nil }, true},
		{"empty csrf_token", func(env) []string { return []string{""} }, true},
		{"wrong csrf_token", func(env) []string { return []string{"not-the-token"} }, true},
		{"another session's csrf_token", func(e env) []string { return []string{e.other} }, true},
		{"the session's csrf_token from before login", func(e env) []string { return []string{e.beforeLogin} }, false},
	}
	for _, form := range forms {
		for _, tok := range tokens {
			if form.name == "login" && !tok.forLogin {
				continue
			}
			t.Run(form.name+"/"+tok.name, func(t *testing.T) {
				shop := newPrintShop(t)
				e := env{shop: shop, alice: newBrowser(t, shop), anon: newBrowser(t, shop)}
				e.beforeLogin = csrf(t, e.alice.get("/"))
				e.alice.signIn("alice", "wonderland")
				if p := e.alice.connect("alice"); p.StatusCode != http.StatusOK {
					t.Fatalf("connect: got status %d", p.StatusCode)
				}
				csrf(t, e.anon.get("/")) // the anonymous browser has a session of its own
				e.other = csrf(t, newBrowser(t, shop).get("/"))

				p := form.post(e, tok.token(e))

				if p.StatusCode != http.StatusForbidden {
					t.Errorf("got status %d, want %d", p.StatusCode, http.StatusForbidden)
				}
				form.unchanged(t, e)
			})
		}
	}
}

var (
	pagesFormPattern      = regexp.MustCompile(`(?s)<form\b.*?</form>`)
	pagesFormCSRFPattern  = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="[^"]+">`)
	pagesFormActionFinder = regexp.MustCompile(`action="([^"]*)"`)
)

// Every form on every page carries a non-empty csrf_token (the contract's "Forms and cookies").
func TestPagesEveryFormCarriesCSRFToken(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	pages := map[string]page{"home, anonymous": b.get("/")}
	b.signIn("alice", "wonderland")
	pages["home, signed in"] = b.get("/")
	b.connect("alice")
	pages["home, connected"] = b.get("/")
	pages["gallery"] = b.get("/photos")
	order := b.post("/orders", url.Values{"csrf_token": {csrf(t, pages["gallery"])}, "photo": {"p-alice-1"}, "size": {"8x10"}, "copies": {"1"}})
	pages["order"] = order
	pages["orders"] = b.get("/orders")
	pages["error page"] = b.get("/no-such-page")

	actions := map[string]bool{}
	for name, p := range pages {
		forms := pagesFormPattern.FindAllString(p.Body, -1)
		if len(forms) == 0 {
			t.Errorf("%s: no form found (status %d)", name, p.StatusCode)
		}
		for _, f := range forms {
			action := pagesFormActionFinder.FindStringSubmatch(f)
			if action != nil {
				actions[action[1]] = true
			}
			if !pagesFormCSRFPattern.MatchString(f) {
				t.Errorf("%s: a form has no csrf_token:\n%s", name, f)
			}
		}
	}
	for _, want := range []string{"/login", "/logout", "/orders", "/disconnect"} {
		if !actions[want] {
			t.Errorf("no page had the %s form", want)
		}
	}
}

// The issue: the gallery shows the user's photos grouped by album, with thumbnails on PrintShop.
func TestPagesGalleryByAlbum(t *testing.T) {
	_, b := tokensConnected(t)
	p := b.get("/photos")
	holiday, work := strings.Index(p.Body, "<h2>Holiday</h2>"), strings.Index(p.Body, "<h2>Work</h2>")
	if holiday < 0 || work < 0 {
		t.Fatalf("the gallery lacks the album headings:\n%s", p.Body)
	}
	inHoliday := func(title string) bool {
		i := strings.Index(p.Body, title)
		return i > holiday && (work < holiday || i < work)
	}
	inWork := func(title string) bool {
		i := strings.Index(p.Body, title)
		return i > work && (holiday < work || i < holiday)
	}
	for _, title := range []string{"alice: Sunrise over the hills", "alice: Chequered tiles"} {
		if !inHoliday(title) {
			t.Errorf("%q is not under Holiday", title)
		}
	}
	if !inWork("alice: Crane at dawn") {
		t.Errorf("%q is not under Work", "alice: Crane at dawn")
	}
	for i := range 3 {
		if want := fmt.Sprintf(`src="/photos/p-alice-%d/thumbnail"`, i); !strings.Contains(p.Body, want) {
			t.Errorf("the gallery lacks %s", want)
		}
	}
}

// The issue: thumbnails are made on the server, and cached in SQLite: a second request does not
// reach Photos.
func TestPagesThumbnailsMadeOnServerAndCached(t *testing.T) {
	shop, b := tokensConnected(t)
	before := tokensPhotosRequests(shop)

	first := b.get("/photos/p-alice-1/thumbnail")
	if first.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want %d:\n%s", first.StatusCode, http.StatusOK, first.Body)
	}
	if ct := first.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q, want image/jpeg", ct)
	}
	img, err := jpeg.Decode(strings.NewReader(first.Body))
	if err != nil {
		t.Fatalf("the thumbnail is not a JPEG: %v", err)
	}
	if b := img.Bounds(); max(b.Dx(), b.Dy()) > thumbnailSize {
		t.Errorf("thumbnail is %v, want it to fit %d px", b.Size(), thumbnailSize)
	}
	shop.Photos.mu.Lock()
	original := string(shop.Photos.content["p-alice-1"])
	shop.Photos.mu.Unlock()
	if first.Body == original {
		t.Error("the thumbnail is Photos' own file, not one PrintShop made")
	}
	if got := tokensPhotosRequests(shop); got != before+1 {
		t.Errorf("Photos requests after the first thumbnail: got %d, want %d", got, before+1)
	}
	if _, err := shop.Store.Thumbnail(t.Context(), "alice", "p-alice-1"); err != nil {
		t.Errorf("the thumbnail is not in SQLite: %v", err)
	}

	second := b.get("/photos/p-alice-1/thumbnail")
	if second.StatusCode != http.StatusOK || second.Body != first.Body {
		t.Errorf("second thumbnail: got status %d, same bytes %v; want %d and the same bytes",
			second.StatusCode, second.Body == first.Body, http.StatusOK)
	}
	if got := tokensPhotosRequests(shop); got != before+1 {
		t.Errorf("Photos requests after the second thumbnail: got %d, want %d (served from the cache)", got, before+1)
	}
}

// The thumbnail cache is per user: bob asking for alice's photo id gets no picture, neither
// from Photos (404, RFC 6750 keeps him to his own) nor from alice's cached copy.
func TestPagesThumbnailCacheIsPerUser(t *testing.T) {
	shop, alice := tokensConnected(t)
	if p := alice.get("/photos/p-alice-0/thumbnail"); p.StatusCode != http.StatusOK {
		t.Fatalf("alice's thumbnail: got status %d", p.StatusCode)
	}
	bob := newBrowser(t, shop)
	bob.signIn("bob", "builder")
	bob.connect("bob")
	p := bob.get("/photos/p-alice-0/thumbnail")
	if p.StatusCode != http.StatusNotFound {
		t.Errorf("bob asking for alice's thumbnail: got status %d, want %d", p.StatusCode, http.StatusNotFound)
	}
	if strings.HasPrefix(p.Header.Get("Content-Type"), "image/") {
		t.Error("bob got a picture of alice's photo")
	}
}

// The issue: Accounts or Photos down gives a clear page naming the service, with a retry link;
// never a bare 500.
func TestPagesServiceDownNamesTheService(t *testing.T) {
	cases := []struct {
		name    string
		service string
		retry   string
		// run brings the shop to the failure and loads the page.
		run func(t *testing.T, shop *printShop, b *browser) page
	}{
		{"Accounts answers 503 at /connect", "Accounts", "/connect", func(t *testing.T, shop *printShop, b *browser) page {
			tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
			return b.get("/connect")
		}},
		{"Accounts unreachable at /connect", "Accounts", "/connect", func(t *testing.T, shop *printShop, b *browser) page {
			shop.Accounts.srv.Close()
			return b.get("/connect")
		}},
		{"Accounts down at the code exchange", "Accounts", "/connect", func(t *testing.T, shop *printShop, b *browser) page {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
			return b.callback(answer)
		}},
		{"Photos down at the gallery", "Photos", "/photos", func(t *testing.T, shop *printShop, b *browser) page {
			b.connect("alice")
			shop.Photos.mu.Lock()
			shop.Photos.down = true
			shop.Photos.mu.Unlock()
			return b.get("/photos")
		}},
		{"Photos down at a thumbnail", "Photos", "/photos/p-alice-2/thumbnail", func(t *testing.T, shop *printShop, b *browser) page {
			b.connect("alice")
			shop.Photos.mu.Lock()
			shop.Photos.down = true
			shop.Photos.mu.Unlock()
			return b.get("/photos/p-alice-2/thumbnail")
		}},
		{"Photos unreachable at the gallery", "Photos", "/photos", func(t *testing.T, shop *printShop, b *browser) page {
			b.connect("alice")
			shop.Photos.srv.Close()
			return b.get("/photos")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := callbackSignedIn(t)
			p := tc.run(t, shop, b)
			if p.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("got status %d, want %d", p.StatusCode, http.StatusServiceUnavailable)
			}
			if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want an HTML page", ct)
			}
			if !strings.Contains(p.Body, tc.service+" is not answering") {
				t.Errorf("the page does not say %s is down:\n%s", tc.service, p.Body)
			}
			if m := tokensRetryLink.FindStringSubmatch(p.Body); m == nil || m[1] != tc.retry {
				t.Errorf("retry link %v, want %q", m, tc.retry)
			}
		})
	}
}

// Unknown pages and methods are PrintShop pages, not bare errors.
func TestPagesErrorsArePages(t *testing.T) {
	shop, b := callbackSignedIn(t)
	cases := []struct {
		name   string
		method string
		path   string
		want   int
	}{
		{"unknown path", http.MethodGet, "/no-such-page", http.StatusNotFound},
		{"wrong method", http.MethodPost, "/photos", http.StatusMethodNotAllowed},
		{"order id that is not a number", http.MethodGet, "/orders/abc", http.StatusNotFound},
		{"order form not form-encoded", http.MethodPost, "/orders", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, shop.URL+tc.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.want)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !bytes.Contains(body, []byte("PrintShop home")) {
				t.Errorf("not a PrintShop page (Content-Type %q):\n%s", ct, body)
			}
		})
	}
}

// Pages for a signed-in user send a browser that is not signed in to the sign-in form.
func TestPagesRequireSignIn(t *testing.T) {
	shop := newPrintShop(t)
	for _, path := range []string{"/photos", "/photos/p-alice-0/thumbnail", "/orders", "/orders/1", "/orders/1/proof.jpg", "/connect"} {
		t.Run(path, func(t *testing.T) {
			p := newBrowser(t, shop).get(path)
			if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/" || !strings.Contains(p.Body, `name="password"`) {
				t.Errorf("got %d at %s, want the sign-in form", p.StatusCode, p.Request.URL)
			}
		})
	}
}

// A wrong password or an unknown user is refused, with the same message.
func TestPagesLoginRefusesWrongPassword(t *testing.T) {
	shop := newPrintShop(t)
	for _, creds := range [][2]string{{"alice", "builder"}, {"mallory", "wonderland"}, {"alice", ""}} {
		t.Run(creds[0]+"/"+creds[1], func(t *testing.T) {
			b := newBrowser(t, shop)
			p := b.post("/login", url.Values{"csrf_token": {csrf(t, b.get("/"))}, "username": {creds[0]}, "password": {creds[1]}})
			if p.StatusCode != http.StatusUnauthorized {
				t.Errorf("got status %d, want %d", p.StatusCode, http.StatusUnauthorized)
			}
			if !strings.Contains(p.Body, "Wrong username or password") || pagesSignedIn(b.get("/")) {
				t.Error("the wrong password was not refused plainly")
			}
		})
	}
}

// Signing out of PrintShop ends the session and its cookie, but the tokens belong to the
// account: they stay, and the next sign-in finds Photos still connected.
func TestPagesLogoutKeepsTheConnection(t *testing.T) {
	shop, b := tokensConnected(t)
	p := b.post("/logout", url.Values{"csrf_token": {csrf(t, b.get("/"))}})
	if p.StatusCode != http.StatusOK || pagesSignedIn(p) {
		t.Fatalf("logout: got %d, signed in %v", p.StatusCode, pagesSignedIn(p))
	}
	if g := b.get("/photos"); g.Request.URL.Path != "/" {
		t.Errorf("after logout, /photos ended at %s, want the sign-in form", g.Request.URL.Path)
	}
	if _, err := shop.Store.Connection(t.Context(), "alice"); errors.Is(err, store.ErrNotFound) {
		t.Error("logout forgot alice's connection")
	}
	b.signIn("alice", "wonderland")
	tokensGallery(t, b)
}

// /healthz answers 200 without asking Accounts or Photos.
func TestPagesHealthz(t *testing.T) {
	shop := newPrintShop(t)
	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
	p := newBrowser(t, shop).get("/healthz")
	if p.StatusCode != http.StatusOK {
		t.Errorf("got status %d, want %d", p.StatusCode, http.StatusOK)
	}
}
