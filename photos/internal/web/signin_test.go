package web

// Photos' web app as a relying party: the sign-in with OpenID Connect against a stand-in for
// Accounts whose token endpoint checks PKCE and answers with an ID token the test signs.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// webBrowser is a user agent with a cookie jar that does not follow redirects, so that each
// hop can be checked.
type webBrowser struct {
	t      *testing.T
	srv    *photosServer
	client *http.Client
}

func newWebBrowser(t *testing.T, srv *photosServer) *webBrowser {
	jar, _ := cookiejar.New(nil)
	return &webBrowser{t: t, srv: srv, client: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *webBrowser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Response: resp, Body: data}
}

func (b *webBrowser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	return b.do(req)
}

func (b *webBrowser) post(path string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrf is the csrf_token of the first form on a page.
func (b *webBrowser) csrf(page response) string {
	b.t.Helper()
	const marker = `name="csrf_token" value="`
	i := strings.Index(string(page.Body), marker)
	if i < 0 {
		b.t.Fatalf("no csrf_token on the page (status %d):\n%s", page.StatusCode, page.Body)
	}
	rest := string(page.Body[i+len(marker):])
	return rest[:strings.Index(rest, `"`)]
}

// sentToAccounts is the authorization request /login sent the browser with.
type sentToAccounts struct {
	State, Nonce, Challenge string
	Query                   url.Values
}

// startSignIn runs GET /login and reads the authorization request from the redirect.
func (b *webBrowser) startSignIn() sentToAccounts {
	b.t.Helper()
	r := b.get("/login")
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("GET /login: got %d, want 303", r.StatusCode)
	}
	to, err := url.Parse(r.Header.Get("Location"))
	if err != nil || to.Scheme+"://"+to.Host+to.Path != testIssuer+"/authorize" {
		b.t.Fatalf("GET /login sent the browser to %q, want Accounts' /authorize", r.Header.Get("Location"))
	}
	q := to.Query()
	return sentToAccounts{State: q.Get("state"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"), Query: q}
}

// callback comes back from Accounts with a code for the sign-in.
func (b *webBrowser) callback(params url.Values) response {
	b.t.Helper()
	return b.get("/callback?" + params.Encode())
}

// signInFlow is the stand-in Accounts' side of one sign-in: the token endpoint checks the
// client's credentials, the code and the PKCE verifier, and returns idToken(nonce).
type signInFlow struct {
	mu        sync.Mutex
	challenge string
	redeemed  int
}

// serveTokens makes the fake token endpoint redeem "the-code" for sign-ins started in flow,
// answering with the ID token idToken makes from the nonce that /login sent.
func serveTokens(t *testing.T, accounts *fakeAccounts, flow *signInFlow, idToken func(nonce string) string, nonce *string) {
	accounts.mu.Lock()
	defer accounts.mu.Unlock()
	accounts.token = func(r *http.Request) (int, any) {
		id, secret, _ := r.BasicAuth()
		r.ParseForm()
		flow.mu.Lock()
		defer flow.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case id != testWebClientID || secret != testWebClientSecret:
			return http.StatusUnauthorized, map[string]string{"error": "invalid_client"}
		case r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("code") != "the-code":
			return http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown code"}
		case r.PostForm.Get("redirect_uri") != testAudience+"/callback":
			return http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "redirect_uri"}
		case base64.RawURLEncoding.EncodeToString(sum[:]) != flow.challenge:
			// RFC 7636 §4.6: the verifier must hash to the challenge /login sent.
			return http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"}
		}
		flow.redeemed++
		return http.StatusOK, map[string]any{"access_token": "an-access-token-photos-ignores", "token_type": "Bearer",
			"expires_in": 600, "scope": "openid profile", "id_token": idToken(*nonce)}
	}
}

// webSignIn signs alice in, with an ID token from idToken, and returns the callback's answer.
func webSignIn(t *testing.T, srv *photosServer, accounts *fakeAccounts, b *webBrowser, idToken func(nonce string) string) response {
	t.Helper()
	flow := &signInFlow{}
	var nonce string
	serveTokens(t, accounts, flow, idToken, &nonce)
	sent := b.startSignIn()
	flow.mu.Lock()
	flow.challenge, nonce = sent.Challenge, sent.Nonce
	flow.mu.Unlock()
	return b.callback(url.Values{"code": {"the-code"}, "state": {sent.State}, "iss": {testIssuer}})
}

