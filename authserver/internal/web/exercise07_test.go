package web

// Workshop exercise 07's checker: PKCE at the token endpoint, RFC 7636 §4.6 with S256.

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestExercise07VerifyPKCERFC7636Section4_6(t *testing.T) {
	readNext(t, "RFC 7636 §4.1, §4.6 and Appendix A; workshop/07-pkce.md, hints 1 and 3")
	// RFC 7636 Appendix B's example.
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if err := verifyPKCE(verifier, challenge); err != nil {
		msg := "the verifier of RFC 7636 Appendix B was refused for its own challenge (" + err.Error() + ")."
		sum := sha256.Sum256([]byte(verifier))
		if base64.URLEncoding.EncodeToString(sum[:]) == challenge+"=" {
			msg += " Did you use base64.URLEncoding? RFC 7636 uses BASE64URL without padding: base64.RawURLEncoding (hint 1)."
		}
		t.Fatal(msg)
	}
	sum := sha256.Sum256([]byte(verifier))
	cases := []struct {
		name, verifier, challenge, mistake string
	}{
		{"a wrong verifier, RFC 7636 §4.6", "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge,
			"a verifier that does not hash to the challenge passed: a stolen code would work for anyone. Compute BASE64URL(SHA256(verifier)) and compare"},
		{"no verifier, RFC 7636 §4.6", "", challenge,
			"a token request without code_verifier passed: every code here was issued with a challenge, so a missing verifier fails"},
		{"the challenge itself as the verifier (plain), RFC 7636 §4.6", challenge, challenge,
			"the challenge itself passed as the verifier: you compared verifier == challenge, the plain method. Hash the verifier first (hint 3)"},
		{"the padded challenge, RFC 7636 Appendix A", verifier, base64.URLEncoding.EncodeToString(sum[:]),
			"a challenge with '=' padding matched: RFC 7636 BASE64URL has no padding; compare exactly with the stored challenge"},
		{"a challenge in another case, RFC 7636 §4.6", verifier, strings.ToUpper(challenge),
			"a challenge in another case matched: compare the exact strings (crypto/subtle.ConstantTimeCompare, hint 2)"},
		{"a verifier too short, RFC 7636 §4.1", "abc", b64sha("abc"),
			"a 3-character verifier passed: RFC 7636 §4.1 wants 43 to 128 characters, so the verifier is unguessable"},
		{"a verifier too long, RFC 7636 §4.1", strings.Repeat("a", 129), b64sha(strings.Repeat("a", 129)),
			"a 129-character verifier passed: RFC 7636 §4.1 allows at most 128"},
		{"a verifier with spaces, RFC 7636 §4.1", strings.Repeat("a b", 15), b64sha(strings.Repeat("a b", 15)),
			"a verifier with spaces passed: RFC 7636 §4.1 allows only A-Z a-z 0-9 - . _ ~ (isUnreserved)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifyPKCE(tc.verifier, tc.challenge); err == nil {
				t.Error(tc.mistake)
			}
		})
	}
}

// b64sha is BASE64URL(SHA256(s)) without padding, a challenge that s does produce.
func b64sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
