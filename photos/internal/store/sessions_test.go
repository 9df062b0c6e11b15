package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// RFC 6749 §10.12 and RFC 9700 §4.7.1: a state is bound to the browser session that started the
// sign-in, and is good once.
func TestTakeLoginRequest(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "photos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Unix(1_800_000_000, 0)
	mine, err := st.CreateSession(ctx, Hash("mine"), "csrf-1", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateSession(ctx, Hash("other"), "csrf-2", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := LoginRequest{Nonce: "n", CodeVerifier: "v"}
	if err := st.SaveLoginRequest(ctx, Hash("state"), mine.Key, want, now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeLoginRequest(ctx, Hash("state"), other.Key, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("another session took the state: got %v, want ErrNotFound", err)
	}
	if _, err := st.TakeLoginRequest(ctx, Hash("state"), mine.Key, now.Add(11*time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("an expired state was taken: got %v, want ErrNotFound", err)
	}
	got, err := st.TakeLoginRequest(ctx, Hash("state"), mine.Key, now)
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	if _, err := st.TakeLoginRequest(ctx, Hash("state"), mine.Key, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("the state was taken twice: got %v, want ErrNotFound", err)
	}
}

// Signing in changes the session id: the old cookie no longer finds the session.
func TestSignInChangesTheSessionID(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "photos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Unix(1_800_000_000, 0)
	sess, err := st.CreateSession(ctx, Hash("before"), "csrf-1", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SignIn(ctx, sess.Key, Hash("after"), "csrf-2", "alice", "Alice", "id.token.here", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Session(ctx, Hash("before"), now); !errors.Is(err, ErrNotFound) {
		t.Errorf("the id from before sign-in still works: %v", err)
	}
	got, err := st.Session(ctx, Hash("after"), now)
	if err != nil || got.Username != "alice" || got.CSRFToken != "csrf-2" || got.IDToken != "id.token.here" {
		t.Errorf("got %+v, %v", got, err)
	}
}

// Expired sessions and sign-ins are deleted; live ones stay.
func TestDeleteExpiredSessions(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "photos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Unix(1_800_000_000, 0)
	old, _ := st.CreateSession(ctx, Hash("old"), "c1", now.Add(-time.Second))
	live, _ := st.CreateSession(ctx, Hash("live"), "c2", now.Add(time.Hour))
	if err := st.SaveLoginRequest(ctx, Hash("stale"), live.Key, LoginRequest{Nonce: "n", CodeVerifier: "v"}, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteExpiredSessions(ctx, now); err != nil {
		t.Fatal(err)
	}
	var sessions, requests int
	st.db.QueryRow(`SELECT count(*) FROM web_sessions`).Scan(&sessions)
	st.db.QueryRow(`SELECT count(*) FROM login_requests`).Scan(&requests)
	if sessions != 1 || requests != 0 {
		t.Errorf("got %d sessions and %d sign-ins, want 1 and 0 (session %d expired)", sessions, requests, old.Key)
	}
}