// goodIDToken signs a valid ID token for alice with key.
func goodIDToken(t *testing.T, srv *photosServer, key jwk.Key) func(string) string {
	return func(nonce string) string {
		c := idTokenClaims(srv.Clock.Now())
		c["nonce"] = nonce
		return forge(t, key, c, map[string]any{"typ": "JWT"})
	}
}

// newSignedIn starts Photos with a published RS256 key and a browser signed in as alice.
func newSignedIn(t *testing.T) (*photosServer, *fakeAccounts, *webBrowser) {
	t.Helper()
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	b := newWebBrowser(t, srv)
	if r := webSignIn(t, srv, accounts, b, goodIDToken(t, srv, key)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: got %d, want 303:\n%s", r.StatusCode, r.Body)
	}
	return srv, accounts, b
}

// The authentication request of GET /login: OpenID Connect Core §3.1.2.1 with PKCE (RFC 7636),
// asking for openid profile only.
func TestWebLoginRequest(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	sent := newWebBrowser(t, srv).startSignIn()
	want := map[string]string{
		"client_id": testWebClientID, "response_type": "code", "scope": "openid profile",
		"redirect_uri": testAudience + "/callback", "code_challenge_method": "S256",
	}
	for name, value := range want {
		if got := sent.Query.Get(name); got != value {
			t.Errorf("%s: got %q, want %q", name, got, value)
		}
	}
	for name, value := range map[string]string{"state": sent.State, "nonce": sent.Nonce, "code_challenge": sent.Challenge} {
		if len(value) < 43 {
			t.Errorf("%s is %q, want at least 256 random bits (RFC 9700 §2.1.1, OIDC Core §15.5.2)", name, value)
		}
	}
}

// A good sign-in starts a session on an HttpOnly, SameSite=Lax photos_session cookie, with a
// new id (no fixation), and the library shows alice's photos only.
func TestWebSignIn(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	b := newWebBrowser(t, srv)
	before := b.get("/login").Cookies()
	b = newWebBrowser(t, srv)
	r := webSignIn(t, srv, accounts, b, goodIDToken(t, srv, key))
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("got %d to %q, want 303 to /:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	var cookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "photos_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("got cookie %+v, want photos_session, HttpOnly, SameSite=Lax (CONTRACT Forms and cookies)", cookie)
	}
	if len(before) == 1 && before[0].Value == cookie.Value {
		t.Error("the session id did not change at sign-in")
	}
	page := string(b.get("/").Body)
	if !strings.Contains(page, "Your library") || !strings.Contains(page, "Sunrise") {
		t.Errorf("the library does not show alice's photo:\n%s", page)
	}
	if strings.Contains(page, "Crane") {
		t.Error("the library shows bob's photo to alice")
	}
	if !strings.Contains(page, "Alice Liddell") {
		t.Error("the banner does not name the signed-in user from the ID token's name claim")
	}
	if strings.Contains(page, "an-access-token-photos-ignores") {
		t.Error("a token reached the browser")
	}
}

