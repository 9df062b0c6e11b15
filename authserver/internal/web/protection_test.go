package web

// Browser protection at Accounts: a CSRF token on every form, headers that forbid framing and
// Referer leaks, the session cookie's attributes, a new session id at login (no session
// fixation), and no open redirect anywhere.

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

// protectionRaw sends one request to Accounts without a cookie jar and without following
// redirects, with cookie (when not empty) as the accounts_session cookie.
func protectionRaw(t *testing.T, srv *testServer, method, path, cookie string, form url.Values) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, srv.base()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{Response: resp, Body: string(data)}
}

// protectionSetCookie returns the accounts_session cookie a response sets, failing if none.
func protectionSetCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("%s %s (status %d) set no %s cookie; Set-Cookie: %q",
		resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, sessionCookie, resp.Header.Values("Set-Cookie"))
	return nil
}

// protectionJarSession returns the accounts_session value in b's cookie jar, or "".
func protectionJarSession(t *testing.T, b *browser) string {
	t.Helper()
	u, err := url.Parse(b.srv.base())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

// protectionSignedIn reports whether b is signed in: /account answers instead of sending it to
// /login.
func protectionSignedIn(t *testing.T, b *browser) bool {
	t.Helper()
	p := b.get("/account")
	return p.StatusCode == http.StatusOK && p.Request.URL.Path == "/account"
}

// TestProtectionCSRF checks that every state-changing form refuses a POST whose csrf_token is
// missing or belongs to another browser's session, and does nothing. Contract, "Forms and
// cookies": "Every form ... posts a hidden csrf_token bound to the browser session" (RFC 6749
// §10.12, RFC 6819 §4.4.1.8). The last subtest submits the same form with the browser's own
// token, to show that the refusals were about the token and nothing else.
func TestProtectionCSRF(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		path string
		// otherSignedIn: the other browser, whose token is stolen, is signed in as alice too.
		otherSignedIn bool
		// prepare brings b to where the form is submitted. It returns the form without its
		// csrf_token, and a page of b's that shows b's own token.
		prepare func(t *testing.T, srv *testServer, b *browser) (url.Values, string)
		// done reports whether the form took effect.
		done func(t *testing.T, srv *testServer, b *browser) bool
	}{
		{
			name: "POST /login signs in only with the session's csrf_token (RFC 6749 §10.12, login CSRF)",
			path: "/login",
			prepare: func(t *testing.T, srv *testServer, b *browser) (url.Values, string) {
				b.get("/login")
				return url.Values{"username": {"alice"}, "password": {"wonderland"}}, "/login"
			},
			done: func(t *testing.T, srv *testServer, b *browser) bool { return protectionSignedIn(t, b) },
		},
		{
			name:          "POST /consent grants only with the session's csrf_token (RFC 6749 §10.12)",
			path:          "/consent",
			otherSignedIn: true,
			prepare: func(t *testing.T, srv *testServer, b *browser) (url.Values, string) {
				p := b.login(b.get("/authorize?"+authParams("photos.read").Encode()), "alice", "wonderland")
				if p.Request.URL.Path != "/consent" {
					t.Fatalf("got page %s (status %d), want the consent page", p.Request.URL.Path, p.StatusCode)
				}
				id := field(t, p, requestPattern)
				return url.Values{"request": {id}, "decision": {"allow"}, "scope": {"photos.read"}},
					"/consent?request=" + url.QueryEscape(id)
			},
			done: func(t *testing.T, srv *testServer, b *browser) bool {
				scope, err := srv.Store.Consent(ctx, "alice", "printing")
				if err != nil {
					t.Fatal(err)
				}
				return len(scope) > 0
			},
		},
		{
			name:          "POST /account/revoke revokes only with the session's csrf_token (contract: Forms and cookies)",
			path:          "/account/revoke",
			otherSignedIn: true,
			prepare: func(t *testing.T, srv *testServer, b *browser) (url.Values, string) {
				b.code("photos.read")
				return url.Values{"client_id": {"printing"}}, "/account"
			},
			done: func(t *testing.T, srv *testServer, b *browser) bool {
				apps, err := srv.Store.ConnectedApps(ctx, "alice")
				if err != nil {
					t.Fatal(err)
				}
				return !slices.ContainsFunc(apps, func(a store.ConnectedApp) bool { return a.ClientID == "printing" })
			},
		},
		{
			name:          "POST /logout signs out only with the session's csrf_token (contract: Forms and cookies)",
			path:          "/logout",
			otherSignedIn: true,
			prepare: func(t *testing.T, srv *testServer, b *browser) (url.Values, string) {
				b.signIn("alice", "wonderland")
				return url.Values{}, "/account"
			},
			done: func(t *testing.T, srv *testServer, b *browser) bool { return !protectionSignedIn(t, b) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			t.Run("missing csrf_token is refused with 403 and no effect", func(t *testing.T) {
				b := newBrowser(t, srv)
				form, _ := tc.prepare(t, srv, b)
				p := b.post(tc.path, form)
				if p.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s without csrf_token: got status %d, want %d", tc.path, p.StatusCode, http.StatusForbidden)
				}
				if tc.done(t, srv, b) {
					t.Errorf("POST %s without csrf_token took effect", tc.path)
				}
			})
			t.Run("another browser's csrf_token is refused with 403 and no effect", func(t *testing.T) {
				b := newBrowser(t, srv)
				form, _ := tc.prepare(t, srv, b)
				other := newBrowser(t, srv)
				otherPage := "/login"
				if tc.otherSignedIn {
					other.signIn("alice", "wonderland")
					otherPage = "/account"
				}
				form.Set("csrf_token", field(t, other.get(otherPage), csrfPattern))
				p := b.post(tc.path, form)
				if p.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s with another session's csrf_token: got status %d, want %d", tc.path, p.StatusCode, http.StatusForbidden)
				}
				if tc.done(t, srv, b) {
					t.Errorf("POST %s with another session's csrf_token took effect", tc.path)
				}
			})
			t.Run("own csrf_token is accepted (control)", func(t *testing.T) {
				b := newBrowser(t, srv)
				form, tokenPage := tc.prepare(t, srv, b)
				form.Set("csrf_token", field(t, b.get(tokenPage), csrfPattern))
				p := b.post(tc.path, form)
				if p.StatusCode == http.StatusForbidden {
					t.Fatalf("POST %s with the session's own csrf_token: got status %d, want it accepted:\n%s", tc.path, p.StatusCode, p.Body)
				}
				if !tc.done(t, srv, b) {
					t.Errorf("POST %s with the session's own csrf_token took no effect (status %d)", tc.path, p.StatusCode)
				}
			})
		})
	}
}

