package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The device grant's primitives: a user code is unique, a poll returns the previous poll's
// time, only the session that entered the code decides, and a device code is redeemed once.
func TestDeviceCodePrimitives(t *testing.T) {
	s := storeTestFixture(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	d := DeviceCode{Hash: Hash("device-1"), UserCode: "BCDFGHJK", ClientID: "printing", Scope: []string{"photos.read"},
		Interval: 5 * time.Second, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	if err := s.CreateDeviceCode(ctx, d); err != nil {
		t.Fatal(err)
	}
	taken := d
	taken.Hash = Hash("device-2")
	if err := s.CreateDeviceCode(ctx, taken); !errors.Is(err, ErrUserCodeTaken) {
		t.Errorf("a second device code with the same user code: got %v, want ErrUserCodeTaken", err)
	}

	if _, previous, err := s.PollDeviceCode(ctx, d.Hash, now); err != nil || !previous.IsZero() {
		t.Fatalf("first poll: previous %v, err %v; want zero, nil", previous, err)
	}
	if _, previous, _ := s.PollDeviceCode(ctx, d.Hash, now.Add(3*time.Second)); !previous.Equal(now) {
		t.Errorf("second poll: previous %v, want %v", previous, now)
	}
	if interval, err := s.SlowDownDeviceCode(ctx, d.Hash, 5*time.Second); err != nil || interval != 10*time.Second {
		t.Errorf("slow down: got %v, %v; want 10s", interval, err)
	}

	mine, err := s.CreateSession(ctx, Hash("session-mine"), "c", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateSession(ctx, Hash("session-other"), "c", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimDeviceCode(ctx, d.Hash, mine.Key); err != nil {
		t.Fatal(err)
	}
	grant := Grant{ClientID: "printing", Username: "alice", Scope: []string{"photos.read"}, AuthTime: now, CreatedAt: now}
	if err := s.ApproveDeviceCode(ctx, d.Hash, other.Key, grant, []string{"photos.read"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another session approves: got %v, want ErrNotFound", err)
	}
	if err := s.ApproveDeviceCode(ctx, d.Hash, mine.Key, grant, []string{"photos.read"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DenyDeviceCode(ctx, d.Hash, mine.Key, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("deny after allow: got %v, want ErrNotFound", err)
	}
	got, _, err := s.PollDeviceCode(ctx, d.Hash, now.Add(20*time.Second))
	if err != nil || got.Grant.ID == 0 || got.Grant.Username != "alice" {
		t.Fatalf("after allow: grant %+v, err %v", got.Grant, err)
	}
	first, err := s.UseDeviceCode(ctx, d.Hash, now)
	if err != nil || !first {
		t.Fatalf("first use: got first=%v, err %v; want true, nil", first, err)
	}
	first, err = s.UseDeviceCode(ctx, d.Hash, now)
	if err != nil || first {
		t.Errorf("second use: got first=%v, err %v; want false, nil", first, err)
	}
}

// Wrong user codes are counted per browser session.
func TestUserCodeTries(t *testing.T) {
	s := storeTestFixture(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	sess, err := s.CreateSession(ctx, Hash("session"), "c", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if n, err := s.RecordWrongUserCode(ctx, sess.Key, now.Add(time.Duration(i)*time.Second)); err != nil || n != i {
			t.Fatalf("wrong try %d: got %d, %v", i, n, err)
		}
	}
	wrong, last, err := s.UserCodeTries(ctx, sess.Key)
	if err != nil || wrong != 3 || !last.Equal(now.Add(3*time.Second)) {
		t.Errorf("got %d tries, last %v, err %v; want 3 at %v", wrong, last, err, now.Add(3*time.Second))
	}
}
