package web

// Tests of "Connect your Photos" and of the redirect URI: state (RFC 6749 §10.12), the issuer
// of the answer (RFC 9207 §2.4), error answers (RFC 6749 §4.1.2.1), the scope granted (RFC 6749
// §3.3), and the metadata PrintShop reads first (RFC 8414 §3.3). Whatever the callback refuses,
// it refuses before any token request.

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/store"
)

// callbackTokenRequests is how many requests the fake Accounts' token endpoint has seen.
func callbackTokenRequests(shop *printShop) int {
	shop.Accounts.mu.Lock()
	defer shop.Accounts.mu.Unlock()
	return shop.Accounts.tokenRequests
}

// callbackAnswer is the answer Accounts would send after the user allowed the request req:
// a code bound to its PKCE challenge, its state, and the right iss.
func callbackAnswer(shop *printShop, req url.Values, username string) url.Values {
	return url.Values{
		"code":  {shop.Accounts.issueCode(req.Get("code_challenge"), username)},
		"state": {req.Get("state")},
		"iss":   {shop.Accounts.srv.URL},
	}
}

// callbackConnection returns the tokens PrintShop holds for username, and whether it holds any.
func callbackConnection(t *testing.T, shop *printShop, username string) (store.Connection, bool) {
	t.Helper()
	conn, err := shop.Store.Connection(t.Context(), username)
	if errors.Is(err, store.ErrNotFound) {
		return store.Connection{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return conn, true
}

// callbackSignedIn is a PrintShop with alice signed in in one browser.
func callbackSignedIn(t *testing.T) (*printShop, *browser) {
	t.Helper()
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	return shop, b
}

// callbackCase prepares an answer and says which browser brings it to /callback.
type callbackCase struct {
	name    string
	prepare func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values)
}

// callbackExpectRefused runs each case and checks the contract's refusal: a 400 HTML page at
// /callback itself, no token request, and the user's tokens as they were.
func callbackExpectRefused(t *testing.T, cases []callbackCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := callbackSignedIn(t)
			from, answer := tc.prepare(t, shop, b)
			before := callbackTokenRequests(shop)
			connBefore, hadConn := callbackConnection(t, shop, "alice")

			p := from.callback(answer)

			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want %d:\n%s", p.StatusCode, http.StatusBadRequest, p.Body)
			}
			if p.Request.URL.Path != "/callback" {
				t.Errorf("the browser ended at %s, want the refusal at /callback", p.Request.URL.Path)
			}
			if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want an HTML page", ct)
			}
			if strings.Contains(p.Body, "You said no") {
				t.Error("the refused answer was acted on as an access_denied answer")
			}
			if got := callbackTokenRequests(shop); got != before {
				t.Errorf("token requests: got %d, want %d (no token request on a refused answer)", got, before)
			}
			connAfter, hasConn := callbackConnection(t, shop, "alice")
			if hasConn != hadConn || connAfter.AccessToken != connBefore.AccessToken || connAfter.RefreshToken != connBefore.RefreshToken {
				t.Errorf("the refused answer changed alice's tokens (had %v, has %v)", hadConn, hasConn)
			}
		})
	}
}