// TestProtectionSecurityHeaders checks that every answer, HTML page or JSON, forbids framing
// and Referer leaks. RFC 6749 §10.13 (clickjacking) asks for X-Frame-Options or CSP
// frame-ancestors on the authorization pages; RFC 9700 §4.2.4 asks for Referrer-Policy so that
// a code or state in a URL does not leak to another site.
func TestProtectionSecurityHeaders(t *testing.T) {
	srv := newTestServer(t)
	anon := newBrowser(t, srv)
	alice := newBrowser(t, srv)
	alice.signIn("alice", "wonderland")
	consent := newBrowser(t, srv)
	consentPage := consent.login(consent.get("/authorize?"+authParams("photos.read").Encode()), "alice", "wonderland")
	access, _ := protectionClientCredentials(t, srv)

	cases := []struct {
		name       string
		do         func() *http.Response
		wantStatus int
		wantType   string // Content-Type prefix; "" to skip
	}{
		{"home page /", func() *http.Response { return anon.get("/").Response }, 200, "text/html"},
		{"login page /login", func() *http.Response { return anon.get("/login").Response }, 200, "text/html"},
		{"consent page /consent?request=... (RFC 6749 §10.13)", func() *http.Response { return consentPage.Response }, 200, "text/html"},
		{"account page /account", func() *http.Response { return alice.get("/account").Response }, 200, "text/html"},
		{"authorize error page for an unknown client (RFC 6749 §4.1.2.1)", func() *http.Response {
			return anon.get("/authorize?client_id=nobody&redirect_uri=" + url.QueryEscape(printingRedirect)).Response
		}, 400, "text/html"},
		{"404 page", func() *http.Response { return anon.get("/no-such-page").Response }, 404, "text/html"},
		{"403 form error page", func() *http.Response { return alice.post("/logout", url.Values{}).Response }, 403, "text/html"},
		{"token error JSON (RFC 6749 §5.2)", func() *http.Response {
			resp, _ := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"password"}}, "printing", printingSecret)
			return resp
		}, 400, "application/json"},
		{"token response JSON (RFC 6749 §5.1)", func() *http.Response {
			resp, _ := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret)
			return resp
		}, 200, "application/json"},
		{"405 at GET /token", func() *http.Response { return anon.get("/token").Response }, 405, "application/json"},
		{"introspection JSON (RFC 7662 §2.2)", func() *http.Response {
			resp, _ := tokenRequest(t, srv, "/introspect", url.Values{"token": {access}}, "photos", photosSecret)
			return resp
		}, 200, "application/json"},
		{"revocation (RFC 7009 §2.2)", func() *http.Response {
			resp, _ := tokenRequest(t, srv, "/revoke", url.Values{"token": {"unknown"}}, "printing", printingSecret)
			return resp
		}, 200, ""},
		{"userinfo error JSON (RFC 6750 §3)", func() *http.Response { return anon.get("/userinfo").Response }, 401, "application/json"},
		{"metadata JSON (RFC 8414 §3)", func() *http.Response { return anon.get("/.well-known/oauth-authorization-server").Response }, 200, "application/json"},
		{"JWKS JSON (RFC 7517 §5)", func() *http.Response { return anon.get("/.well-known/jwks.json").Response }, 200, "application/json"},
		{"health check", func() *http.Response { return anon.get("/healthz").Response }, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.do()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); tc.wantType != "" && !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("got Content-Type %q, want %s", ct, tc.wantType)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("got Content-Security-Policy %q, want it to contain frame-ancestors 'none' (RFC 6749 §10.13)", csp)
			}
			if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("got X-Frame-Options %q, want DENY (RFC 6749 §10.13)", got)
			}
			if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("got Referrer-Policy %q, want no-referrer (RFC 9700 §4.2.4)", got)
			}
		})
	}
}

