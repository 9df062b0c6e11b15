package web

// Tests of the tokens PrintShop keeps for a user: refreshed ahead of expiry (RFC 6749 §6), the
// rotated refresh token saved, refreshes for one user serialized (RFC 9700 §4.14.2), a lost
// grant (RFC 6749 §5.2 invalid_grant), one refresh after a 401 from Photos (RFC 6750 §3.1),
// revocation at disconnect (RFC 7009 §2.1), and tokens that never reach the browser.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet/printing/internal/store"
)

// tokensAccountsView is a copy of what the fake Accounts saw and holds.
type tokensAccountsView struct {
	tokenRequests int
	usedRefresh   map[string]int
	live          map[string]string // live refresh token → username
	revoked       []url.Values
}

func tokensAccounts(shop *printShop) tokensAccountsView {
	a := shop.Accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	v := tokensAccountsView{tokenRequests: a.tokenRequests, usedRefresh: map[string]int{}, live: map[string]string{},
		revoked: append([]url.Values(nil), a.revoked...)}
	for k, n := range a.usedRefresh {
		v.usedRefresh[k] = n
	}
	for k, u := range a.refresh {
		v.live[k] = u
	}
	return v
}

// tokensChangeAccounts changes the fake Accounts under its lock.
func tokensChangeAccounts(shop *printShop, change func(a *fakeAccounts)) {
	shop.Accounts.mu.Lock()
	defer shop.Accounts.mu.Unlock()
	change(shop.Accounts)
}

// tokensPhotosRequests is how many API requests the fake Photos has seen.
func tokensPhotosRequests(shop *printShop) int {
	shop.Photos.mu.Lock()
	defer shop.Photos.mu.Unlock()
	return shop.Photos.requests
}

// tokensConnected is a PrintShop where alice is signed in and connected, on her gallery.
func tokensConnected(t *testing.T) (*printShop, *browser) {
	t.Helper()
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	if p := b.connect("alice"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("connect: got %d at %s, want the gallery:\n%s", p.StatusCode, p.Request.URL.Path, p.Body)
	}
	return shop, b
}

// tokensConnection returns alice's stored connection, failing if there is none.
func tokensConnection(t *testing.T, shop *printShop) store.Connection {
	t.Helper()
	conn, ok := callbackConnection(t, shop, "alice")
	if !ok {
		t.Fatal("PrintShop holds no connection for alice")
	}
	return conn
}

// tokensGallery loads /photos and checks it shows alice's photos.
func tokensGallery(t *testing.T, b *browser) {
	t.Helper()
	p := b.get("/photos")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "alice: Sunrise over the hills") {
		t.Fatalf("GET /photos: got status %d, want %d with alice's photos:\n%s", p.StatusCode, http.StatusOK, p.Body)
	}
}

var tokensRetryLink = regexp.MustCompile(`href="([^"]+)">Try again<`)

// RFC 6749 §6 and the issue: the access token is refreshed 60 s before it expires, not later
// and not much earlier.
func TestTokensRefreshedSixtySecondsAheadRFC6749Section6(t *testing.T) {
	shop, b := tokensConnected(t)
	before := tokensAccounts(shop).tokenRequests

	shop.Clock.Advance(530 * time.Second) // 70 s left of the 600 s the token lives
	tokensGallery(t, b)
	if got := tokensAccounts(shop).tokenRequests; got != before {
		t.Errorf("70 s before expiry: token requests got %d, want %d (no refresh yet)", got, before)
	}

	shop.Clock.Advance(20 * time.Second) // 50 s left: inside the 60 s margin
	tokensGallery(t, b)
	if got := tokensAccounts(shop).tokenRequests; got != before+1 {
		t.Errorf("50 s before expiry: token requests got %d, want %d (one refresh)", got, before+1)
	}
}

// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): after a refresh the database holds the new
// refresh token and the new access token, and the old refresh token is dead at Accounts.
func TestTokensRotatedRefreshTokenSavedRFC6749Section6(t *testing.T) {
	shop, b := tokensConnected(t)
	old := tokensConnection(t, shop)
	shop.Clock.Advance(601 * time.Second)

	tokensGallery(t, b)

	now := tokensConnection(t, shop)
	if now.RefreshToken == old.RefreshToken {
		t.Fatalf("the database still holds the old refresh token %q", old.RefreshToken)
	}
	if now.AccessToken == old.AccessToken {
		t.Errorf("the database still holds the old access token %q", old.AccessToken)
	}
	if want := shop.Clock.Now().Add(600 * time.Second); !now.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v (expires_in from the refresh)", now.ExpiresAt, want)
	}
	seen := tokensAccounts(shop)
	if _, live := seen.live[old.RefreshToken]; live {
		t.Errorf("the old refresh token %q is still live at Accounts", old.RefreshToken)
	}
	if user, live := seen.live[now.RefreshToken]; !live || user != "alice" {
		t.Errorf("the stored refresh token %q is not alice's live one at Accounts", now.RefreshToken)
	}
	if got := seen.usedRefresh[old.RefreshToken]; got != 1 {
		t.Errorf("the old refresh token was presented %d times, want 1", got)
	}
	// The new one works for the next expiry too.
	shop.Clock.Advance(601 * time.Second)
	tokensGallery(t, b)
	if got := tokensAccounts(shop).usedRefresh[now.RefreshToken]; got != 1 {
		t.Errorf("the rotated refresh token was presented %d times, want 1", got)
	}
}

// tokensFetch loads path with the browser's cookies from any goroutine (the harness's get may
// only fail the test from the test's own goroutine).
func tokensFetch(b *browser, path string) (int, error) {
	resp, err := b.client.Get(b.shop.URL + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// RFC 9700 §4.14.2: Accounts treats a second use of a rotated refresh token as theft and
// revokes the grant, so PrintShop serializes refreshes per user: twenty requests at once after
// expiry make exactly one refresh, and no refresh token is presented twice.
func TestTokensConcurrentRefreshesSerializedRFC9700Section4_14_2(t *testing.T) {
	shop, b := tokensConnected(t)
	before := tokensAccounts(shop)
	shop.Clock.Advance(601 * time.Second)

	const n = 20
	type result struct {
		path   string
		status int
		err    error
	}
	results := make(chan result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		path := "/photos"
		if i%2 == 1 {
			path = fmt.Sprintf("/photos/p-alice-%d/thumbnail", i%3)
		}
		wg.Go(func() {
			<-start
			status, err := tokensFetch(b, path)
			results <- result{path, status, err}
		})
	}
	// Accounts holds its answers until all twenty requests are in flight, so that a missing
	// lock shows as several refreshes rather than hiding behind a quick first one.
	shop.Accounts.mu.Lock()
	close(start)
	time.Sleep(300 * time.Millisecond)
	shop.Accounts.mu.Unlock()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the 20 requests did not finish within 60 s")
	}
	close(results)
	for r := range results {
		if r.err != nil || r.status != http.StatusOK {
			t.Errorf("GET %s: got status %d (err %v), want %d", r.path, r.status, r.err, http.StatusOK)
		}
	}

	after := tokensAccounts(shop)
	if got, want := after.tokenRequests, before.tokenRequests+1; got != want {
		t.Errorf("token requests: got %d, want %d (one refresh)", got, want)
	}
	for token, times := range after.usedRefresh {
		if times != 1 {
			t.Errorf("refresh token %q was presented %d times, want 1", token, times)
		}
	}
	if got := len(after.usedRefresh); got != 1 {
		t.Errorf("refresh tokens presented: got %d, want %d", got, 1)
	}
	conn := tokensConnection(t, shop)
	if !conn.Connected() {
		t.Errorf("the connection was lost: %s", conn.LostReason)
	}
	if _, live := after.live[conn.RefreshToken]; !live {
		t.Errorf("the stored refresh token %q is not live at Accounts", conn.RefreshToken)
	}
}

// RFC 6749 §5.2: invalid_grant at refresh means the grant is gone (revoked, expired, or a
// rotated-out token). The issue: PrintShop marks the user disconnected, shows a "lost access"
// page with a Connect button, and the home page offers to connect again.
func TestTokensInvalidGrantAsksToReconnectRFC6749Section5_2(t *testing.T) {
	cases := []struct {
		name string
		lose func(a *fakeAccounts)
	}{
		{"Accounts answers invalid_grant", func(a *fakeAccounts) { a.refreshError = "invalid_grant" }},
		{"the refresh token was deleted at Accounts", func(a *fakeAccounts) { clear(a.refresh) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := tokensConnected(t)
			tokensChangeAccounts(shop, tc.lose)
			shop.Clock.Advance(601 * time.Second)

			p := b.get("/photos")
			if p.StatusCode == http.StatusOK || p.StatusCode == http.StatusInternalServerError {
				t.Errorf("GET /photos: got status %d, want an error page that is not a bare 500", p.StatusCode)
			}
			for _, want := range []string{"lost access", `href="/connect"`} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the page lacks %q:\n%s", want, p.Body)
				}
			}
			conn := tokensConnection(t, shop)
			if conn.LostReason == "" {
				t.Error("the connection has no lost_reason")
			}
			home := b.get("/")
			if !strings.Contains(home.Body, "lost access") || !strings.Contains(home.Body, `href="/connect"`) {
				t.Errorf("the home page does not offer to connect again:\n%s", home.Body)
			}
			if strings.Contains(home.Body, "See your photos and order prints") {
				t.Error("the home page still offers the gallery as if connected")
			}

			// A lost grant is not presented again on the next page.
			before := tokensAccounts(shop).tokenRequests
			b.get("/photos")
			if got := tokensAccounts(shop).tokenRequests; got != before {
				t.Errorf("token requests after the loss: got %d, want %d", got, before)
			}

			// Connecting again brings the gallery back.
			tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "" })
			if p := b.connect("alice"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
				t.Fatalf("reconnect: got %d at %s, want the gallery", p.StatusCode, p.Request.URL.Path)
			}
			if conn := tokensConnection(t, shop); conn.LostReason != "" {
				t.Errorf("after reconnecting, lost_reason = %q, want empty", conn.LostReason)
			}
		})
	}
}