// Each check of the callback refuses with a 400 page that names it, and starts no session:
// state (RFC 6749 §10.12), iss (RFC 9207 §2.4), and the ID token (OIDC Core §3.1.3.7).
func TestWebCallbackRefuses(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	unpublished := newKey(t, jwa.RS256, "key-1") // same kid, not Accounts' key
	srv := newPhotosServer(t, accounts)
	idToken := func(change func(map[string]any), typ string, signer jwk.Key) func(string) string {
		return func(nonce string) string {
			c := idTokenClaims(srv.Clock.Now())
			c["nonce"] = nonce
			change(c)
			return forge(t, signer, c, map[string]any{"typ": typ})
		}
	}
	keep := func(map[string]any) {}
	tests := []struct {
		name    string
		token   func(string) string
		params  func(sent sentToAccounts) url.Values
		wantMsg string
	}{
		{"a missing state (RFC 6749 §10.12)", idToken(keep, "JWT", key),
			func(sentToAccounts) url.Values { return url.Values{"code": {"the-code"}, "iss": {testIssuer}} }, "state check failed"},
		{"a wrong state (RFC 6749 §10.12)", idToken(keep, "JWT", key),
			func(sentToAccounts) url.Values {
				return url.Values{"code": {"the-code"}, "state": {"forged"}, "iss": {testIssuer}}
			}, "state check failed"},
		{"a missing iss (RFC 9207 §2.4)", idToken(keep, "JWT", key),
			func(s sentToAccounts) url.Values { return url.Values{"code": {"the-code"}, "state": {s.State}} }, "iss check failed"},
		{"another iss (RFC 9207 §2.4)", idToken(keep, "JWT", key),
			func(s sentToAccounts) url.Values {
				return url.Values{"code": {"the-code"}, "state": {s.State}, "iss": {"http://evil.example"}}
			}, "iss check failed"},
		{"an error from Accounts (RFC 6749 §4.1.2.1)", idToken(keep, "JWT", key),
			func(s sentToAccounts) url.Values {
				return url.Values{"error": {"access_denied"}, "state": {s.State}, "iss": {testIssuer}}
			}, "access_denied"},
		{"a code Accounts refuses (RFC 6749 §5.2)", idToken(keep, "JWT", key),
			func(s sentToAccounts) url.Values {
				return url.Values{"code": {"another-code"}, "state": {s.State}, "iss": {testIssuer}}
			}, "invalid_grant"},
		{"another sign-in's nonce (OIDC Core §3.1.3.7 step 11)", idToken(func(c map[string]any) { c["nonce"] = "replayed" }, "JWT", key), nil, "nonce check failed"},
		{"an ID token for another client: aud (step 3)", idToken(func(c map[string]any) { c["aud"] = "printing" }, "JWT", key), nil, "aud check failed"},
		{"an ID token authorized for another client: azp (step 5)", idToken(func(c map[string]any) { c["azp"] = "printing" }, "JWT", key), nil, "azp check failed"},
		{"an ID token from another issuer: iss (step 2)", idToken(func(c map[string]any) { c["iss"] = "http://evil.example" }, "JWT", key), nil, "iss check failed"},
		{"an expired ID token: exp (step 9)", idToken(func(c map[string]any) { c["exp"] = srv.Clock.Now().Add(-2 * time.Minute).Unix() }, "JWT", key), nil, "exp check failed"},
		{"an ID token issued long ago: iat (step 10)", idToken(func(c map[string]any) { c["iat"] = srv.Clock.Now().Add(-time.Hour).Unix() }, "JWT", key), nil, "iat check failed"},
		{"an ID token signed by another key: signature (step 6)", idToken(keep, "JWT", unpublished), nil, "signature check failed"},
		{"an access token as an ID token (RFC 8725 §3.11)", idToken(func(c map[string]any) {
			c["aud"], c["client_id"], c["scope"] = testAudience, testWebClientID, "photos.read"
		}, "at+jwt", key), nil, "typ check failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newWebBrowser(t, srv)
			flow := &signInFlow{}
			var nonce string
			serveTokens(t, accounts, flow, tc.token, &nonce)
			sent := b.startSignIn()
			flow.mu.Lock()
			flow.challenge, nonce = sent.Challenge, sent.Nonce
			flow.mu.Unlock()
			params := url.Values{"code": {"the-code"}, "state": {sent.State}, "iss": {testIssuer}}
			if tc.params != nil {
				params = tc.params(sent)
			}
			r := b.callback(params)
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("got status %d, want 400:\n%s", r.StatusCode, r.Body)
			}
			if text := pagesTestText(string(r.Body)); !strings.Contains(text, tc.wantMsg) {
				t.Errorf("the page does not name the failed check %q:\n%s", tc.wantMsg, text)
			}
			if page := string(b.get("/").Body); strings.Contains(page, "Your library") {
				t.Error("a refused sign-in started a session")
			}
		})
	}
}