// protectionClientCredentials gets an access token for the worker client.
func protectionClientCredentials(t *testing.T, srv *testServer) (string, map[string]any) {
	t.Helper()
	resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}}, "worker", workerSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("client_credentials: got status %d, want 200: %v", resp.StatusCode, body)
	}
	access, _ := body["access_token"].(string)
	return access, body
}

// protectionCheckCookie checks the attributes the contract asks of the session cookie.
func protectionCheckCookie(t *testing.T, when string, c *http.Cookie, wantSecure bool) {
	t.Helper()
	if c.Name != "accounts_session" {
		t.Errorf("%s: got cookie name %q, want accounts_session (contract: the accounts_ prefix)", when, c.Name)
	}
	if !c.HttpOnly {
		t.Errorf("%s: cookie is not HttpOnly (contract: HttpOnly always)", when)
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("%s: got SameSite %v, want Lax (contract: SameSite=Lax always)", when, c.SameSite)
	}
	if c.Path != "/" {
		t.Errorf("%s: got Path %q, want /", when, c.Path)
	}
	if c.Secure != wantSecure {
		t.Errorf("%s: got Secure %v, want %v (contract: Secure when the public URL is https)", when, c.Secure, wantSecure)
	}
	if c.Value == "" {
		t.Errorf("%s: the cookie has no value", when)
	}
}

