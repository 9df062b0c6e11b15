//go:build ex07

package web

// Workshop exercise 07: verify PKCE at the token endpoint (workshop/07-pkce.md).
//
// Goal: when PrintShop sent you to Accounts, it kept a secret (the code_verifier) and sent only
// its hash (the code_challenge), which Accounts stored with the code. Now someone presents the
// code at the token endpoint with a verifier. Only the client that started the flow knows the
// verifier, so a stolen code is useless without it. Return nil if verifier is the one that
// produced challenge, or an error that says what is wrong.
//
// The rules:
//   - RFC 7636 §4.6: with method S256 (the only one Accounts accepts), the server computes
//     BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) and compares it with the code_challenge.
//     If they differ, the request fails (invalid_grant; the caller wraps your error).
//   - RFC 7636 §4.1: a verifier is 43 to 128 characters of [A-Z] [a-z] [0-9] - . _ ~
//     (isUnreserved in pkce.go checks one character).
//   - A missing verifier fails: every code here was issued with a challenge.
//
// Hints:
//  1. BASE64URL in RFC 7636 has no padding (Appendix A): base64.RawURLEncoding, not
//     base64.URLEncoding or base64.StdEncoding.
//  2. Compare with crypto/subtle.ConstantTimeCompare, so the time taken does not leak how many
//     characters matched.
//  3. Never compare the verifier with the challenge directly: that is the "plain" method.
//
// Check: make exercise N=07. Run it live: make run TAGS=ex07 and /flow's experiments.

// verifyPKCE checks a code_verifier against the code_challenge the code was bound to.
func verifyPKCE(verifier, challenge string) error {
	// The starting point lets every verifier through, so a stolen code works. Replace this.
	return nil
}
