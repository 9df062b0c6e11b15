package web

// The user code of the device flow, RFC 8628 §6.1: short and easy to type on a phone, but
// drawn from a space large enough that, with the guessing limit (device_guess_limit.go), a
// brute-force attack is infeasible (§5.1).

import (
	"crypto/rand"
	"math"
	"strings"
)

const (
	// userCodeAlphabet is RFC 8628 §6.1's example character set: 20 consonants, with no vowels
	// (so no words can be spelled) and no digits or letters that look alike (0/O, 1/I/L).
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
	// userCodeLength gives 20^8 ≈ 2.56e10 codes, about 34.5 bits: §6.1's example. With 5 wrong
	// tries per minute, a guesser needs thousands of years for an even chance at one live code.
	userCodeLength = 8
)

// userCodeBits is the entropy of one user code: log2(20^8).
var userCodeBits = float64(userCodeLength) * math.Log2(float64(len(userCodeAlphabet)))

// newUserCode draws a user code uniformly from the alphabet, in its stored form (no dash).
// Bytes of 240 and above are redrawn, so that each letter is equally likely (256 is not a
// multiple of 20).
func newUserCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < userCodeLength {
		_, _ = rand.Read(buf)
		if buf[0] >= 240 {
			continue
		}
		b.WriteByte(userCodeAlphabet[int(buf[0])%len(userCodeAlphabet)])
	}
	return b.String()
}

// normalizeUserCode turns what a person typed into the stored form: upper case, with the dash
// and spaces gone. RFC 8628 §6.1 asks that the code be compared case-insensitively and that
// punctuation a person may or may not type, such as the dash, be ignored. It reports false for
// anything that cannot be a user code.
func normalizeUserCode(typed string) (string, bool) {
	code := strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\t", "").Replace(typed))
	if len(code) != userCodeLength {
		return "", false
	}
	for _, r := range code {
		if !strings.ContainsRune(userCodeAlphabet, r) {
			return "", false
		}
	}
	return code, true
}

// formatUserCode shows a stored user code as people read it: XXXX-XXXX.
func formatUserCode(code string) string {
	if len(code) != userCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}