// TestProtectionSessionCookie checks the session cookie's attributes on the first visit and at
// login, for an http and an https issuer, and that login replaces the session id so that the
// value from before login is worthless afterwards (session fixation: RFC 6819 §4.4.1.8 and
// OWASP Session Management Cheat Sheet, "Renew the Session ID After Any Privilege Level
// Change"). The test talks plain http to both servers; the https one only believes it is https.
func TestProtectionSessionCookie(t *testing.T) {
	cases := []struct {
		name       string
		opts       []serverOption
		wantSecure bool
	}{
		{"http issuer: HttpOnly, SameSite=Lax, Path=/, no Secure (contract: Forms and cookies)", nil, false},
		{"https issuer: HttpOnly, SameSite=Lax, Path=/, Secure (contract: Secure when the public URL is https)", []serverOption{withHTTPSIssuer()}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, tc.opts...)
			first := protectionRaw(t, srv, http.MethodGet, "/login", "", nil)
			before := protectionSetCookie(t, first.Response)
			protectionCheckCookie(t, "first visit", before, tc.wantSecure)

			login := protectionRaw(t, srv, http.MethodPost, "/login", before.Value, url.Values{
				"csrf_token": {field(t, first, csrfPattern)}, "username": {"alice"}, "password": {"wonderland"},
			})
			if login.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: got status %d, want %d:\n%s", login.StatusCode, http.StatusSeeOther, login.Body)
			}
			after := protectionSetCookie(t, login.Response)
			protectionCheckCookie(t, "login", after, tc.wantSecure)
			if after.Value == before.Value {
				t.Fatalf("login kept the session id %q; it must change at login (session fixation)", before.Value)
			}
			if p := protectionRaw(t, srv, http.MethodGet, "/account", before.Value, nil); p.StatusCode == http.StatusOK {
				t.Errorf("/account with the pre-login session id: got status %d, want a redirect to /login (session fixation)", p.StatusCode)
			} else if loc := p.Header.Get("Location"); loc != "/login" {
				t.Errorf("/account with the pre-login session id: got Location %q, want /login", loc)
			}
			if p := protectionRaw(t, srv, http.MethodGet, "/account", after.Value, nil); p.StatusCode != http.StatusOK {
				t.Errorf("/account with the new session id: got status %d, want %d", p.StatusCode, http.StatusOK)
			}
		})
	}
}

// TestProtectionSessionFixation plays the attack: an attacker starts a session, plants its id
// in the victim's browser, and waits for the victim to sign in. After the login the attacker's
// id must not be signed in, and the CSRF token the attacker saw must no longer be accepted
// (RFC 6819 §4.4.1.8; OWASP Session Fixation).
func TestProtectionSessionFixation(t *testing.T) {
	srv := newTestServer(t)
	attacker := newBrowser(t, srv)
	attackerLogin := attacker.get("/login")
	planted := protectionJarSession(t, attacker)
	plantedCSRF := field(t, attackerLogin, csrfPattern)
	if planted == "" {
		t.Fatal("the login page set no session cookie")
	}

	victim := newBrowser(t, srv)
	u, _ := url.Parse(srv.base())
	victim.client.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
	p := victim.login(victim.get("/login"), "alice", "wonderland")
	if p.Request.URL.Path != "/account" {
		t.Fatalf("victim's login ended at %s (status %d), want /account", p.Request.URL.Path, p.StatusCode)
	}
	if got := protectionJarSession(t, victim); got == planted {
		t.Errorf("the victim's session id after login is the planted one; it must change at login")
	}
	if protectionSignedIn(t, attacker) {
		t.Errorf("the attacker's planted session id is signed in as the victim (session fixation)")
	}
	if p := victim.post("/logout", url.Values{"csrf_token": {plantedCSRF}}); p.StatusCode != http.StatusForbidden {
		t.Errorf("POST /logout with the CSRF token from before login: got status %d, want %d (the token must change at login)", p.StatusCode, http.StatusForbidden)
	}
	if !protectionSignedIn(t, victim) {
		t.Errorf("the victim was signed out by a form carrying the pre-login CSRF token")
	}
}

