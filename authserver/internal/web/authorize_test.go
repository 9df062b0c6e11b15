package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 6749 §4.1.2.1 and RFC 9700 §4.1.3: with a missing or unknown client, or a redirect URI
// that does not match exactly, Accounts shows an error page and never redirects.
func TestAuthorizeRefusesWithoutRedirect(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name   string
		change func(url.Values)
		want   string // in the page
	}{
		{"missing client_id (RFC 6749 §4.1.2.1)", func(v url.Values) { v.Del("client_id") }, "no client_id"},
		{"unknown client_id (RFC 6749 §4.1.2.1)", func(v url.Values) { v.Set("client_id", "nobody") }, "No app is registered"},
		{"missing redirect_uri", func(v url.Values) { v.Del("redirect_uri") }, "no redirect_uri"},
		{"redirect_uri of another host (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", "https://attacker.example/callback") }, "not registered"},
		{"redirect_uri with a trailing slash is not exact (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", printingRedirect+"/") }, "not registered"},
		{"redirect_uri with a longer path is not a prefix match (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", printingRedirect+"/../evil") }, "not registered"},
		{"redirect_uri with an added query is not exact (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", printingRedirect+"?x=1") }, "not registered"},
		{"redirect_uri on another port (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", "http://localhost:9001/callback") }, "not registered"},
		{"redirect_uri in other case (RFC 9700 §4.1.3)", func(v url.Values) { v.Set("redirect_uri", "http://LOCALHOST:9000/callback") }, "not registered"},
		{"redirect_uri of another client", func(v url.Values) { v.Set("redirect_uri", "http://localhost:9100/callback") }, "not registered"},
		{"repeated client_id (RFC 6749 §3.1)", func(v url.Values) { v.Add("client_id", "other") }, "repeated"},
		{"repeated redirect_uri (RFC 6749 §3.1)", func(v url.Values) { v.Add("redirect_uri", printingRedirect) }, "repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := authParams("photos.read")
			tc.change(params)
			p := newBrowser(t, srv).get("/authorize?" + params.Encode())
			if p.StatusCode != http.StatusBadRequest {
				t.Fatalf("got status %d, want %d", p.StatusCode, http.StatusBadRequest)
			}
			if loc := p.Header.Get("Location"); loc != "" {
				t.Errorf("got Location %q, want none: never redirect to an unverified URI", loc)
			}
			if !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("got Content-Type %q, want an HTML page", p.Header.Get("Content-Type"))
			}
			if !strings.Contains(p.Body, tc.want) {
				t.Errorf("page does not say %q:\n%s", tc.want, p.Body)
			}
		})
	}
}

