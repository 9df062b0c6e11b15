package web

import (
	"testing"
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