// RFC 6750 §3.1 (invalid_token) and the issue: a 401 from Photos gets exactly one refresh and
// one retry, and the fresh token works.
func TestTokensPhotos401RefreshesOnceRFC6750Section3_1(t *testing.T) {
	cases := []struct {
		name string
		load func(t *testing.T, b *browser) page
	}{
		{"gallery", func(t *testing.T, b *browser) page { return b.get("/photos") }},
		{"thumbnail", func(t *testing.T, b *browser) page { return b.get("/photos/p-alice-1/thumbnail") }},
		{"order", func(t *testing.T, b *browser) page {
			return b.post("/orders", url.Values{"csrf_token": {csrf(t, b.get("/"))}, "photo": {"p-alice-0"}, "size": {"4x6"}, "copies": {"1"}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := tokensConnected(t)
			old := tokensConnection(t, shop)
			before := tokensAccounts(shop).tokenRequests
			shop.Photos.reject()

			p := tc.load(t, b)
			if p.StatusCode != http.StatusOK {
				t.Errorf("got status %d, want %d:\n%s", p.StatusCode, http.StatusOK, p.Body)
			}
			if got := tokensAccounts(shop).tokenRequests; got != before+1 {
				t.Errorf("token requests: got %d, want %d (one refresh)", got, before+1)
			}
			if now := tokensConnection(t, shop); now.AccessToken == old.AccessToken || now.RefreshToken == old.RefreshToken {
				t.Error("the refreshed tokens were not saved")
			}
		})
	}
}

// The issue: a second 401, with the token fresh from the refresh, asks the user to reconnect,
// after exactly one refresh and one retry. Photos here refuses every token, including those
// issued after the refresh (the fake Accounts no longer tells the fake Photos about them).
func TestTokensSecond401AsksToReconnectRFC6750Section3_1(t *testing.T) {
	shop, b := tokensConnected(t)
	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.photos = nil })
	shop.Photos.reject()
	before, photosBefore := tokensAccounts(shop).tokenRequests, tokensPhotosRequests(shop)

	p := b.get("/photos")

	if p.StatusCode == http.StatusOK || p.StatusCode == http.StatusInternalServerError {
		t.Errorf("got status %d, want an error page that is not a bare 500", p.StatusCode)
	}
	if !strings.Contains(p.Body, `href="/connect"`) {
		t.Errorf("the page does not offer to connect again:\n%s", p.Body)
	}
	if got := tokensAccounts(shop).tokenRequests; got != before+1 {
		t.Errorf("token requests: got %d, want %d (one refresh, no loop)", got, before+1)
	}
	if got := tokensPhotosRequests(shop); got != photosBefore+2 {
		t.Errorf("Photos requests: got %d, want %d (the call and one retry)", got, photosBefore+2)
	}
}

