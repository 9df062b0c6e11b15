package web

// Workshop exercise 11's checker: one refresh after a 401 from Photos (RFC 6750 §3.1, RFC 6749
// §6), never a loop, and one refresh for many requests refused at once (RFC 9700 §4.14.2).

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestExercise11RefreshOnceOn401RFC6750Section3_1(t *testing.T) {
	readNext(t, "RFC 6750 §3.1, RFC 6749 §6, RFC 9700 §4.14.2; workshop/11-refresh-on-401.md, hints 1 and 2")
	t.Run("a 401 gets one refresh and one retry, RFC 6750 §3.1", func(t *testing.T) {
		shop, b := tokensConnected(t)
		before := tokensAccounts(shop).tokenRequests
		shop.Photos.reject() // Photos forgets the token, as after a revocation
		p := b.get("/photos")
		refreshes := tokensAccounts(shop).tokenRequests - before
		switch {
		case refreshes == 0:
			t.Errorf("Photos answered 401 and PrintShop gave up (status %d) without refreshing: get a fresh access token with the refresh token, then call again (hint 1)", p.StatusCode)
		case refreshes > 1:
			t.Errorf("one 401 made %d refreshes: refresh once", refreshes)
		case p.StatusCode != http.StatusOK:
			t.Errorf("PrintShop refreshed but the page still failed with %d: did you call Photos again with the NEW token? (hint 1)", p.StatusCode)
		}
	})
	t.Run("a second 401 asks to reconnect instead of looping", func(t *testing.T) {
		shop, b := tokensConnected(t)
		tokensChangeAccounts(shop, func(a *fakeAccounts) { a.photos = nil }) // fresh tokens are refused too
		shop.Photos.reject()
		before, photosBefore := tokensAccounts(shop).tokenRequests, tokensPhotosRequests(shop)
		p := b.get("/photos")
		if got := tokensAccounts(shop).tokenRequests - before; got > 1 {
			t.Errorf("Photos refused even the fresh token, and PrintShop refreshed %d times: refresh once, then stop (a loop hammers Accounts for nothing)", got)
		}
		if got := tokensPhotosRequests(shop) - photosBefore; got > 2 {
			t.Errorf("Photos was called %d times for one page: the call and one retry are enough", got)
		}
		if p.StatusCode != http.StatusUnauthorized {
			t.Errorf("got status %d, want %d: after the retry is refused, return errPhotosRefusesFreshToken(err) so the user can connect again", p.StatusCode, http.StatusUnauthorized)
		}
	})
	t.Run("many 401s at once make one refresh, RFC 9700 §4.14.2", func(t *testing.T) {
		shop, b := tokensConnected(t)
		before := tokensAccounts(shop)
		shop.Photos.reject()
		const n = 8
		statuses := make(chan string, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				path := fmt.Sprintf("/photos/p-alice-%d/thumbnail", i%3)
				status, err := tokensFetch(b, path)
				if err != nil || status != http.StatusOK {
					statuses <- fmt.Sprintf("GET %s: status %d, err %v", path, status, err)
				}
			})
		}
		// Accounts holds its answers until every request is in flight, so that a missing lock
		// shows as several refreshes.
		shop.Accounts.mu.Lock()
		close(start)
		time.Sleep(300 * time.Millisecond)
		shop.Accounts.mu.Unlock()
		wg.Wait()
		close(statuses)
		after := tokensAccounts(shop)
		if got := after.tokenRequests - before.tokenRequests; got != 1 {
			t.Errorf("%d requests refused at once made %d refreshes: the second presented a rotated refresh token, and Accounts revokes the whole grant for that (RFC 9700 §4.14.2). Take k.lock(username), read the connection again, and refresh only if its token is still the stale one (hint 2)", n, got)
		}
		for token, times := range after.usedRefresh {
			if times > 1 {
				t.Errorf("refresh token %q was presented %d times: serialize the refreshes per user (hint 2)", token, times)
			}
		}
		for s := range statuses {
			t.Error(s)
		}
	})
}
