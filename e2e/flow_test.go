package e2e

// The whole story, over HTTP, as a browser lives it: Alice signs in at PrintShop, connects her
// Photos (RFC 6749 §4.1 with PKCE, RFC 7636, and the iss of RFC 9207), sees her photos, orders
// prints, and disconnects (RFC 7009).

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// sameOrigin reports whether u is on the service at base (scheme://host:port).
func sameOrigin(u *url.URL, base string) bool { return u.Scheme+"://"+u.Host == base }

// decodeJPEG asserts the page is an image/jpeg that decodes, and returns the image.
func decodeJPEG(t *testing.T, p *page) image.Image {
	t.Helper()
	p.ok(t)
	if ct := p.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Fatalf("%s %s: Content-Type %q, want image/jpeg", p.Method, p.URL, ct)
	}
	img, err := jpeg.Decode(strings.NewReader(p.Body))
	if err != nil {
		t.Fatalf("%s %s: the JPEG does not decode: %v", p.Method, p.URL, err)
	}
	return img
}

// hasLink reports whether the page has an <a href=href>.
func hasLink(body, href string) bool {
	return slices.ContainsFunc(tags(body, "a"), func(a tag) bool { return a.Attrs["href"] == href })
}

// followToGallery follows PrintShop's callback and its redirect to the gallery.
func followToGallery(t *testing.T, b *browser, s *stack, callback *url.URL) *page {
	t.Helper()
	if got := callback.Scheme + "://" + callback.Host + callback.Path; got != s.PrintURL+"/callback" {
		t.Fatalf("Accounts sent the browser to %s, want PrintShop's callback %s/callback", callback, s.PrintURL)
	}
	to := b.get(callback.String()).redirect(t)
	if !sameOrigin(to, s.PrintURL) || to.Path != "/photos" {
		t.Fatalf("PrintShop's callback redirected to %s, want its /photos", to)
	}
	return b.get(to.String()).ok(t)
}