// The issue: Accounts down during a refresh gives a page naming Accounts with a retry link;
// nothing is lost, and the tokens stay as they were.
func TestTokensAccountsDownDuringRefresh(t *testing.T) {
	shop, b := tokensConnected(t)
	old := tokensConnection(t, shop)
	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
	shop.Clock.Advance(601 * time.Second)

	p := b.get("/photos")
	if p.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got status %d, want %d", p.StatusCode, http.StatusServiceUnavailable)
	}
	if !strings.Contains(p.Body, "Accounts") {
		t.Errorf("the page does not name Accounts:\n%s", p.Body)
	}
	if m := tokensRetryLink.FindStringSubmatch(p.Body); m == nil || m[1] != "/photos" {
		t.Errorf("retry link %v, want /photos", m)
	}
	now := tokensConnection(t, shop)
	if !now.Connected() || now.RefreshToken != old.RefreshToken {
		t.Errorf("Accounts being down changed the connection: lost %q, refresh token changed %v",
			now.LostReason, now.RefreshToken != old.RefreshToken)
	}
	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = false })
	tokensGallery(t, b)
}

// tokensDisconnect posts the home page's disconnect form.
func tokensDisconnect(t *testing.T, b *browser) page {
	t.Helper()
	return b.post("/disconnect", url.Values{"csrf_token": {csrf(t, b.get("/"))}})
}

// RFC 7009 §2.1: disconnecting revokes the refresh token, with token_type_hint=refresh_token,
// which ends the grant at Accounts; then PrintShop forgets the tokens and the thumbnails.
func TestDisconnectRevokesRefreshTokenRFC7009Section2_1(t *testing.T) {
	shop, b := tokensConnected(t)
	if p := b.get("/photos/p-alice-0/thumbnail"); p.StatusCode != http.StatusOK {
		t.Fatalf("thumbnail: got status %d, want %d", p.StatusCode, http.StatusOK)
	}
	conn := tokensConnection(t, shop)

	p := tokensDisconnect(t, b)

	if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/" {
		t.Errorf("got %d at %s, want the home page", p.StatusCode, p.Request.URL.Path)
	}
	seen := tokensAccounts(shop)
	if len(seen.revoked) != 1 {
		t.Fatalf("revocation requests: got %d, want %d", len(seen.revoked), 1)
	}
	if got := seen.revoked[0].Get("token"); got != conn.RefreshToken {
		t.Errorf("revoked token %q, want the refresh token %q", got, conn.RefreshToken)
	}
	if got := seen.revoked[0].Get("token_type_hint"); got != "refresh_token" {
		t.Errorf("token_type_hint = %q, want %q", got, "refresh_token")
	}
	if _, ok := callbackConnection(t, shop, "alice"); ok {
		t.Error("PrintShop still holds alice's tokens after disconnecting")
	}
	if _, err := shop.Store.Thumbnail(t.Context(), "alice", "p-alice-0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("thumbnail after disconnecting: got err %v, want %v", err, store.ErrNotFound)
	}
	if !strings.Contains(p.Body, `href="/connect"`) {
		t.Errorf("the home page does not offer to connect:\n%s", p.Body)
	}
	if g := b.get("/photos"); g.StatusCode == http.StatusOK {
		t.Errorf("GET /photos after disconnecting: got status %d, want the not-connected page", g.StatusCode)
	}
}

