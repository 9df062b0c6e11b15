package web

import (
	"context"
	"errors"
	"testing"
)

// The gate runs one bcrypt comparison per core at a time: when every slot is taken, a sign-in
// waits, and one whose browser has gone away ends without comparing. A free slot checks the
// password as before, and gives the slot back.
func TestPasswordGateRunsOneComparisonPerCore(t *testing.T) {
	st := newTestServer(t).Store
	g := newPasswordGate()
	for range cap(g) {
		g <- struct{}{}
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := g.checkPassword(gone, st, "alice", "wonderland"); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("with every slot taken and the browser gone: got %v, %v; want false, context.Canceled", ok, err)
	}
	for range cap(g) {
		<-g
	}
	for _, tc := range []struct {
		name, password string
		want           bool
	}{
		{"the right password signs in", "wonderland", true},
		{"a wrong password does not", "looking-glass", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := g.checkPassword(context.Background(), st, "alice", tc.password)
			if err != nil || ok != tc.want {
				t.Fatalf("got %v, %v; want %v, nil", ok, err, tc.want)
			}
			if len(g) != 0 {
				t.Fatalf("%d slots still taken after the check, want 0", len(g))
			}
		})
	}
}