// RFC 9700 §4.7.1 and RFC 6749 §10.12: a state is used once, and only by the browser that
// started the sign-in.
func TestWebStateIsSingleUseAndBound(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)

	t.Run("a state from another browser is refused", func(t *testing.T) {
		mine, attacker := newWebBrowser(t, srv), newWebBrowser(t, srv)
		sent := attacker.startSignIn()
		r := mine.callback(url.Values{"code": {"the-code"}, "state": {sent.State}, "iss": {testIssuer}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), "state check failed") {
			t.Errorf("got %d, want 400 naming the state check", r.StatusCode)
		}
	})
	t.Run("a state used once is refused the second time", func(t *testing.T) {
		b := newWebBrowser(t, srv)
		flow := &signInFlow{}
		var nonce string
		serveTokens(t, accounts, flow, goodIDToken(t, srv, key), &nonce)
		sent := b.startSignIn()
		flow.challenge, nonce = sent.Challenge, sent.Nonce
		params := url.Values{"code": {"the-code"}, "state": {sent.State}, "iss": {testIssuer}}
		if r := b.callback(params); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: got %d, want 303:\n%s", r.StatusCode, r.Body)
		}
		if r := b.callback(params); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), "state check failed") {
			t.Errorf("second use: got %d, want 400 naming the state check", r.StatusCode)
		}
		if flow.redeemed != 1 {
			t.Errorf("the code was redeemed %d times, want once: a replayed state must stop before the token request", flow.redeemed)
		}
	})
}

// The pages use the session, never a token: one's own photo and image, not another user's,
// and nothing while signed out.
func TestWebPhotoPages(t *testing.T) {
	srv, _, b := newSignedIn(t)
	tests := []struct {
		name       string
		browser    *webBrowser
		path       string
		wantStatus int
		wantType   string
	}{
		{"own photo page", b, "/photos/" + srv.AlicePhoto, http.StatusOK, "text/html"},
		{"own image", b, "/photos/" + srv.AlicePhoto + "/image", http.StatusOK, "image/jpeg"},
		{"another user's photo page is 404 (CONTRACT)", b, "/photos/" + srv.BobPhoto, http.StatusNotFound, "text/html"},
		{"another user's image is 404 (CONTRACT)", b, "/photos/" + srv.BobPhoto + "/image", http.StatusNotFound, "text/html"},
		{"a signed-out image is refused", newWebBrowser(t, srv), "/photos/" + srv.AlicePhoto + "/image", http.StatusUnauthorized, "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.browser.get(tc.path)
			if r.StatusCode != tc.wantStatus || !strings.HasPrefix(r.Header.Get("Content-Type"), tc.wantType) {
				t.Errorf("got %d %s, want %d %s", r.StatusCode, r.Header.Get("Content-Type"), tc.wantStatus, tc.wantType)
			}
		})
	}
	page := string(b.get("/photos/" + srv.AlicePhoto).Body)
	for _, want := range []string{`src="/photos/` + srv.AlicePhoto + `/image"`, "Holiday", `action="/photos/` + srv.AlicePhoto + `/delete"`, "<details"} {
		if !strings.Contains(page, want) {
			t.Errorf("the photo page lacks %q", want)
		}
	}
}

// multipartUpload builds the upload form's body.
func multipartUpload(t *testing.T, csrf, title string, jpeg []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if csrf != "" {
		w.WriteField("csrf_token", csrf)
	}
	w.WriteField("title", title)
	w.WriteField("album", "Garden")
	fw, _ := w.CreateFormFile("file", "rose.jpg")
	fw.Write(jpeg)
	w.Close()
	return &body, w.FormDataContentType()
}

