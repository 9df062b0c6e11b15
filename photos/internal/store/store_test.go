package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// storeTestOpen opens a fresh database file in a temp dir and closes it when the test ends.
func storeTestOpen(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "photos.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// storeTestPhoto is a photo of owner with a few bytes standing in for the JPEG.
func storeTestPhoto(owner, title string) NewPhoto {
	return NewPhoto{Photo: Photo{ID: NewPhotoID(), Owner: owner, Title: title, Album: "Album",
		Width: 4, Height: 3, TakenAt: time.Unix(1_700_000_000, 0).UTC()}, JPEG: []byte("jpeg of " + title)}
}

// STYLE.md "Storage": the pragmas are per connection, so every connection the pool opens must
// have them, not just the first. Three connections are held at once so the pool cannot hand
// the same one back.
func TestStorePragmasOnEveryConnection(t *testing.T) {
	s, _ := storeTestOpen(t)
	ctx := context.Background()
	for i := range 3 {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		tests := []struct {
			name, pragma, want string
		}{
			{"journal_mode is WAL, so readers do not block the writer", "journal_mode", "wal"},
			{"busy_timeout waits 5 s instead of failing with SQLITE_BUSY", "busy_timeout", "5000"},
			{"foreign_keys is on (it is off by default in SQLite)", "foreign_keys", "1"},
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("connection %d: %s", i+1, tc.name), func(t *testing.T) {
				var got string
				if err := conn.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("got PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
				}
			})
		}
	}
}

// STYLE.md "Storage": migrations are recorded in a table, and a reopened database applies
// none of them again (re-running CREATE TABLE would fail, and would lose data if it did not).
func TestStoreMigrationsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photos.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	kept := storeTestPhoto("alice", "Kept")
	if err := s.AddPhotos(ctx, []NewPhoto{kept}, time.Now()); err != nil {
		t.Fatal(err)
	}
	applied := storeTestMigrations(t, s)
	s.Close()

	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("each embedded migration is recorded", func(t *testing.T) {
		if len(applied) != len(files) {
			t.Fatalf("got %d recorded migrations, want %d", len(applied), len(files))
		}
		for _, f := range files {
			if _, ok := applied[f]; !ok {
				t.Errorf("migration %s is not recorded", f)
			}
		}
	})

	reopened, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer reopened.Close()
	t.Run("reopening applies nothing again", func(t *testing.T) {
		again := storeTestMigrations(t, reopened)
		if len(again) != len(applied) {
			t.Fatalf("got %d recorded migrations after reopen, want %d", len(again), len(applied))
		}
		for name, at := range applied {
			if again[name] != at {
				t.Errorf("migration %s applied_at changed from %d to %d", name, at, again[name])
			}
		}
	})
	t.Run("the data survives a reopen", func(t *testing.T) {
		if _, err := reopened.Photo(ctx, "alice", kept.ID); err != nil {
			t.Errorf("got %v, want the photo stored before the reopen", err)
		}
	})
}