// RFC 6749 §10.12: the client MUST implement CSRF protection for its redirect URI, binding the
// state to the user agent's authenticated state. The contract: a state that is wrong, missing,
// already used or from another browser session gets a 400 page; the issue adds a 10-minute life.
func TestCallbackRefusesBadStateRFC6749Section10_12(t *testing.T) {
	callbackExpectRefused(t, []callbackCase{
		{"wrong state", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			answer.Set("state", answer.Get("state")+"x")
			return b, answer
		}},
		{"state of another attempt's shape but never issued", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			answer.Set("state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
			return b, answer
		}},
		{"missing state", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			answer.Del("state")
			return b, answer
		}},
		{"empty state", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			answer.Set("state", "")
			return b, answer
		}},
		{"state already used", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			req := b.startConnect()
			first := callbackAnswer(shop, req, "alice")
			if p := b.callback(first); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
				t.Fatalf("first use of the state: got %d at %s, want the gallery", p.StatusCode, p.Request.URL.Path)
			}
			// The same state again, with a fresh code so that only the state is at fault.
			return b, callbackAnswer(shop, req, "alice")
		}},
		{"state from another browser session of the same user", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			other := newBrowser(t, shop)
			other.signIn("alice", "wonderland")
			return other, callbackAnswer(shop, b.startConnect(), "alice")
		}},
		{"state from another browser session of another user", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			other := newBrowser(t, shop)
			other.signIn("bob", "builder")
			return other, callbackAnswer(shop, b.startConnect(), "alice")
		}},
		{"state brought by a browser with no session", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			return newBrowser(t, shop), callbackAnswer(shop, b.startConnect(), "alice")
		}},
		{"state older than 10 minutes", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			shop.Clock.Advance(attemptTTL + time.Second)
			return b, answer
		}},
	})
}

// The 10-minute limit is not stricter than it says: an answer just inside it is taken.
func TestCallbackStateWithinTenMinutesAccepted(t *testing.T) {
	shop, b := callbackSignedIn(t)
	answer := callbackAnswer(shop, b.startConnect(), "alice")
	shop.Clock.Advance(attemptTTL - time.Second)
	p := b.callback(answer)
	if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("got %d at %s, want the gallery:\n%s", p.StatusCode, p.Request.URL.Path, p.Body)
	}
}

// RFC 9207 §2.4: the client MUST compare iss with the issuer it sent the request to, and MUST
// reject the response if iss is missing (when the server advertises it) or differs, before
// anything else is done with it. Also the contract's 400 page.
func TestCallbackRefusesMissingOrWrongIssRFC9207Section2_4(t *testing.T) {
	withIss := func(mutate func(shop *printShop, answer url.Values)) func(*testing.T, *printShop, *browser) (*browser, url.Values) {
		return func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			answer := callbackAnswer(shop, b.startConnect(), "alice")
			mutate(shop, answer)
			return b, answer
		}
	}
	callbackExpectRefused(t, []callbackCase{
		{"missing iss", withIss(func(_ *printShop, a url.Values) { a.Del("iss") })},
		{"empty iss", withIss(func(_ *printShop, a url.Values) { a.Set("iss", "") })},
		{"iss of another authorization server", withIss(func(_ *printShop, a url.Values) { a.Set("iss", "https://accounts.evil.example") })},
		{"iss with a trailing slash", withIss(func(shop *printShop, a url.Values) { a.Set("iss", shop.Accounts.srv.URL+"/") })},
		{"iss in another case", withIss(func(shop *printShop, a url.Values) { a.Set("iss", strings.ToUpper(shop.Accounts.srv.URL)) })},
		{"iss given twice, the right one first", withIss(func(_ *printShop, a url.Values) { a.Add("iss", "https://accounts.evil.example") })},
		{"access_denied with a wrong iss", withIss(func(_ *printShop, a url.Values) {
			a.Del("code")
			a.Set("error", "access_denied")
			a.Set("iss", "https://accounts.evil.example")
		})},
		{"access_denied with no iss", withIss(func(_ *printShop, a url.Values) {
			a.Del("code")
			a.Del("iss")
			a.Set("error", "access_denied")
		})},
	})
}

// The state is checked before anything else: an error answer with a bad state is refused, not
// explained.
func TestCallbackChecksStateBeforeTheAnswerRFC6749Section10_12(t *testing.T) {
	callbackExpectRefused(t, []callbackCase{
		{"access_denied with a wrong state", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			b.startConnect()
			return b, url.Values{"error": {"access_denied"}, "state": {"forged"}, "iss": {shop.Accounts.srv.URL}}
		}},
		{"access_denied with no state", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			b.startConnect()
			return b, url.Values{"error": {"access_denied"}, "iss": {shop.Accounts.srv.URL}}
		}},
		{"neither code nor error", func(t *testing.T, shop *printShop, b *browser) (*browser, url.Values) {
			req := b.startConnect()
			return b, url.Values{"state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}}
		}},
	})
}