// TestDelegatedAccessFlow drives the whole flow with one cookie jar for the three services, and
// asserts each hop.
func TestDelegatedAccessFlow(t *testing.T) {
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	b := newBrowser(t)

	// a. PrintShop's own sign-in: not the Photos account, even if the names match.
	home := b.get(s.PrintURL + "/").ok(t)
	if _, ok := b.cookie(s.PrintURL, "printshop_session"); !ok {
		t.Fatal("PrintShop's home page set no printshop_session cookie")
	}
	loggedIn := b.post(s.PrintURL+"/login", url.Values{
		"csrf_token": {inputValue(t, home, "csrf_token")},
		"username":   {"alice"},
		"password":   {"wonderland"},
	}).redirect(t)
	if !sameOrigin(loggedIn, s.PrintURL) || loggedIn.Path != "/" {
		t.Fatalf("POST /login at PrintShop redirected to %s, want its home page", loggedIn)
	}
	home = b.get(loggedIn.String()).ok(t)
	if !hasLink(home.Body, "/connect") {
		t.Fatalf("PrintShop's home page, signed in and not connected, has no link to /connect:\n%s", excerpt(home.Body))
	}

	// b. Connect: PrintShop sends the browser to Accounts' authorization endpoint.
	authorize := b.get(s.PrintURL + "/connect").redirect(t)
	if !sameOrigin(authorize, s.AuthURL) || authorize.Path != "/authorize" {
		t.Fatalf("GET /connect redirected to %s, want %s/authorize", authorize, s.AuthURL)
	}
	q := authorize.Query()
	for name, want := range map[string]string{
		"response_type":         "code",
		"client_id":             "printing",
		"code_challenge_method": "S256", // RFC 9700 §2.1.1: PKCE with S256
		"scope":                 "photos.read",
		"redirect_uri":          s.PrintURL + "/callback",
	} {
		if got := q.Get(name); got != want {
			t.Errorf("the authorization request has %s=%q, want %q", name, got, want)
		}
	}
	// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(q.Get("code_challenge")) {
		t.Errorf("code_challenge %q is not a base64url SHA-256 (RFC 7636 §4.2)", q.Get("code_challenge"))
	}
	state := q.Get("state")
	if len(state) < 16 {
		t.Errorf("state %q is missing or too short to be unguessable (RFC 6749 §10.12)", state)
	}

	// c. At Accounts: sign in, then consent.
	toLogin := b.get(authorize.String()).redirect(t)
	if !sameOrigin(toLogin, s.AuthURL) || toLogin.Path != "/login" {
		t.Fatalf("Accounts' /authorize, not signed in, redirected to %s, want its /login", toLogin)
	}
	login := b.get(toLogin.String()).ok(t)
	for _, name := range []string{"username", "password"} {
		inputValue(t, login, name) // fails if the input is missing
	}
	afterLogin := b.post(s.AuthURL+"/login", url.Values{
		"csrf_token": {inputValue(t, login, "csrf_token")},
		"request":    {inputValue(t, login, "request")},
		"username":   {"alice"},
		"password":   {"wonderland"},
	}).redirect(t)
	consent := b.get(afterLogin.String())
	for hops := 0; consent.Status == http.StatusSeeOther; hops++ {
		to := consent.location(t)
		if !sameOrigin(to, s.AuthURL) || hops == 5 {
			t.Fatalf("after sign-in, Accounts redirected to %s; want its consent page", to)
		}
		consent = b.get(to.String())
	}
	consent.ok(t)
	if consent.URL.Path != "/consent" {
		t.Fatalf("after sign-in, Accounts showed %s, want its consent page", consent.URL)
	}
	if !strings.Contains(consent.Body, "PrintShop") {
		t.Errorf("the consent page does not name PrintShop:\n%s", excerpt(consent.Body))
	}
	var checkboxes []tag
	for _, in := range tags(consent.Body, "input") {
		if in.Attrs["type"] == "checkbox" {
			checkboxes = append(checkboxes, in)
		}
	}
	if len(checkboxes) != 1 {
		t.Errorf("the consent page has %d checkboxes, want 1 (photos.read)", len(checkboxes))
	}
	for _, cb := range checkboxes {
		if cb.Attrs["name"] != "scope" || cb.Attrs["value"] != "photos.read" || !cb.has("checked") {
			t.Errorf("consent checkbox %v, want name=scope value=photos.read checked", cb.Attrs)
		}
	}
	var decisions []string
	for _, bt := range tags(consent.Body, "button") {
		if bt.Attrs["name"] == "decision" {
			decisions = append(decisions, bt.Attrs["value"])
		}
	}
	slices.Sort(decisions)
	if !slices.Equal(decisions, []string{"allow", "deny"}) {
		t.Errorf("the consent page's decision buttons are %q, want allow and deny", decisions)
	}
	callback := b.post(s.AuthURL+"/consent", url.Values{
		"csrf_token": {inputValue(t, consent, "csrf_token")},
		"request":    {inputValue(t, consent, "request")},
		"decision":   {"allow"},
		"scope":      {"photos.read"},
	}).redirect(t)
	if got := callback.Scheme + "://" + callback.Host + callback.Path; got != s.PrintURL+"/callback" {
		t.Fatalf("consent redirected to %s, want PrintShop's callback", callback)
	}
	cq := callback.Query()
	if cq.Get("code") == "" {
		t.Errorf("the authorization response %s has no code", callback)
	}
	if cq.Get("state") != state {
		t.Errorf("the authorization response has state %q, want %q (RFC 6749 §4.1.2)", cq.Get("state"), state)
	}
	if cq.Get("iss") != s.AuthURL {
		t.Errorf("the authorization response has iss %q, want %q (RFC 9207 §2)", cq.Get("iss"), s.AuthURL)
	}

	// d. The callback swaps the code and shows the gallery.
	gallery := followToGallery(t, b, s, callback)

	// e. The gallery shows what Photos' API returns for alice, and nothing of bob's.
	alice, aliceToken := libraryOf(t, s, "alice", "wonderland")
	bob, _ := libraryOf(t, s, "bob", "builder")
	if _, missing := titlesIn(gallery.Body, alice); len(missing) > 0 {
		t.Errorf("the gallery lacks alice's photos %q", missing)
	}
	if found, _ := titlesIn(gallery.Body, bob); len(found) > 0 {
		t.Errorf("alice's gallery shows bob's photos %q", found)
	}
	var ticked, want []string
	for _, in := range tags(gallery.Body, "input") {
		if in.Attrs["type"] == "checkbox" && in.Attrs["name"] == "photo" {
			ticked = append(ticked, in.Attrs["value"])
		}
	}
	for _, p := range alice {
		want = append(want, p.ID)
	}
	slices.Sort(ticked)
	slices.Sort(want)
	if !slices.Equal(ticked, want) {
		t.Errorf("the gallery's photo checkboxes are %q, want alice's photo ids %q", ticked, want)
	}

	// f. A thumbnail PrintShop made itself: a JPEG smaller than the original.
	thumbPage := b.get(s.PrintURL + "/photos/" + alice[0].ID + "/thumbnail")
	thumb := decodeJPEG(t, thumbPage)
	resp, original := apiGet(t, s, aliceToken.AccessToken, "/api/photos/"+alice[0].ID+"/content")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/photos/{id}/content: got status %d, want 200", resp.StatusCode)
	}
	full, err := jpeg.Decode(bytes.NewReader(original))
	if err != nil {
		t.Fatalf("the original photo does not decode: %v", err)
	}
	if tb, fb := thumb.Bounds(), full.Bounds(); tb.Dx() >= fb.Dx() || tb.Dy() >= fb.Dy() || len(thumbPage.Body) >= len(original) {
		t.Errorf("the thumbnail is %dx%d, %d bytes; want smaller than the original's %dx%d, %d bytes",
			tb.Dx(), tb.Dy(), len(thumbPage.Body), fb.Dx(), fb.Dy(), len(original))
	}

	// g. An order of two photos, 5x7, two copies each.
	placed := b.post(s.PrintURL+"/orders", url.Values{
		"csrf_token": {inputValue(t, gallery, "csrf_token")},
		"photo":      {alice[0].ID, alice[1].ID},
		"size":       {"5x7"},
		"copies":     {"2"},
	}).redirect(t)
	m := regexp.MustCompile(`^/orders/(\d+)$`).FindStringSubmatch(placed.Path)
	if !sameOrigin(placed, s.PrintURL) || m == nil {
		t.Fatalf("POST /orders redirected to %s, want PrintShop's /orders/{id}", placed)
	}
	orderPath := placed.Path
	checkOrder := func(when string) {
		t.Helper()
		order := b.get(s.PrintURL + orderPath).ok(t)
		if !strings.Contains(order.Body, ">received<") {
			t.Errorf("%s: the order page does not show the status received:\n%s", when, excerpt(order.Body))
		}
		if found, _ := titlesIn(order.Body, alice[:2]); len(found) != 2 {
			t.Errorf("%s: the order page names %q, want both ordered photos", when, found)
		}
		if !slices.ContainsFunc(tags(order.Body, "img"), func(img tag) bool { return img.Attrs["src"] == orderPath+"/proof.jpg" }) {
			t.Errorf("%s: the order page has no <img src=%q>", when, orderPath+"/proof.jpg")
		}
		decodeJPEG(t, b.get(s.PrintURL+orderPath+"/proof.jpg"))
		if orders := b.get(s.PrintURL + "/orders").ok(t); !hasLink(orders.Body, orderPath) {
			t.Errorf("%s: GET /orders does not link to %s", when, orderPath)
		}
	}
	checkOrder("after ordering")

	// h. Disconnect, after reading the tokens PrintShop holds.
	var conn connection
	haveDB := s.hasDatabase(t, "the tokens PrintShop holds, and that they never reach the browser")
	if haveDB {
		var ok bool
		conn, ok = printingConnection(t, s, "alice")
		if !ok || conn.AccessToken == "" || conn.RefreshToken == "" {
			t.Fatalf("PrintShop's database holds no tokens for alice after connecting (row found: %v)", ok)
		}
		if strings.Count(conn.AccessToken, ".") != 2 {
			t.Errorf("PrintShop's access token for alice is not a JWT")
		}
	}
	home = b.get(s.PrintURL + "/").ok(t)
	if len(formsWithAction(home.Body, "/disconnect")) != 1 {
		t.Fatalf("PrintShop's home page, connected, has no /disconnect form:\n%s", excerpt(home.Body))
	}
	disconnected := b.post(s.PrintURL+"/disconnect", url.Values{"csrf_token": {inputValue(t, home, "csrf_token")}}).redirect(t)
	if !sameOrigin(disconnected, s.PrintURL) || disconnected.Path != "/" || disconnected.Query().Get("notice") != "disconnected" {
		t.Fatalf("POST /disconnect redirected to %s, want PrintShop's home with notice=disconnected", disconnected)
	}
	home = b.get(disconnected.String()).ok(t)
	if !regexp.MustCompile(`role="status"[^>]*>[^<]*Disconnected`).MatchString(home.Body) {
		t.Errorf("the home page after disconnecting shows no disconnected notice:\n%s", excerpt(home.Body))
	}
	if haveDB {
		if _, ok := printingConnection(t, s, "alice"); ok {
			t.Error("PrintShop still holds tokens for alice after disconnecting")
		}

		// i. The refresh token was revoked at Accounts (RFC 7009 §2.1).
		checkRefreshRevoked(t, s, conn.RefreshToken)
	}
	// PrintShop asks to connect again rather than failing.
	photos := b.get(s.PrintURL + "/photos")
	if photos.Status >= 500 || !hasLink(photos.Body, "/connect") {
		t.Errorf("GET /photos after disconnecting: got status %d; want a page that links to /connect:\n%s", photos.Status, excerpt(photos.Body))
	}
	if found, _ := titlesIn(photos.Body, alice); len(found) > 0 {
		t.Errorf("GET /photos after disconnecting still shows %q", found)
	}

	// j. The order and its proof are PrintShop's own: they outlive the connection.
	checkOrder("after disconnecting")

	// k. Tokens never reach the browser: no page, URL or cookie from PrintShop holds them, nor
	// anything shaped like a JWT.
	answers := b.pagesFrom(s.PrintURL)
	t.Logf("checked %d answers from PrintShop for its tokens", len(answers))
	for _, p := range answers {
		places := map[string]string{
			"body":       p.Body,
			"Set-Cookie": strings.Join(p.Header.Values("Set-Cookie"), "\n"),
			"Location":   p.Header.Get("Location"),
			"URL":        p.URL.String(),
		}
		for where, text := range places {
			if haveDB && strings.Contains(text, conn.AccessToken) {
				t.Errorf("%s %s: the access token is in the %s", p.Method, p.URL.Path, where)
			}
			if haveDB && strings.Contains(text, conn.RefreshToken) {
				t.Errorf("%s %s: the refresh token is in the %s", p.Method, p.URL.Path, where)
			}
			if jwtPattern.MatchString(text) {
				t.Errorf("%s %s: something shaped like a JWT is in the %s", p.Method, p.URL.Path, where)
			}
		}
	}

	// One jar for all three services: each cookie keeps its own name and survives the others.
	for _, name := range []string{"printshop_session", "accounts_session"} {
		if _, ok := b.cookie(s.PrintURL, name); !ok {
			t.Errorf("the cookie jar lost %s", name)
		}
	}
	checkCookieAttributes(t, b, s)
}