// Uploads and deletes at the web app go to the library the API serves (CONTRACT "Photos' own
// web app"), and need the session's csrf_token (403 without).
func TestWebUploadAndDelete(t *testing.T) {
	srv, accounts, b := newSignedIn(t)
	accessKey := newKey(t, jwa.RS256, "key-at")
	accounts.publish(accessKey)
	claims := goodClaims(srv.Clock.Now())
	claims["scope"] = "photos.read"
	apiToken := forge(t, accessKey, claims, nil)
	csrf := b.csrf(b.get("/"))
	upload := func(csrf string) response {
		body, contentType := multipartUpload(t, csrf, "Rose", testJPEG(t, 32, 24))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", body)
		req.Header.Set("Content-Type", contentType)
		return b.do(req)
	}

	if r := upload(""); r.StatusCode != http.StatusForbidden {
		t.Errorf("upload without csrf_token: got %d, want 403", r.StatusCode)
	}
	if r := upload("not-the-token"); r.StatusCode != http.StatusForbidden {
		t.Errorf("upload with a wrong csrf_token: got %d, want 403", r.StatusCode)
	}
	if strings.Contains(string(srv.get(t, "/api/photos", apiToken).Body), "Rose") {
		t.Fatal("an upload refused for its csrf_token was stored")
	}
	notAnImage, contentType := multipartUpload(t, csrf, "Notes", []byte("just text"))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", notAnImage)
	req.Header.Set("Content-Type", contentType)
	if r := b.do(req); r.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(r.Body), "not a JPEG or PNG") ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("a file that is not an image: got %d %s, want a 415 page that says why", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := upload(csrf); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("upload: got %d to %q, want 303 to /:\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	var list struct {
		Photos []photoJSON `json:"photos"`
	}
	api := srv.get(t, "/api/photos", apiToken)
	if err := jsonUnmarshal(api.Body, &list); err != nil {
		t.Fatal(err)
	}
	rose := ""
	for _, p := range list.Photos {
		if p.Title == "Rose" && p.Album == "Garden" {
			rose = p.ID
		}
	}
	if rose == "" {
		t.Fatalf("the API does not list the photo uploaded at the web app: %s", api.Body)
	}

	if r := b.post("/photos/"+rose+"/delete", url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("delete without csrf_token: got %d, want 403", r.StatusCode)
	}
	if r := b.post("/photos/"+srv.BobPhoto+"/delete", url.Values{"csrf_token": {csrf}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleting bob's photo: got %d, want 404", r.StatusCode)
	}
	if r := b.post("/photos/"+rose+"/delete", url.Values{"csrf_token": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: got %d, want 303", r.StatusCode)
	}
	if r := srv.get(t, "/api/photos/"+rose, apiToken); r.StatusCode != http.StatusNotFound {
		t.Errorf("the API still has the deleted photo: got %d, want 404", r.StatusCode)
	}
}

// /me decodes the ID token claim by claim, says what it proves, and links PrintShop's /flow.
func TestWebMe(t *testing.T) {
	_, _, b := newSignedIn(t)
	page := string(b.get("/me").Body)
	text := pagesTestText(page)
	for _, want := range []string{"proves who you are, to Photos only", "what PrintShop may do, at Photos only"} {
		if !strings.Contains(text, want) {
			t.Errorf("/me does not say %q:\n%s", want, text)
		}
	}
	for claim, value := range map[string]string{"sub": "alice", "aud": testWebClientID, "azp": testWebClientID,
		"iss": testIssuer, "name": "Alice Liddell", "typ": "JWT", "alg": "RS256"} {
		if row := `<code>` + claim + `</code></th><td><code>` + value; !strings.Contains(page, row) {
			t.Errorf("/me has no row %s = %s", claim, value)
		}
	}
	for _, claim := range []string{"nonce", "auth_time", "exp", "iat"} {
		if !strings.Contains(page, `<th scope="row"><code>`+claim+`</code>`) {
			t.Errorf("/me has no row for %s", claim)
		}
	}
	if !strings.Contains(page, `href="http://localhost:9000/flow"`) {
		t.Error("/me does not link PrintShop's /flow")
	}
}

// POST /logout ends the Photos session and sends the browser to Accounts' end_session_endpoint
// with the ID token as id_token_hint (RP-Initiated Logout 1.0 §2).
func TestWebLogout(t *testing.T) {
	_, _, b := newSignedIn(t)
	csrf := b.csrf(b.get("/"))
	if r := b.post("/logout", url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("logout without csrf_token: got %d, want 403", r.StatusCode)
	}
	r := b.post("/logout", url.Values{"csrf_token": {csrf}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("got %d, want 303", r.StatusCode)
	}
	to, _ := url.Parse(r.Header.Get("Location"))
	q := to.Query()
	if to.Scheme+"://"+to.Host+to.Path != testIssuer+"/end-session" || q.Get("post_logout_redirect_uri") != testAudience+"/" ||
		q.Get("client_id") != testWebClientID || strings.Count(q.Get("id_token_hint"), ".") != 2 {
		t.Errorf("got Location %s, want Accounts' /end-session with id_token_hint, client_id and post_logout_redirect_uri", to)
	}
	if strings.Contains(string(b.get("/").Body), "Your library") {
		t.Error("the Photos session is still alive after logout")
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