// RFC 6749 §4.1.2.1: access_denied means the resource owner said no. The issue: a friendly page
// ("You said no"), no token request, nothing stored, and a way to connect again.
func TestCallbackAccessDeniedRFC6749Section4_1_2_1(t *testing.T) {
	shop, b := callbackSignedIn(t)
	req := b.startConnect()
	before := callbackTokenRequests(shop)
	// Accounts' answer when every scope was unticked and Allow pressed: the reason is shown.
	p := b.callback(url.Values{"error": {"access_denied"}, "error_description": {"the user allowed none of the requested scopes"},
		"state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
	if p.StatusCode >= 500 {
		t.Errorf("got status %d, want a friendly page", p.StatusCode)
	}
	for _, want := range []string{"You said no", `href="/connect"`, "Accounts says: the user allowed none of the requested scopes"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the access_denied page lacks %q:\n%s", want, p.Body)
		}
	}
	if got := callbackTokenRequests(shop); got != before {
		t.Errorf("token requests: got %d, want %d", got, before)
	}
	if _, ok := callbackConnection(t, shop, "alice"); ok {
		t.Error("PrintShop stored tokens after access_denied")
	}
}

// RFC 6749 §4.1.2.1: every other error code is explained in plain words, with no token request.
func TestCallbackErrorsExplainedRFC6749Section4_1_2_1(t *testing.T) {
	cases := []struct{ code, words string }{
		{"invalid_request", "malformed"},
		{"unauthorized_client", "does not allow PrintShop"},
		{"unsupported_response_type", "does not support"},
		{"invalid_scope", "permission"},
		{"server_error", "internal error"},
		{"temporarily_unavailable", "busy"},
		{"something_new", "does not know"},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			shop, b := callbackSignedIn(t)
			req := b.startConnect()
			before := callbackTokenRequests(shop)
			p := b.callback(url.Values{"error": {tc.code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
			if p.StatusCode < 400 || p.StatusCode >= 500 {
				t.Errorf("got status %d, want a 4xx page", p.StatusCode)
			}
			for _, want := range []string{tc.words, tc.code, `href="/connect"`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the page lacks %q:\n%s", want, p.Body)
				}
			}
			if strings.Contains(p.Body, "You said no") {
				t.Errorf("%s is shown as access_denied", tc.code)
			}
			if got := callbackTokenRequests(shop); got != before {
				t.Errorf("token requests: got %d, want %d", got, before)
			}
		})
	}
}

// The contract: error_description is shown HTML-escaped. Accounts (or whoever forged the
// answer) chooses its text, so it must never become markup on PrintShop's page.
func TestCallbackErrorDescriptionEscaped(t *testing.T) {
	const script = "<script>alert(1)</script>"
	cases := []struct {
		name   string
		answer func(shop *printShop, req url.Values) url.Values
	}{
		{"invalid_scope with valid state and iss", func(shop *printShop, req url.Values) url.Values {
			return url.Values{"error": {"invalid_scope"}, "error_description": {script},
				"state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}}
		}},
		{"a refused answer (wrong state)", func(shop *printShop, req url.Values) url.Values {
			return url.Values{"error": {"invalid_scope"}, "error_description": {script},
				"state": {"forged"}, "iss": {shop.Accounts.srv.URL}}
		}},
		{"markup in the error code itself", func(shop *printShop, req url.Values) url.Values {
			return url.Values{"error": {script}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := callbackSignedIn(t)
			p := b.callback(tc.answer(shop, b.startConnect()))
			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want %d", p.StatusCode, http.StatusBadRequest)
			}
			if !strings.Contains(p.Body, "&lt;script&gt;") {
				t.Errorf("the page does not show the description escaped:\n%s", p.Body)
			}
			if strings.Contains(p.Body, "<script>alert") {
				t.Errorf("the page carries the description as markup:\n%s", p.Body)
			}
		})
	}
}

// RFC 6749 §3.3: the authorization server may grant less than was asked. The issue: a granted
// scope narrower than requested is shown to the user.
func TestCallbackNarrowedScopeShownRFC6749Section3_3(t *testing.T) {
	shop, b := callbackSignedIn(t)
	shop.Accounts.mu.Lock()
	shop.Accounts.scope = "profile"
	shop.Accounts.mu.Unlock()
	p := b.connect("alice")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want %d:\n%s", p.StatusCode, http.StatusOK, p.Body)
	}
	if p.Request.URL.Path == "/photos" {
		t.Fatal("PrintShop went on to the gallery as if photos.read had been granted")
	}
	for _, want := range []string{"less than it asked", "<code>photos.read</code>", "<code>profile</code>", `href="/connect"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the narrowed-scope page lacks %q:\n%s", want, p.Body)
		}
	}
	conn, ok := callbackConnection(t, shop, "alice")
	if !ok || strings.Join(conn.Scope, " ") != "profile" {
		t.Errorf("stored scope %q (connected %v), want the granted %q", conn.Scope, ok, "profile")
	}
}

// The issue: each attempt gets a fresh state and PKCE verifier (RFC 7636 §4.1), and the browser
// goes to the authorization endpoint named in the metadata.
func TestConnectFreshStateAndVerifierPerAttemptRFC7636Section4_1(t *testing.T) {
	shop, b := callbackSignedIn(t)
	first, second := b.startConnect(), b.startConnect()
	if first.Get("state") == second.Get("state") {
		t.Errorf("two attempts share the state %q", first.Get("state"))
	}
	if first.Get("code_challenge") == second.Get("code_challenge") {
		t.Errorf("two attempts share the code_challenge %q", first.Get("code_challenge"))
	}
	for _, req := range []url.Values{first, second} {
		if len(req.Get("state")) < 22 {
			t.Errorf("state %q is shorter than 128 bits of base64url", req.Get("state"))
		}
		if got, want := req.Get("redirect_uri"), "http://printshop.test/callback"; got != want {
			t.Errorf("redirect_uri = %q, want %q", got, want)
		}
	}
	p := b.get("/connect")
	loc, err := url.Parse(p.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loc.Scheme+"://"+loc.Host+loc.Path, shop.Accounts.srv.URL+"/authorize"; got != want {
		t.Errorf("the browser is sent to %q, want the metadata's authorization_endpoint %q", got, want)
	}
	// A later attempt does not spoil an earlier one's state.
	if p := b.callback(callbackAnswer(shop, first, "alice")); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Errorf("the first attempt's answer: got %d at %s, want the gallery", p.StatusCode, p.Request.URL.Path)
	}
}

// RFC 8414 §3.3: metadata whose issuer is not the one PrintShop expects MUST NOT be used.
// /connect shows an error page naming the mismatch, and does not send the browser anywhere.
func TestConnectRefusesMetadataOfAnotherIssuerRFC8414Section3_3(t *testing.T) {
	shop, b := callbackSignedIn(t)
	shop.Accounts.mu.Lock()
	shop.Accounts.issuer = "https://accounts.evil.example"
	shop.Accounts.mu.Unlock()
	before := callbackTokenRequests(shop)
	p := b.get("/connect")
	if p.StatusCode < 400 || p.StatusCode == http.StatusInternalServerError {
		t.Errorf("got status %d, want an error page that is not a bare 500", p.StatusCode)
	}
	if loc := p.Header.Get("Location"); loc != "" {
		t.Errorf("PrintShop redirected to %q after refusing the metadata", loc)
	}
	if p.Request.URL.Path != "/connect" {
		t.Errorf("the browser ended at %s, want the error at /connect", p.Request.URL.Path)
	}
	for _, want := range []string{"https://accounts.evil.example", "PRINTING_ISSUER", "RFC 8414"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q:\n%s", want, p.Body)
		}
	}
	if got := callbackTokenRequests(shop); got != before {
		t.Errorf("token requests: got %d, want %d", got, before)
	}
}
