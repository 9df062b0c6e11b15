package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/photos/internal/access"
)

// Key rotation at Accounts: a token signed with a new key passes after one refetch of the JWKS,
// and unknown kids cause at most one fetch per interval, however many arrive.
func TestKeyRotationRefetchesAtMostOncePerInterval(t *testing.T) {
	accounts := newFakeAccounts(t)
	oldKey := newKey(t, jwa.RS256, "old")
	newer := newKey(t, jwa.ES256, "new")
	accounts.publish(oldKey)
	srv := newPhotosServer(t, accounts) // RefetchInterval: 10 s
	token := func(_ any, kid string) string {
		c := goodClaims(srv.Clock.Now())
		c["jti"] = fmt.Sprint("jti-", time.Now().UnixNano())
		if kid == "" {
			return forge(t, oldKey, c, nil)
		}
		return forge(t, newer, c, map[string]any{"kid": kid})
	}
	status := func(tok string) int { return srv.get(t, "/api/photos", tok).StatusCode }
	fetches := func() int64 { return accounts.fetches.Load() }

	if got := status(token(oldKey, "")); got != http.StatusOK {
		t.Fatalf("old key: got %d, want 200", got)
	}
	if fetches() != 1 {
		t.Fatalf("got %d fetches after the first token, want 1", fetches())
	}

	// Accounts rotates, but this Photos has not seen the new key yet: one refetch, still unknown.
	if got := status(token(newer, "new")); got != http.StatusUnauthorized {
		t.Fatalf("new key before it is published: got %d, want 401", got)
	}
	if fetches() != 2 {
		t.Fatalf("got %d fetches, want 2: an unknown kid refetches once", fetches())
	}
	accounts.publish(newer)
	if got := status(token(newer, "new")); got != http.StatusUnauthorized {
		t.Errorf("within the interval: got %d, want 401 without a refetch", got)
	}
	if fetches() != 2 {
		t.Errorf("got %d fetches within the interval, want still 2", fetches())
	}

	// After the interval, one refetch finds the new key.
	srv.Clock.Advance(11 * time.Second)
	if got := status(token(newer, "new")); got != http.StatusOK {
		t.Fatalf("new key after the interval: got %d, want 200", got)
	}
	if fetches() != 3 {
		t.Fatalf("got %d fetches, want 3", fetches())
	}
	if got := status(token(oldKey, "")); got != http.StatusOK {
		t.Errorf("old key, still published: got %d, want 200", got)
	}

	// A flood of made-up kids: at most one fetch per interval.
	for round := 0; round < 2; round++ {
		srv.Clock.Advance(11 * time.Second)
		before := fetches()
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				code := status(token(newer, fmt.Sprintf("made-up-%d-%d", round, i)))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if codes[http.StatusUnauthorized] != 100 {
			t.Errorf("round %d: got answers %v, want 100 × 401", round, codes)
		}
		if n := fetches() - before; n > 1 {
			t.Errorf("round %d: 100 unknown kids caused %d fetches, want at most 1", round, n)
		}
	}
}

// While Accounts is down, the keys Photos already fetched keep working; if it never fetched any,
// the answer is 503 with a clear message, not a crash and not a 401.
func TestAccountsDown(t *testing.T) {
	t.Run("cached keys keep working", func(t *testing.T) {
		accounts := newFakeAccounts(t)
		key := newKey(t, jwa.RS256, "key-1")
		accounts.publish(key)
		srv := newPhotosServer(t, accounts)
		if r := srv.get(t, "/api/photos", forge(t, key, goodClaims(srv.Clock.Now()), nil)); r.StatusCode != http.StatusOK {
			t.Fatalf("got %d, want 200", r.StatusCode)
		}
		accounts.srv.Close()
		c := goodClaims(srv.Clock.Now())
		c["jti"] = "another-token"
		if r := srv.get(t, "/api/photos", forge(t, key, c, nil)); r.StatusCode != http.StatusOK {
			t.Errorf("a new token while Accounts is down: got %d %s, want 200", r.StatusCode, r.Body)
		}
	})
	t.Run("no keys ever fetched: 503", func(t *testing.T) {
		accounts := newFakeAccounts(t)
		key := newKey(t, jwa.RS256, "key-1")
		accounts.publish(key)
		accounts.srv.Close()
		srv := newPhotosServer(t, accounts)
		r := srv.get(t, "/api/photos", forge(t, key, goodClaims(srv.Clock.Now()), nil))
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("got %d, want 503", r.StatusCode)
		}
		desc, _ := r.jsonBody(t)["error_description"].(string)
		if !strings.Contains(desc, "no signing keys from Accounts") || r.Header.Get("Retry-After") == "" {
			t.Errorf("got %q (Retry-After %q), want a message naming Accounts' keys and a Retry-After", desc, r.Header.Get("Retry-After"))
		}
		if r.Header.Get("WWW-Authenticate") != "" {
			t.Error("a 503 blames the token with WWW-Authenticate")
		}
	})
}

// A verified token is remembered until its exp, and not after: the next use re-checks it.
func TestVerifiedTokenCacheEndsAtExp(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	c := goodClaims(srv.Clock.Now())
	c["exp"] = srv.Clock.Now().Add(2 * time.Minute).Unix()
	tok := forge(t, key, c, nil)
	if r := srv.get(t, "/api/photos", tok); r.StatusCode != http.StatusOK {
		t.Fatalf("got %d, want 200", r.StatusCode)
	}
	srv.Clock.Advance(2*time.Minute + access.MaxSkew + time.Second)
	if r := srv.get(t, "/api/photos", tok); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("after exp plus skew: got %d, want 401", r.StatusCode)
	}
}