// Once the client and redirect URI are verified, errors go back to the client with an RFC 6749
// §4.1.2.1 code, the state echoed, and iss (RFC 9207 §2), before any login.
func TestAuthorizeErrorsRedirectWithStateAndIss(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name     string
		change   func(url.Values)
		wantCode string
		wantDesc string
	}{
		{"missing response_type (RFC 6749 §4.1.1)", func(v url.Values) { v.Del("response_type") }, "invalid_request", "response_type"},
		{"implicit response_type=token is refused (RFC 9700 §2.1.2)", func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type", "implicit"},
		{"unknown response_type (RFC 6749 §4.1.2.1)", func(v url.Values) { v.Set("response_type", "code id_token") }, "unsupported_response_type", "not supported"},
		{"missing code_challenge (RFC 7636 §4.4.1, PKCE required)", func(v url.Values) { v.Del("code_challenge") }, "invalid_request", "code_challenge"},
		{"missing code_challenge_method is refused, not plain (RFC 9700 §2.1.1)", func(v url.Values) { v.Del("code_challenge_method") }, "invalid_request", "code_challenge_method"},
		{"code_challenge_method=plain is refused (RFC 9700 §2.1.1)", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request", "plain"},
		{"malformed code_challenge (RFC 7636 §4.2)", func(v url.Values) { v.Set("code_challenge", "short") }, "invalid_request", "43 characters"},
		{"unknown scope (RFC 6749 §3.3)", func(v url.Values) { v.Set("scope", "photos.read photos.everything") }, "invalid_scope", "photos.everything"},
		{"scope not registered for the client (RFC 6749 §3.3)", func(v url.Values) { v.Set("scope", "photos.read photos.delete") }, "invalid_scope", "not registered"},
		{"missing scope (RFC 6749 §3.3)", func(v url.Values) { v.Del("scope") }, "invalid_scope", "missing"},
		{"repeated parameter (RFC 6749 §3.1)", func(v url.Values) { v.Add("code_challenge", s256("x")) }, "invalid_request", "repeated"},
		{"unsupported prompt (OpenID Connect Core §3.1.2.1)", func(v url.Values) { v.Set("prompt", "select_account") }, "invalid_request", "prompt"},
		{"unsupported response_mode", func(v url.Values) { v.Set("response_mode", "fragment") }, "invalid_request", "response_mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := authParams("photos.read")
			tc.change(params)
			p := newBrowser(t, srv).get("/authorize?" + params.Encode())
			u := redirectBack(t, p)
			if got := u.Scheme + "://" + u.Host + u.Path; got != printingRedirect {
				t.Fatalf("redirected to %s, want the registered %s", got, printingRedirect)
			}
			q := u.Query()
			if q.Get("error") != tc.wantCode {
				t.Errorf("got error %q, want %q", q.Get("error"), tc.wantCode)
			}
			if !strings.Contains(q.Get("error_description"), tc.wantDesc) {
				t.Errorf("error_description %q does not mention %q", q.Get("error_description"), tc.wantDesc)
			}
			if q.Get("state") != params.Get("state") {
				t.Errorf("got state %q, want %q", q.Get("state"), params.Get("state"))
			}
			if q.Get("iss") != srv.URL {
				t.Errorf("got iss %q, want %q (RFC 9207 §2)", q.Get("iss"), srv.URL)
			}
			if q.Has("code") {
				t.Error("an error response carries a code")
			}
		})
	}
}

// A client not registered for the authorization_code grant is unauthorized_client.
func TestAuthorizeUnauthorizedClient(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("photos.read")
	params.Set("client_id", "worker")
	params.Set("redirect_uri", "http://localhost:9200/callback")
	u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
	if got := u.Query().Get("error"); got != "unauthorized_client" {
		t.Errorf("got error %q, want unauthorized_client (RFC 6749 §4.1.2.1)", got)
	}
}

// RFC 6749 §4.1.2: state is returned exactly as sent; RFC 9207 §2: iss is on the success response.
// RFC 6749 §3.1.2: a query in the registered redirect URI is kept.
func TestAuthorizeSuccessEchoesStateByteForByte(t *testing.T) {
	srv := newTestServer(t)
	states := []struct{ name, state string }{
		{"plain", "abc123"},
		{"reserved characters", "a b&c=d/e?f#g+h%20i"},
		{"unicode", "état-✓-日本"},
		{"quotes and angle brackets", `"><script>x</script>`},
	}
	for _, tc := range states {
		t.Run(tc.name, func(t *testing.T) {
			for _, client := range []struct{ id, redirect string }{{"printing", printingRedirect}, {"public-app", publicRedirect}} {
				params := authParams("photos.read")
				params.Set("client_id", client.id)
				params.Set("redirect_uri", client.redirect)
				params.Set("state", tc.state)
				u := newBrowser(t, srv).authorize(params, "alice", "wonderland")
				q := u.Query()
				if q.Get("state") != tc.state {
					t.Errorf("%s: got state %q, want %q", client.id, q.Get("state"), tc.state)
				}
				if q.Get("iss") != srv.URL {
					t.Errorf("%s: got iss %q, want %q", client.id, q.Get("iss"), srv.URL)
				}
				if q.Get("code") == "" {
					t.Errorf("%s: no code in %s", client.id, u)
				}
				if client.id == "public-app" && q.Get("keep") != "this" {
					t.Errorf("the registered query keep=this was dropped: %s", u)
				}
			}
		})
	}
}