// jwtPattern matches a JWT: a base64url JSON header ("{\"" encodes as eyJ), a payload and a
// signature.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)

// checkRefreshRevoked asserts that Accounts refuses the refresh token with invalid_grant
// (RFC 6749 §5.2), as it must after a revocation (RFC 7009 §2.1).
func checkRefreshRevoked(t *testing.T, s *stack, refreshToken string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	req, err := http.NewRequest(http.MethodPost, s.AuthURL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("printing", s.PrintingSecret)
	tokenResp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(tokenResp.Body)
	tokenResp.Body.Close()
	var tokenErr struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &tokenErr)
	if tokenResp.StatusCode != http.StatusBadRequest || tokenErr.Error != "invalid_grant" {
		t.Errorf("the revoked refresh token at /token: got %d %s, want 400 invalid_grant (RFC 6749 §5.2)", tokenResp.StatusCode, body)
	}
}

// TestDenyShowsFriendlyPage: a user who clicks Deny comes back to PrintShop with
// error=access_denied (RFC 6749 §4.1.2.1) and sees a plain explanation; PrintShop holds nothing.
func TestDenyShowsFriendlyPage(t *testing.T) {
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	b := newBrowser(t)
	b.signInAtPrintShop(s, "alice", "wonderland")
	auth := b.connectPhotos(s, "alice", "wonderland", "deny")
	if auth.Consent == nil {
		t.Fatal("Accounts issued no consent page")
	}
	if got := auth.Callback.Scheme + "://" + auth.Callback.Host + auth.Callback.Path; got != s.PrintURL+"/callback" {
		t.Fatalf("Deny sent the browser to %s, want PrintShop's callback", auth.Callback)
	}
	q := auth.Callback.Query()
	if q.Get("error") != "access_denied" || q.Get("iss") != s.AuthURL || q.Get("state") == "" || q.Has("code") {
		t.Errorf("the answer to Deny is %s; want error=access_denied with state and iss=%s, and no code", auth.Callback, s.AuthURL)
	}
	page := b.get(auth.Callback.String())
	if page.Status >= 500 || !strings.Contains(page.Body, "You said no") {
		t.Errorf("PrintShop's callback after Deny: got status %d; want a page that says \"You said no\":\n%s", page.Status, excerpt(page.Body))
	}
	if !hasLink(page.Body, "/connect") {
		t.Errorf("the page after Deny offers no way to connect again")
	}
	if home := b.get(s.PrintURL + "/").ok(t); len(formsWithAction(home.Body, "/disconnect")) > 0 || !hasLink(home.Body, "/connect") {
		t.Errorf("PrintShop's home page after Deny should offer Connect, not Disconnect:\n%s", excerpt(home.Body))
	}
	if s.hasDatabase(t, "that PrintShop's database holds no tokens") {
		if _, ok := printingConnection(t, s, "alice"); ok {
			t.Error("PrintShop holds tokens for alice after she said no")
		}
	}
	checkCookieAttributes(t, b, s)
}