func storeTestMigrations(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	rows, err := s.db.Query(`SELECT name, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var at int64
		if err := rows.Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		out[name] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Once runs its function the first time an event happens in a database, in the transaction
// that records it: the demo library is made on first start and never again, and a failed
// attempt leaves nothing behind, so the next start tries again.
func TestStoreOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	addTwo := func(calls *int) func(add func(NewPhoto) error) error {
		return func(add func(NewPhoto) error) error {
			*calls++
			for _, title := range []string{"one", "two"} {
				if err := add(storeTestPhoto("alice", title)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	count := func(t *testing.T, s *Store) int {
		t.Helper()
		photos, err := s.Photos(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		return len(photos)
	}

	t.Run("the first call runs fn and keeps what it added", func(t *testing.T) {
		s, _ := storeTestOpen(t)
		calls := 0
		ran, err := s.Once(ctx, "demo library", now, addTwo(&calls))
		if err != nil || !ran {
			t.Fatalf("got ran=%v err=%v, want ran=true err=nil", ran, err)
		}
		if calls != 1 {
			t.Errorf("got %d calls of fn, want 1", calls)
		}
		if got := count(t, s); got != 2 {
			t.Errorf("got %d photos, want 2", got)
		}
	})

	t.Run("a second call returns false and adds nothing", func(t *testing.T) {
		s, _ := storeTestOpen(t)
		calls := 0
		if _, err := s.Once(ctx, "demo library", now, addTwo(&calls)); err != nil {
			t.Fatal(err)
		}
		ran, err := s.Once(ctx, "demo library", now, addTwo(&calls))
		if err != nil || ran {
			t.Fatalf("got ran=%v err=%v, want ran=false err=nil", ran, err)
		}
		if calls != 1 {
			t.Errorf("got %d calls of fn, want 1", calls)
		}
		if got := count(t, s); got != 2 {
			t.Errorf("got %d photos, want 2", got)
		}
	})

	t.Run("once per database, also across a reopen", func(t *testing.T) {
		s, path := storeTestOpen(t)
		calls := 0
		if _, err := s.Once(ctx, "demo library", now, addTwo(&calls)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		reopened, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer reopened.Close()
		ran, err := reopened.Once(ctx, "demo library", now, addTwo(&calls))
		if err != nil || ran {
			t.Fatalf("got ran=%v err=%v after reopen, want ran=false err=nil", ran, err)
		}
		other, _ := storeTestOpen(t)
		ran, err = other.Once(ctx, "demo library", now, addTwo(&calls))
		if err != nil || !ran {
			t.Fatalf("got ran=%v err=%v in another database, want ran=true", ran, err)
		}
		if calls != 2 {
			t.Errorf("got %d calls of fn, want 2 (one per database)", calls)
		}
	})

	t.Run("other event names are independent", func(t *testing.T) {
		s, _ := storeTestOpen(t)
		calls := 0
		for _, name := range []string{"demo library", "another event"} {
			ran, err := s.Once(ctx, name, now, addTwo(&calls))
			if err != nil || !ran {
				t.Fatalf("%s: got ran=%v err=%v, want ran=true", name, ran, err)
			}
		}
	})

	t.Run("a failing fn rolls back, and the next call runs again", func(t *testing.T) {
		s, _ := storeTestOpen(t)
		boom := errors.New("generator failed")
		_, err := s.Once(ctx, "demo library", now, func(add func(NewPhoto) error) error {
			if err := add(storeTestPhoto("alice", "half done")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got err %v, want the error of fn", err)
		}
		if got := count(t, s); got != 0 {
			t.Errorf("got %d photos after the failed run, want 0 (rolled back)", got)
		}
		calls := 0
		ran, err := s.Once(ctx, "demo library", now, addTwo(&calls))
		if err != nil || !ran || calls != 1 {
			t.Fatalf("got ran=%v err=%v calls=%d after a failed run, want ran=true err=nil calls=1", ran, err, calls)
		}
		if got := count(t, s); got != 2 {
			t.Errorf("got %d photos, want 2", got)
		}
	})

	t.Run("concurrent calls, even from two Stores on one file, run fn exactly once", func(t *testing.T) {
		s1, path := storeTestOpen(t)
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		var mu sync.Mutex
		calls := 0
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			s := s1
			if i%2 == 1 {
				s = s2
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Once(ctx, "demo library", now, func(add func(NewPhoto) error) error {
					mu.Lock()
					calls++
					mu.Unlock()
					return add(storeTestPhoto("alice", "only once"))
				})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("Once: %v", err)
			}
		}
		if calls != 1 {
			t.Errorf("got %d calls of fn, want 1", calls)
		}
		if got := count(t, s1); got != 1 {
			t.Errorf("got %d photos, want 1", got)
		}
	})
}

// CONTRACT "Photos": a user sees only their own photos, and another user's id is not found,
// exactly like an id that does not exist, so the answer does not reveal that the id is taken.
func TestStoreOwnerScoped(t *testing.T) {
	ctx := context.Background()
	s, _ := storeTestOpen(t)
	alice := storeTestPhoto("alice", "Alice's")
	bob := storeTestPhoto("bob", "Bob's")
	if err := s.AddPhotos(ctx, []NewPhoto{alice, bob}, time.Now()); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		do   func() error
	}{
		{"Photo of another owner is ErrNotFound", func() error { _, err := s.Photo(ctx, "bob", alice.ID); return err }},
		{"Content of another owner is ErrNotFound", func() error { _, err := s.Content(ctx, "bob", alice.ID); return err }},
		{"DeletePhoto of another owner is ErrNotFound", func() error { return s.DeletePhoto(ctx, "bob", alice.ID) }},
		{"Photo of an id that does not exist is ErrNotFound", func() error { _, err := s.Photo(ctx, "alice", "pnosuchphoto"); return err }},
		{"Content of an id that does not exist is ErrNotFound", func() error { _, err := s.Content(ctx, "alice", "pnosuchphoto"); return err }},
		{"DeletePhoto of an id that does not exist is ErrNotFound", func() error { return s.DeletePhoto(ctx, "alice", "pnosuchphoto") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); !errors.Is(err, ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}

	t.Run("Photos lists only the owner's photos", func(t *testing.T) {
		for owner, want := range map[string]string{"alice": alice.ID, "bob": bob.ID} {
			photos, err := s.Photos(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			if len(photos) != 1 || photos[0].ID != want || photos[0].Owner != owner {
				t.Errorf("%s: got %+v, want only %s", owner, photos, want)
			}
		}
	})
	t.Run("Photos of an owner with none is empty, not nil", func(t *testing.T) {
		photos, err := s.Photos(ctx, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if photos == nil || len(photos) != 0 {
			t.Errorf("got %#v, want an empty slice", photos)
		}
	})
	t.Run("the owner reads metadata and content", func(t *testing.T) {
		p, err := s.Photo(ctx, "alice", alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != alice.Title || p.Width != alice.Width || !p.TakenAt.Equal(alice.TakenAt) {
			t.Errorf("got %+v, want %+v", p, alice.Photo)
		}
		content, err := s.Content(ctx, "alice", alice.ID)
		if err != nil || string(content) != string(alice.JPEG) {
			t.Errorf("got %q, %v; want %q", content, err, alice.JPEG)
		}
	})
	t.Run("the refused delete left the photo in place", func(t *testing.T) {
		if _, err := s.Photo(ctx, "alice", alice.ID); err != nil {
			t.Errorf("got %v, want alice's photo still there", err)
		}
	})
	t.Run("the owner deletes for good", func(t *testing.T) {
		if err := s.DeletePhoto(ctx, "alice", alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Photo(ctx, "alice", alice.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v after delete, want ErrNotFound", err)
		}
		if err := s.DeletePhoto(ctx, "alice", alice.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: got %v, want ErrNotFound", err)
		}
		if _, err := s.Photo(ctx, "bob", bob.ID); err != nil {
			t.Errorf("bob's photo: got %v, want it untouched", err)
		}
	})
}