// RFC 6749 §4.1.2: without a state in the request there is none in the response.
func TestAuthorizeWithoutStateSendsNone(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("photos.read")
	params.Del("state")
	u := newBrowser(t, srv).authorize(params, "alice", "wonderland")
	if u.Query().Has("state") {
		t.Errorf("got state in %s, want none", u)
	}
}

// The user reaches the login page only after the request is valid, and the request survives it.
func TestAuthorizeSendsAnonymousUserToLoginThenConsent(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.get("/authorize?" + authParams("photos.read").Encode())
	if p.Request.URL.Path != "/login" {
		t.Fatalf("got %s, want the login page", p.Request.URL.Path)
	}
	for _, want := range []string{"PrintShop", printingRedirect, "photos.read", "code_challenge"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("login page side panel does not show %q", want)
		}
	}
	p = b.login(p, "alice", "wonderland")
	if p.Request.URL.Path != "/consent" {
		t.Fatalf("after login got %s, want the consent page", p.Request.URL.Path)
	}
}

// OpenID Connect Core §3.1.2.1: prompt=none must not show a page; it answers login_required or
// consent_required at the redirect URI.
func TestAuthorizePromptNone(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	params := authParams("photos.read")
	params.Set("prompt", "none")
	u := redirectBack(t, b.get("/authorize?"+params.Encode()))
	if got := u.Query().Get("error"); got != "login_required" {
		t.Errorf("signed out: got error %q, want login_required", got)
	}
	b.signIn("alice", "wonderland")
	u = redirectBack(t, b.get("/authorize?"+params.Encode()))
	if got := u.Query().Get("error"); got != "consent_required" {
		t.Errorf("signed in, no consent: got error %q, want consent_required", got)
	}
	b.code("photos.read") // consent once
	u = redirectBack(t, b.get("/authorize?"+params.Encode()))
	if u.Query().Get("code") == "" || u.Query().Get("iss") != srv.URL {
		t.Errorf("signed in with consent: got %s, want a code and iss", u)
	}
}

// A pending request belongs to the browser that made it: another browser cannot continue it.
func TestAuthorizeRequestIsBoundToItsBrowser(t *testing.T) {
	srv := newTestServer(t)
	victim := newBrowser(t, srv)
	p := victim.get("/authorize?" + authParams("photos.read").Encode())
	id := field(t, p, requestPattern)

	attacker := newBrowser(t, srv)
	attacker.signIn("bob", "builder")
	for _, path := range []string{"/authorize/continue?request=" + id, "/consent?request=" + id, "/login?request=" + id} {
		got := attacker.get(path)
		if got.StatusCode != http.StatusBadRequest || !strings.Contains(got.Body, "has ended") {
			t.Errorf("%s from another browser: got status %d, want 400 with the request-ended page", path, got.StatusCode)
		}
	}
}

// A pending request expires after 10 minutes.
func TestAuthorizeRequestExpires(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.get("/authorize?" + authParams("photos.read").Encode())
	srv.Clock.Advance(requestTTL + time.Second)
	p = b.login(p, "alice", "wonderland")
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "has ended") {
		t.Errorf("got status %d at %s, want 400 request ended", p.StatusCode, p.Request.URL)
	}
}