// TestAliceAndBobSeparate: two browsers connect at once, each as its own user; each gallery
// shows only its owner's photos, and neither can reach the other's through PrintShop.
func TestAliceAndBobSeparate(t *testing.T) {
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	bob, _ := libraryOf(t, s, "bob", "builder")
	resetUser(t, s, "alice", "wonderland")
	resetUser(t, s, "bob", "builder")

	aliceBrowser, bobBrowser := newBrowser(t), newBrowser(t)
	aliceBrowser.signInAtPrintShop(s, "alice", "wonderland")
	bobBrowser.signInAtPrintShop(s, "bob", "builder")
	// Both start connecting before either finishes: each state belongs to its own session.
	aliceStart := aliceBrowser.get(s.PrintURL + "/connect").redirect(t)
	bobStart := bobBrowser.get(s.PrintURL + "/connect").redirect(t)
	aliceAuth := aliceBrowser.authorizeAtAccounts(s, aliceStart.String(), "alice", "wonderland", "allow")
	bobAuth := bobBrowser.authorizeAtAccounts(s, bobStart.String(), "bob", "builder", "allow")
	aliceGallery := followToGallery(t, aliceBrowser, s, aliceAuth.Callback)
	bobGallery := followToGallery(t, bobBrowser, s, bobAuth.Callback)

	for _, tc := range []struct {
		name              string
		gallery           *page
		own, others       []apiPhoto
		owner, otherOwner string
	}{
		{"alice sees only hers", aliceGallery, alice, bob, "alice", "bob"},
		{"bob sees only his", bobGallery, bob, alice, "bob", "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, missing := titlesIn(tc.gallery.Body, tc.own); len(missing) > 0 {
				t.Errorf("%s's gallery lacks %q", tc.owner, missing)
			}
			if found, _ := titlesIn(tc.gallery.Body, tc.others); len(found) > 0 {
				t.Errorf("%s's gallery shows %s's photos %q", tc.owner, tc.otherOwner, found)
			}
		})
	}

	// A photo id is no key: Photos answers 404 for another user's photo, and so does PrintShop.
	p := bobBrowser.get(s.PrintURL + "/photos/" + alice[0].ID + "/thumbnail")
	if p.Status != http.StatusNotFound || p.Header.Get("Content-Type") == "image/jpeg" {
		t.Errorf("bob asking PrintShop for alice's thumbnail: got %d %s, want 404", p.Status, p.Header.Get("Content-Type"))
	}

	if s.hasDatabase(t, "that PrintShop holds separate tokens for alice and bob") {
		aliceConn, okA := printingConnection(t, s, "alice")
		bobConn, okB := printingConnection(t, s, "bob")
		if !okA || !okB || aliceConn.RefreshToken == bobConn.RefreshToken || aliceConn.AccessToken == bobConn.AccessToken {
			t.Errorf("PrintShop should hold separate tokens for alice (found: %v) and bob (found: %v)", okA, okB)
		}
	}
}
