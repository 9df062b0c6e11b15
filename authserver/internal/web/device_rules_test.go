package web

import (
	"strings"
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

// RFC 8628 §6.1: the user code is compared case-insensitively, and the dash is optional.
func TestNormalizeUserCode(t *testing.T) {
	for _, tc := range []struct {
		name, typed, want string
		ok                bool
	}{
		{"as shown, with the dash (RFC 8628 §6.1)", "BCDF-GHJK", "BCDFGHJK", true},
		{"lower case accepted (RFC 8628 §6.1)", "bcdf-ghjk", "BCDFGHJK", true},
		{"without the dash (RFC 8628 §6.1)", "BCDFGHJK", "BCDFGHJK", true},
		{"lower case without the dash", "bcdfghjk", "BCDFGHJK", true},
		{"spaces a phone keyboard adds are ignored", " bcdf ghjk ", "BCDFGHJK", true},
		{"too short", "BCDF-GHJ", "", false},
		{"too long", "BCDF-GHJKL", "", false},
		{"vowels are not in the alphabet", "ABCD-EFGH", "", false},
		{"digits are not in the alphabet", "BCDF-GHJ1", "", false},
		{"empty", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := normalizeUserCode(tc.typed)
			if got != tc.want || ok != tc.ok {
				t.Errorf("normalizeUserCode(%q) = %q, %v; want %q, %v", tc.typed, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// RFC 8628 §6.1: user codes are drawn from the 20 consonants, 8 of them, about 34.5 bits.
func TestNewUserCodeSpace(t *testing.T) {
	if userCodeBits < 34 {
		t.Errorf("user codes carry %.1f bits, want at least 34 (RFC 8628 §6.1's example is 34.5)", userCodeBits)
	}
	seen := map[rune]bool{}
	for range 2000 {
		code := newUserCode()
		if got, ok := normalizeUserCode(code); !ok || got != code {
			t.Fatalf("newUserCode() = %q, which does not normalize to itself", code)
		}
		if f := formatUserCode(code); len(f) != 9 || f[4] != '-' {
			t.Fatalf("formatUserCode(%q) = %q, want XXXX-XXXX", code, f)
		}
		for _, r := range code {
			seen[r] = true
		}
	}
	if len(seen) != len(userCodeAlphabet) {
		t.Errorf("2000 codes used %d letters, want all %d of %s", len(seen), len(userCodeAlphabet), userCodeAlphabet)
	}
}

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

// RFC 8628 §3.5: expired_token once the device code's lifetime is over.
func TestDeviceCodeExpired(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    bool
	}{
		{"a second left: not expired", now.Add(time.Second), false},
		{"at the expiry: expired_token (RFC 8628 §3.5)", now, true},
		{"past the expiry: expired_token (RFC 8628 §3.5)", now.Add(-time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deviceCodeExpired(store.DeviceCode{ExpiresAt: tc.expires}, now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// RFC 8628 §3.5: authorization_pending until the user decides, access_denied once they deny.
func TestDeviceDecision(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name string
		d    store.DeviceCode
		want string // the error code, "" for none
	}{
		{"undecided: authorization_pending (RFC 8628 §3.5)", store.DeviceCode{}, "authorization_pending"},
		{"denied: access_denied (RFC 8628 §3.5)", store.DeviceCode{DeniedAt: now}, "access_denied"},
		{"allowed: tokens", store.DeviceCode{Grant: store.Grant{ID: 7}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := deviceDecision(tc.d); err != nil {
				got = err.(*oauthError).Code
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

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

// A device code gives tokens once (RFC 6749 §4.1.2, applied to RFC 8628 §3.4's grant).
func TestDeviceCodeSpent(t *testing.T) {
	if deviceCodeSpent(store.DeviceCode{}) {
		t.Error("an unused device code counts as spent")
	}
	if !deviceCodeSpent(store.DeviceCode{UsedAt: time.Unix(1, 0)}) {
		t.Error("a device code that gave tokens can give them again")
	}
}
