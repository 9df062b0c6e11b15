package web

import (
	"testing"
	"time"
)

// RFC 8628 §5.1: the user code is short, so guessing must be limited.
func TestUserCodeGuessLimited(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name      string
		wrong     int
		lastWrong time.Time
		want      bool
	}{
		{"no wrong tries: allowed", 0, time.Time{}, false},
		{"4 wrong tries: the fifth try is allowed", 4, now, false},
		{"5 wrong tries: the next is refused (RFC 8628 §5.1)", 5, now, true},
		{"5 wrong tries, 59 s ago: still refused", 5, now.Add(-59 * time.Second), true},
		{"5 wrong tries, a minute ago: allowed again", 5, now.Add(-time.Minute), false},
		{"a sixth wrong try locks again for a minute", 6, now.Add(-time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := userCodeGuessLimited(tc.wrong, tc.lastWrong, now); got != tc.want {
				t.Errorf("userCodeGuessLimited(%d, %v ago) = %v, want %v", tc.wrong, now.Sub(tc.lastWrong), got, tc.want)
			}
		})
	}
}
