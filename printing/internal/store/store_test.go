package store

// Tests of PrintShop's SQLite store, on real SQLite files in a temp dir.

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// storeOpen opens a fresh store in a temp dir, with alice and bob as users.
func storeOpen(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "printing.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, u := range []string{"alice", "bob"} {
		if err := s.SaveUser(t.Context(), User{Username: u, Name: u, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

var storeNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// storeConnect gives username a connection with the given refresh token.
func storeConnect(t *testing.T, s *Store, username, refresh string) {
	t.Helper()
	err := s.SaveConnection(t.Context(), Connection{Username: username, AccessToken: "at-" + refresh, RefreshToken: refresh,
		ExpiresAt: storeNow.Add(10 * time.Minute), Scope: []string{"photos.read"}, ConnectedAt: storeNow})
	if err != nil {
		t.Fatal(err)
	}
}

// The style guide: per-connection pragmas go in the DSN so that every connection the pool opens
// has them, not only the first. Several connections are held at once to make the pool open them.
func TestStorePragmasOnEveryPooledConnection(t *testing.T) {
	cases := []struct {
		name  string
		path  func(t *testing.T) string
		conns int
		want  map[string]string
	}{
		{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "p.db") }, 4,
			map[string]string{"foreign_keys": "1", "busy_timeout": "5000", "journal_mode": "wal", "synchronous": "1"}},
		{":memory:", func(*testing.T) string { return ":memory:" }, 1,
			map[string]string{"foreign_keys": "1", "busy_timeout": "5000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.path(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var conns []*sql.Conn
			for range tc.conns {
				c, err := s.db.Conn(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			if got := s.db.Stats().OpenConnections; got < tc.conns {
				t.Fatalf("open connections: got %d, want at least %d", got, tc.conns)
			}
			for i, c := range conns {
				for pragma, want := range tc.want {
					var got string
					if err := c.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("connection %d: PRAGMA %s = %q, want %q", i, pragma, got, want)
					}
				}
			}
		})
	}
}

// Migrations are recorded and applied once: opening the same file again works and keeps data.
func TestStoreMigrationsAppliedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "printing.db")
	for i := range 2 {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if err := s.SaveUser(t.Context(), User{Username: "alice", Name: "Alice", PasswordHash: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := fs.Glob(migrations, "migrations/*.sql")
		if n != len(files) {
			t.Errorf("open %d: recorded migrations: got %d, want %d (one per file)", i, n, len(files))
		}
		if _, err := s.User(t.Context(), "alice"); err != nil {
			t.Errorf("open %d: alice: %v", i, err)
		}
		s.Close()
	}
}

// storeSession makes a session row for attempts to hang on.
func storeSession(t *testing.T, s *Store, id string) Session {
	t.Helper()
	sess, err := s.CreateSession(t.Context(), Hash(id), "csrf-"+id, storeNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// RFC 6749 §10.12 and the issue: a state is used at most once. TakeAttempt returns the attempt
// and marks it taken; the second take reports first == false, an unknown state ErrNotFound.
func TestStoreTakeAttemptSingleUse(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	sess := storeSession(t, s, "browser-1")
	want := Attempt{SessionKey: sess.Key, Username: "alice", Verifier: "verifier-1", Scope: []string{"photos.read"}, CreatedAt: storeNow}
	if err := s.SaveAttempt(ctx, Hash("state-1"), want); err != nil {
		t.Fatal(err)
	}

	got, first, err := s.TakeAttempt(ctx, Hash("state-1"), storeNow)
	if err != nil || !first {
		t.Fatalf("first take: got first %v, err %v; want true, nil", first, err)
	}
	if got.SessionKey != want.SessionKey || got.Username != want.Username || got.Verifier != want.Verifier ||
		!slices.Equal(got.Scope, want.Scope) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, first, err := s.TakeAttempt(ctx, Hash("state-1"), storeNow); err != nil || first {
		t.Errorf("second take: got first %v, err %v; want false, nil", first, err)
	}
	if _, _, err := s.TakeAttempt(ctx, Hash("never-issued"), storeNow); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown state: got err %v, want %v", err, ErrNotFound)
	}
}

// Concurrent takes of one state: exactly one wins.
func TestStoreTakeAttemptOnceUnderConcurrency(t *testing.T) {
	s := storeOpen(t)
	sess := storeSession(t, s, "browser-1")
	if err := s.SaveAttempt(t.Context(), Hash("state-1"), Attempt{SessionKey: sess.Key, Username: "alice", Verifier: "v", CreatedAt: storeNow}); err != nil {
		t.Fatal(err)
	}
	const n = 10
	errs := make(chan error, n)
	for range n {
		go func() {
			_, first, err := s.TakeAttempt(context.Background(), Hash("state-1"), storeNow)
			if err == nil && !first {
				err = ErrNotFound // taken by another goroutine first
			}
			errs <- err
		}()
	}
	wins := 0
	deadline := time.After(30 * time.Second)
	for range n {
		select {
		case err := <-errs:
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrNotFound):
				t.Errorf("take: %v", err)
			}
		case <-deadline:
			t.Fatal("the takes did not finish within 30 s")
		}
	}
	if wins != 1 {
		t.Errorf("successful takes: got %d, want %d", wins, 1)
	}
}

// Logging out ends the session's pending attempts with it.
func TestStoreDeleteSessionEndsItsAttempts(t *testing.T) {
	s := storeOpen(t)
	sess := storeSession(t, s, "browser-1")
	if err := s.SaveAttempt(t.Context(), Hash("state-1"), Attempt{SessionKey: sess.Key, Username: "alice", Verifier: "v", CreatedAt: storeNow}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(t.Context(), sess.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TakeAttempt(t.Context(), Hash("state-1"), storeNow); !errors.Is(err, ErrNotFound) {
		t.Errorf("attempt after logout: got err %v, want %v", err, ErrNotFound)
	}
}

// DeleteExpired removes attempts older than the limit and expired sessions, and nothing else.
func TestStoreDeleteExpired(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	sess := storeSession(t, s, "browser-1")
	s.SaveAttempt(ctx, Hash("old"), Attempt{SessionKey: sess.Key, Username: "alice", Verifier: "v", CreatedAt: storeNow.Add(-11 * time.Minute)})
	s.SaveAttempt(ctx, Hash("young"), Attempt{SessionKey: sess.Key, Username: "alice", Verifier: "v", CreatedAt: storeNow.Add(-9 * time.Minute)})
	if err := s.DeleteExpired(ctx, storeNow, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TakeAttempt(ctx, Hash("old"), storeNow); !errors.Is(err, ErrNotFound) {
		t.Errorf("old attempt: got err %v, want %v", err, ErrNotFound)
	}
	if _, _, err := s.TakeAttempt(ctx, Hash("young"), storeNow); err != nil {
		t.Errorf("young attempt: got err %v, want it kept", err)
	}
	if _, err := s.Session(ctx, Hash("browser-1"), storeNow); err != nil {
		t.Errorf("live session: %v", err)
	}
	if err := s.DeleteExpired(ctx, storeNow.Add(2*time.Hour), 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
	if n != 0 {
		t.Errorf("sessions after expiry: got %d, want %d", n, 0)
	}
}

// RFC 6749 §6 with rotation: SaveRefresh replaces the tokens only if the refresh token presented
// is still the stored one, and the connection is not lost; otherwise ErrStale and nothing changes.
func TestStoreSaveRefreshOnlyOverTheCurrentToken(t *testing.T) {
	ctx := context.Background()
	next := func(rt string) Connection {
		return Connection{AccessToken: "at-" + rt, RefreshToken: rt, ExpiresAt: storeNow.Add(20 * time.Minute), Scope: []string{"photos.read"}}
	}
	t.Run("current token", func(t *testing.T) {
		s := storeOpen(t)
		storeConnect(t, s, "alice", "rt-1")
		if err := s.SaveRefresh(ctx, "alice", "rt-1", next("rt-2"), storeNow.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		c, err := s.Connection(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if c.RefreshToken != "rt-2" || c.AccessToken != "at-rt-2" || !c.ExpiresAt.Equal(storeNow.Add(20*time.Minute)) ||
			!c.RefreshedAt.Equal(storeNow.Add(time.Minute)) {
			t.Errorf("after the refresh: %+v, want rt-2, at-rt-2 and the new expiry", c)
		}
	})
	t.Run("a token already rotated out", func(t *testing.T) {
		s := storeOpen(t)
		storeConnect(t, s, "alice", "rt-1")
		if err := s.SaveRefresh(ctx, "alice", "rt-1", next("rt-2"), storeNow); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveRefresh(ctx, "alice", "rt-1", next("rt-3"), storeNow); !errors.Is(err, ErrStale) {
			t.Errorf("got err %v, want %v", err, ErrStale)
		}
		if c, _ := s.Connection(ctx, "alice"); c.RefreshToken != "rt-2" || c.AccessToken != "at-rt-2" {
			t.Errorf("the stale save changed the tokens to %q/%q", c.AccessToken, c.RefreshToken)
		}
	})
	t.Run("a lost connection", func(t *testing.T) {
		s := storeOpen(t)
		storeConnect(t, s, "alice", "rt-1")
		if err := s.MarkLost(ctx, "alice", "revoked"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveRefresh(ctx, "alice", "rt-1", next("rt-2"), storeNow); !errors.Is(err, ErrStale) {
			t.Errorf("got err %v, want %v", err, ErrStale)
		}
		if c, _ := s.Connection(ctx, "alice"); c.Connected() || c.LostReason != "revoked" {
			t.Errorf("lost_reason %q, want %q", c.LostReason, "revoked")
		}
	})
	t.Run("a deleted connection", func(t *testing.T) {
		s := storeOpen(t)
		storeConnect(t, s, "alice", "rt-1")
		if err := s.DeleteConnection(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveRefresh(ctx, "alice", "rt-1", next("rt-2"), storeNow); !errors.Is(err, ErrStale) {
			t.Errorf("got err %v, want %v", err, ErrStale)
		}
		if _, err := s.Connection(ctx, "alice"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the stale save brought the connection back: %v", err)
		}
	})
	t.Run("another user's token", func(t *testing.T) {
		s := storeOpen(t)
		storeConnect(t, s, "alice", "rt-a")
		storeConnect(t, s, "bob", "rt-b")
		if err := s.SaveRefresh(ctx, "alice", "rt-b", next("rt-x"), storeNow); !errors.Is(err, ErrStale) {
			t.Errorf("got err %v, want %v", err, ErrStale)
		}
	})
}

// A new connection clears an old lost_reason: reconnecting makes the user connected again.
func TestStoreSaveConnectionClearsLostReason(t *testing.T) {
	s := storeOpen(t)
	storeConnect(t, s, "alice", "rt-1")
	s.MarkLost(t.Context(), "alice", "revoked")
	storeConnect(t, s, "alice", "rt-9")
	c, err := s.Connection(t.Context(), "alice")
	if err != nil || !c.Connected() || c.RefreshToken != "rt-9" {
		t.Errorf("after reconnecting: %+v (err %v), want connected with rt-9", c, err)
	}
}

// DeleteConnection forgets the user's tokens and the thumbnails fetched with them, and only
// that user's.
func TestStoreDeleteConnectionRemovesThumbnails(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	storeConnect(t, s, "alice", "rt-a")
	storeConnect(t, s, "bob", "rt-b")
	for _, th := range [][2]string{{"alice", "p-1"}, {"alice", "p-2"}, {"bob", "p-3"}} {
		if err := s.SaveThumbnail(ctx, th[0], th[1], []byte("jpeg"), storeNow); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteConnection(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connection(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("alice's connection: got err %v, want %v", err, ErrNotFound)
	}
	for _, id := range []string{"p-1", "p-2"} {
		if _, err := s.Thumbnail(ctx, "alice", id); !errors.Is(err, ErrNotFound) {
			t.Errorf("alice's thumbnail %s: got err %v, want %v", id, err, ErrNotFound)
		}
	}
	if _, err := s.Connection(ctx, "bob"); err != nil {
		t.Errorf("bob's connection: %v", err)
	}
	if _, err := s.Thumbnail(ctx, "bob", "p-3"); err != nil {
		t.Errorf("bob's thumbnail: %v", err)
	}
}

// Thumbnails are cached per user and photo.
func TestStoreThumbnailsPerUser(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	if err := s.SaveThumbnail(ctx, "alice", "p-1", []byte("a"), storeNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Thumbnail(ctx, "bob", "p-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob reading alice's thumbnail: got err %v, want %v", err, ErrNotFound)
	}
	if err := s.SaveThumbnail(ctx, "alice", "p-1", []byte("b"), storeNow); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Thumbnail(ctx, "alice", "p-1"); err != nil || string(got) != "b" {
		t.Errorf("got %q (err %v), want %q", got, err, "b")
	}
}

// Orders belong to their user: listing, reading and the proof see only the user's own. The list
// is newest first.
func TestStoreOrdersPerUser(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	add := func(user string, at time.Time, proof string) int64 {
		t.Helper()
		id, err := s.AddOrder(ctx, Order{Username: user, Size: "4x6", Copies: 2, Titles: []string{user + " photo"}, CreatedAt: at}, []byte(proof))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1 := add("alice", storeNow, "proof-a1")
	b1 := add("bob", storeNow.Add(time.Minute), "proof-b1")
	a2 := add("alice", storeNow.Add(2*time.Minute), "proof-a2")

	orders, err := s.Orders(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, o := range orders {
		ids = append(ids, o.ID)
		if o.Username != "alice" {
			t.Errorf("alice's list holds %s's order %d", o.Username, o.ID)
		}
	}
	if !slices.Equal(ids, []int64{a2, a1}) {
		t.Errorf("alice's orders: got %v, want %v (newest first)", ids, []int64{a2, a1})
	}
	o, err := s.Order(ctx, "alice", a1)
	if err != nil || o.Size != "4x6" || o.Copies != 2 || !slices.Equal(o.Titles, []string{"alice photo"}) || !o.CreatedAt.Equal(storeNow) {
		t.Errorf("alice's order: %+v (err %v)", o, err)
	}
	if _, err := s.Order(ctx, "bob", a1); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob reading alice's order: got err %v, want %v", err, ErrNotFound)
	}
	if _, err := s.Proof(ctx, "bob", a1); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob reading alice's proof: got err %v, want %v", err, ErrNotFound)
	}
	if p, err := s.Proof(ctx, "bob", b1); err != nil || string(p) != "proof-b1" {
		t.Errorf("bob's proof: got %q (err %v)", p, err)
	}
	// Orders outlive the connection.
	storeConnect(t, s, "alice", "rt")
	if err := s.DeleteConnection(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Proof(ctx, "alice", a2); err != nil || string(p) != "proof-a2" {
		t.Errorf("alice's proof after disconnecting: got %q (err %v)", p, err)
	}
}

// Foreign keys are enforced: tokens cannot be stored for a user PrintShop does not have.
func TestStoreForeignKeysEnforced(t *testing.T) {
	s := storeOpen(t)
	err := s.SaveConnection(t.Context(), Connection{Username: "mallory", AccessToken: "a", RefreshToken: "r", ConnectedAt: storeNow})
	if err == nil {
		t.Error("a connection for an unknown user was stored")
	}
}

// A login gives the session a new id: the old id no longer finds it (session fixation).
func TestStoreSignInChangesTheSessionID(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	sess := storeSession(t, s, "old-id")
	if err := s.SignIn(ctx, sess.Key, Hash("new-id"), "new-csrf", "alice", storeNow.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, Hash("old-id"), storeNow); !errors.Is(err, ErrNotFound) {
		t.Errorf("old id: got err %v, want %v", err, ErrNotFound)
	}
	got, err := s.Session(ctx, Hash("new-id"), storeNow)
	if err != nil || got.Key != sess.Key || got.Username != "alice" || got.CSRFToken != "new-csrf" {
		t.Errorf("new id: %+v (err %v), want the same key signed in as alice with the new CSRF token", got, err)
	}
	if _, err := s.Session(ctx, Hash("new-id"), storeNow.Add(13*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session: got err %v, want %v", err, ErrNotFound)
	}
}
