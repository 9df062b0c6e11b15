package web

// Proof Key for Code Exchange, RFC 7636. Accounts requires it of every client (RFC 9700 §2.1.1
// makes it a MUST for public clients and RECOMMENDED for the rest; the stricter rule is ours),
// and accepts only S256: with "plain" the verifier itself crosses the browser, and RFC 9700
// §2.1.1 says S256 is currently the only method that does not expose it.

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// checkCodeChallenge validates the PKCE parameters of an authorization request (RFC 7636 §4.3).
func checkCodeChallenge(challenge, method string) error {
	switch method {
	case "S256":
	case "":
		return errors.New("code_challenge_method is missing; send code_challenge_method=S256 (Accounts requires PKCE of every client, RFC 9700 §2.1.1)")
	case "plain":
		return errors.New("code_challenge_method=plain is refused: it exposes the verifier; use S256 (RFC 9700 §2.1.1)")
	default:
		return errors.New("code_challenge_method must be S256")
	}
	if challenge == "" {
		return errors.New("code_challenge is missing; PKCE (RFC 7636) is required for every client")
	}
	// BASE64URL(SHA256(verifier)) without padding is always 43 characters (RFC 7636 §4.2).
	if sum, err := base64.RawURLEncoding.DecodeString(challenge); err != nil || len(sum) != sha256.Size {
		return errors.New("code_challenge must be the unpadded base64url of a SHA-256 hash: 43 characters")
	}
	return nil
}

// isUnreserved reports whether r may appear in a code_verifier (RFC 7636 §4.1).
func isUnreserved(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' ||
		r == '-' || r == '.' || r == '_' || r == '~'
}
