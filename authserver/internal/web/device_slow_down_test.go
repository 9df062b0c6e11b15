package web

import (
	"strings"
	"testing"
	"time"
)

// RFC 8628 §3.5: slow_down for a poll sooner than the interval after the previous one.
func TestPollTooFast(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name     string
		previous time.Time
		interval time.Duration
		want     bool
	}{
		{"the first poll may come at once", time.Time{}, 5 * time.Second, false},
		{"4 s after the previous poll, interval 5 s: slow_down (RFC 8628 §3.5)", now.Add(-4 * time.Second), 5 * time.Second, true},
		{"5 s after the previous poll, interval 5 s: fine", now.Add(-5 * time.Second), 5 * time.Second, false},
		{"after one slow_down the interval is 10 s: 6 s is too fast", now.Add(-6 * time.Second), 10 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pollTooFast(tc.previous, now, tc.interval); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if !strings.Contains(errSlowDown(10*time.Second).Description, "10 seconds") {
		t.Errorf("slow_down does not name the new interval: %q", errSlowDown(10*time.Second).Description)
	}
}