// OpenID Connect Core §3.1.2.1: max_age asks for a sign-in no older than that many seconds.
func TestAuthorizeMaxAge(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	b.code("photos.read") // signed in now, consent remembered
	srv.Clock.Advance(10 * time.Minute)
	tests := []struct {
		name      string
		maxAge    string
		wantLogin bool
	}{
		{"a sign-in older than max_age must be redone", "60", true},
		{"a sign-in within max_age is enough", "3600", false},
		{"max_age=0 always asks", "0", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := authParams("photos.read")
			params.Set("max_age", tc.maxAge)
			p := b.get("/authorize?" + params.Encode())
			if gotLogin := p.Request.URL.Path == "/login"; gotLogin != tc.wantLogin {
				t.Fatalf("login page shown = %v, want %v", gotLogin, tc.wantLogin)
			}
			if tc.wantLogin {
				if u := redirectBack(t, b.login(p, "alice", "wonderland")); u.Query().Get("code") == "" {
					t.Errorf("after the fresh sign-in: got %s, want a code", u)
				}
			}
		})
	}
	params := authParams("photos.read")
	params.Set("max_age", "soon")
	if u := redirectBack(t, b.get("/authorize?"+params.Encode())); u.Query().Get("error") != "invalid_request" {
		t.Errorf("max_age=soon: got %s, want invalid_request", u)
	}
}

// OpenID Connect Core §3.1.2.1: the authorization endpoint accepts POST as well as GET.
func TestAuthorizeByPost(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	p := b.post("/authorize", authParams("photos.read"))
	if p.Request.URL.Path != "/login" {
		t.Fatalf("POST /authorize went to %s (status %d), want the login page", p.Request.URL.Path, p.StatusCode)
	}
	p = b.login(p, "alice", "wonderland")
	u := redirectBack(t, b.consent(p, "allow", "photos.read"))
	if u.Query().Get("code") == "" {
		t.Errorf("got %s, want a code", u)
	}
}

// OpenID Connect Core §6: request objects are refused with request_not_supported, and
// request_uri with request_uri_not_supported, instead of being silently ignored.
func TestAuthorizeRefusesRequestObjects(t *testing.T) {
	srv := newTestServer(t)
	for param, want := range map[string]string{"request": "request_not_supported", "request_uri": "request_uri_not_supported"} {
		params := authParams("photos.read")
		params.Set(param, "eyJhbGciOiJub25lIn0.e30.")
		u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
		if got := u.Query().Get("error"); got != want {
			t.Errorf("%s: got error %q, want %q", param, got, want)
		}
	}
}

// RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted."
func TestAuthorizeEmptyParameterIsOmitted(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("photos.read")
	params.Set("prompt", "")
	params.Set("nonce", "")
	params.Set("max_age", "")
	u := newBrowser(t, srv).authorize(params, "alice", "wonderland")
	if u.Query().Get("code") == "" {
		t.Errorf("empty prompt, nonce and max_age: got %s, want a code", u)
	}
}

// RFC 6749 §10.2: a public client's repeated request is not approved without the user, even
// when the user allowed the same scopes before: anyone can send its client_id.
func TestAuthorizePublicClientAlwaysAsksConsent(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	params := authParams("photos.read")
	params.Set("client_id", "public-app")
	params.Set("redirect_uri", publicRedirect)
	b.authorize(params, "alice", "wonderland")
	if p := b.get("/authorize?" + params.Encode()); p.Request.URL.Path != "/consent" {
		t.Errorf("second request of a public client went to %s, want /consent", p.Request.URL.Path)
	}
}

// An oversized state is refused, and not echoed: the redirect must not carry it back.
func TestAuthorizeOversizedStateIsNotEchoed(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("photos.read")
	params.Set("state", strings.Repeat("s", 100_000))
	p := newBrowser(t, srv).get("/authorize?" + params.Encode())
	u := redirectBack(t, p)
	if u.Query().Get("error") != "invalid_request" || u.Query().Has("state") {
		t.Errorf("got error %q, state of %d bytes; want invalid_request and no state", u.Query().Get("error"), len(u.Query().Get("state")))
	}
	if n := len(p.Header.Get("Location")); n > 4096 {
		t.Errorf("Location is %d bytes, want under 4 KiB", n)
	}
}