// The issue: if Accounts cannot take the revocation, PrintShop keeps the tokens and says so,
// on a page naming Accounts with a retry link.
func TestDisconnectKeepsTokensWhenAccountsIsDown(t *testing.T) {
	shop, b := tokensConnected(t)
	conn := tokensConnection(t, shop)
	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })

	p := tokensDisconnect(t, b)

	if p.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got status %d, want %d", p.StatusCode, http.StatusServiceUnavailable)
	}
	for _, want := range []string{"Accounts", "kept"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q:\n%s", want, p.Body)
		}
	}
	if tokensRetryLink.FindStringSubmatch(p.Body) == nil {
		t.Errorf("the page has no retry link:\n%s", p.Body)
	}
	if now := tokensConnection(t, shop); now.RefreshToken != conn.RefreshToken || now.AccessToken != conn.AccessToken {
		t.Error("PrintShop changed the tokens although the revocation failed")
	}
	if got := len(tokensAccounts(shop).revoked); got != 0 {
		t.Errorf("revocations recorded: got %d, want %d", got, 0)
	}

	tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = false })
	if p := tokensDisconnect(t, b); p.StatusCode != http.StatusOK {
		t.Errorf("disconnect once Accounts is back: got status %d, want %d", p.StatusCode, http.StatusOK)
	}
	if _, ok := callbackConnection(t, shop, "alice"); ok {
		t.Error("PrintShop still holds the tokens after a successful disconnect")
	}
}

// The contract: tokens never reach the browser, in a page, a URL, a cookie or a script. After
// a connect, the gallery, thumbnails, an order and a refresh, nothing the browser received
// holds an access or refresh token.
func TestTokensNeverReachTheBrowser(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	rec := pagesRecord(b)
	b.signIn("alice", "wonderland")
	if p := b.connect("alice"); p.StatusCode != http.StatusOK {
		t.Fatalf("connect: got status %d", p.StatusCode)
	}
	tokens := map[string]bool{}
	keep := func() {
		conn := tokensConnection(t, shop)
		tokens[conn.AccessToken], tokens[conn.RefreshToken] = true, true
	}
	keep()
	browse := func() {
		tokensGallery(t, b)
		for i := range 3 {
			if p := b.get(fmt.Sprintf("/photos/p-alice-%d/thumbnail", i)); p.StatusCode != http.StatusOK {
				t.Fatalf("thumbnail %d: got status %d", i, p.StatusCode)
			}
		}
		gallery := b.get("/photos")
		p := b.post("/orders", url.Values{"csrf_token": {csrf(t, gallery)}, "photo": {"p-alice-0", "p-alice-2"}, "size": {"5x7"}, "copies": {"2"}})
		if p.StatusCode != http.StatusOK {
			t.Fatalf("order: got status %d:\n%s", p.StatusCode, p.Body)
		}
		b.get(p.Request.URL.Path + "/proof.jpg")
		b.get("/orders")
		b.get("/")
	}
	browse()
	shop.Clock.Advance(601 * time.Second) // the next pages refresh the tokens
	browse()
	keep()
	// Every token Accounts ever issued, not just the ones stored last.
	for token := range tokensAccounts(shop).usedRefresh {
		tokens[token] = true
	}
	for token := range tokensAccounts(shop).live {
		tokens[token] = true
	}
	shop.Photos.mu.Lock()
	for token := range shop.Photos.tokens {
		tokens[token] = true
	}
	shop.Photos.mu.Unlock()
	if len(tokens) < 4 {
		t.Fatalf("only %d distinct tokens seen; the test did not refresh", len(tokens))
	}

	seen := rec.all()
	if len(seen) < 10 {
		t.Fatalf("only %d responses recorded", len(seen))
	}
	for _, s := range seen {
		for token := range tokens {
			if strings.Contains(s.url, token) {
				t.Errorf("the URL %s holds a token", s.url)
			}
			if strings.Contains(s.body, token) {
				t.Errorf("the body of %s holds token %q", s.url, token)
			}
			for name, values := range s.header {
				for _, v := range values {
					if strings.Contains(v, token) {
						t.Errorf("header %s of %s holds token %q", name, s.url, token)
					}
				}
			}
		}
	}
	for _, c := range b.client.Jar.Cookies(pagesURL(t, shop.URL)) {
		for token := range tokens {
			if strings.Contains(c.Value, token) {
				t.Errorf("cookie %s holds token %q", c.Name, token)
			}
		}
	}
}
