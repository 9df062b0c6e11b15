package store

import (
	"errors"
	"testing"
	"time"

	"github.com/valet/printing/internal/flow"
)

// A kiosk visit is kept per Accounts user, and a new visit replaces the previous one.
func TestKioskVisitReplacesThePrevious(t *testing.T) {
	s := storeOpen(t)
	ctx := t.Context()
	if _, err := s.KioskVisit(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any visit: got %v, want ErrNotFound", err)
	}
	first := KioskVisit{Username: "alice", Started: time.Unix(100, 0), Events: []flow.Event{{Kind: "poll"}}, Proof: []byte("one")}
	second := KioskVisit{Username: "alice", Started: time.Unix(200, 0), Events: []flow.Event{{Kind: "show"}, {Kind: "poll"}}, Proof: []byte("two")}
	for _, v := range []KioskVisit{first, second} {
		if err := s.SaveKioskVisit(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.KioskVisit(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Started.Equal(second.Started) || len(got.Events) != 2 || string(got.Proof) != "two" {
		t.Errorf("got %+v, want the second visit", got)
	}
	if _, err := s.KioskVisit(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob sees a visit: %v", err)
	}
}