// protectionRecordLocations makes b remember every Location header it is sent, whether it
// follows the redirect or stops at it.
func protectionRecordLocations(b *browser) *[]string {
	var locations []string
	next := b.client.CheckRedirect
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.Response != nil {
			locations = append(locations, req.Response.Header.Get("Location"))
		}
		return next(req, via)
	}
	return &locations
}

// protectionSafeLocation reports why a Location is not safe, or "" if it is: a path on
// Accounts itself (starting with "/" but not "//" or "/\", which browsers read as another
// host), or one of the redirect URIs registered for the client, with only response parameters
// added to its query (RFC 6749 §3.1.2, RFC 9700 §4.11 open redirectors).
func protectionSafeLocation(location string, registered []string) string {
	if strings.HasPrefix(location, "/") {
		if strings.HasPrefix(location, "//") || strings.HasPrefix(location, `/\`) {
			return "a scheme-relative URL, which leaves Accounts"
		}
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return "not a URL: " + err.Error()
	}
	for _, r := range registered {
		ru, err := url.Parse(r)
		if err != nil {
			continue
		}
		if u.Scheme != ru.Scheme || u.Host != ru.Host || u.Path != ru.Path || u.User != nil || u.Fragment != "" {
			continue
		}
		q := u.Query()
		kept := true
		for name, vs := range ru.Query() {
			if !slices.Equal(q[name][:min(len(vs), len(q[name]))], vs) {
				kept = false
			}
		}
		if kept {
			return ""
		}
	}
	return "neither a path on Accounts nor a redirect URI registered for the client " + strings.Join(registered, " ")
}

// protectionRegistered returns the redirect URIs registered for a test client.
func protectionRegistered(clientID string) []string {
	for _, c := range testClients() {
		if c.ClientID == clientID {
			return c.RedirectURIs
		}
	}
	return nil
}

// TestProtectionNoOpenRedirect collects every Location header Accounts sends, in full flows
// and in crafted requests, and checks that each stays on Accounts or goes to a redirect URI
// registered for the client. RFC 9700 §4.11.1: "Authorization servers SHOULD NOT redirect to
// arbitrary URIs"; RFC 6749 §4.1.2.1: never redirect to an invalid redirection URI.
func TestProtectionNoOpenRedirect(t *testing.T) {
	evilQuery := func(redirectURI string) string {
		p := authParams("photos.read")
		p.Set("redirect_uri", redirectURI)
		return "/authorize?" + p.Encode()
	}
	cases := []struct {
		name     string
		clientID string // whose registered redirect URIs are allowed
		// run drives the browser; it returns how many redirects it expects at least.
		run func(t *testing.T, srv *testServer, b *browser) int
	}{
		{"full flow: authorize, login, consent, code (RFC 6749 §4.1.2)", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			if u := b.authorize(authParams("photos.read"), "alice", "wonderland"); u.Query().Get("code") == "" {
				t.Errorf("no code in %s", u)
			}
			b.code("photos.read") // a second flow, with remembered consent
			return 4
		}},
		{"public client keeps its registered query (RFC 6749 §3.1.2)", "public-app", func(t *testing.T, srv *testServer, b *browser) int {
			p := authParams("photos.read")
			p.Set("client_id", "public-app")
			p.Set("redirect_uri", publicRedirect)
			b.authorize(p, "alice", "wonderland")
			return 3
		}},
		{"consent denied: access_denied at the redirect URI (RFC 6749 §4.1.2.1)", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			p := b.login(b.get("/authorize?"+authParams("photos.read").Encode()), "alice", "wonderland")
			b.consent(p, "deny")
			return 3
		}},
		{"bad scope: invalid_scope at the redirect URI (RFC 6749 §4.1.2.1)", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			b.get("/authorize?" + authParams("photos.delete").Encode())
			return 1
		}},
		{"logout and account revoke stay on Accounts", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			b.code("photos.read")
			b.post("/account/revoke", url.Values{"csrf_token": {field(t, b.get("/account"), csrfPattern)}, "client_id": {"printing"}})
			b.post("/logout", url.Values{"csrf_token": {field(t, b.get("/account"), csrfPattern)}})
			return 5
		}},
		{"login POST with request=https://evil.example", "", func(t *testing.T, srv *testServer, b *browser) int {
			p := b.get("/login")
			b.post("/login", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "username": {"alice"},
				"password": {"wonderland"}, "request": {"https://evil.example"}})
			return 1
		}},
		{"login POST with request=//evil.example", "", func(t *testing.T, srv *testServer, b *browser) int {
			p := b.get("/login")
			b.post("/login", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "username": {"alice"},
				"password": {"wonderland"}, "request": {"//evil.example"}})
			return 1
		}},
		{`login POST with request=/\evil.example`, "", func(t *testing.T, srv *testServer, b *browser) int {
			p := b.get("/login")
			b.post("/login", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "username": {"alice"},
				"password": {"wonderland"}, "request": {`/\evil.example`}})
			return 1
		}},
		{"GET /authorize/continue?request=https://evil.example", "", func(t *testing.T, srv *testServer, b *browser) int {
			b.signIn("alice", "wonderland")
			b.get("/authorize/continue?request=" + url.QueryEscape("https://evil.example"))
			return 0
		}},
		{"GET /consent?request=//evil.example", "", func(t *testing.T, srv *testServer, b *browser) int {
			b.signIn("alice", "wonderland")
			b.get("/consent?request=" + url.QueryEscape("//evil.example"))
			return 0
		}},
		{"GET /login?request=https://evil.example", "", func(t *testing.T, srv *testServer, b *browser) int {
			b.get("/login?request=" + url.QueryEscape("https://evil.example"))
			return 0
		}},
		{"GET /authorize with redirect_uri=https://evil.example (RFC 6749 §4.1.2.1 MUST NOT redirect)", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			// With consent remembered, a redirect URI that were wrongly accepted would get the
			// code at once; with a bad scope, it would get the error.
			b.code("photos.read")
			b.get(evilQuery("https://evil.example"))
			b.get(strings.Replace(evilQuery("https://evil.example"), "scope=photos.read", "scope=photos.delete", 1))
			return 3
		}},
		{"GET /authorize with a redirect_uri that only starts like the registered one (RFC 9700 §4.1.3 exact match)", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			b.code("photos.read")
			for _, evil := range []string{
				printingRedirect + ".evil.example", printingRedirect + "/../../evil", printingRedirect + "?next=https://evil.example",
				"http://localhost:9000@evil.example/callback", "http://localhost:9100/callback",
			} {
				b.get(evilQuery(evil))
			}
			return 3
		}},
		{"GET /authorize with a bad scope and redirect_uri=//evil.example", "printing", func(t *testing.T, srv *testServer, b *browser) int {
			p := authParams("photos.delete")
			p.Set("redirect_uri", "//evil.example")
			b.get("/authorize?" + p.Encode())
			return 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			b := newBrowser(t, srv)
			locations := protectionRecordLocations(b)
			want := tc.run(t, srv, b)
			if len(*locations) < want {
				t.Errorf("got %d redirects, want at least %d: %q", len(*locations), want, *locations)
			}
			for _, loc := range *locations {
				if why := protectionSafeLocation(loc, protectionRegistered(tc.clientID)); why != "" {
					t.Errorf("Location %q is %s (RFC 9700 §4.11: no open redirect)", loc, why)
				}
			}
		})
	}
}
