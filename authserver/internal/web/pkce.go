package web

// Proof Key for Code Exchange, RFC 7636. Accounts requires it of every client (RFC 9700 §2.1.1
// makes it a MUST for public clients and RECOMMENDED for the rest; the stricter rule is ours),
// and accepts only S256: with "plain" the verifier itself crosses the browser, and RFC 9700
// §2.1.1 says S256 is currently the only method that does not expose it.

import (
	"crypto/sha256"
	"crypto/subtle"
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

// verifyPKCE checks a code_verifier against the code_challenge the code was bound to
// (RFC 7636 §4.6): BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge.
func verifyPKCE(verifier, challenge string) error {
	if verifier == "" {
		return errors.New("code_verifier is missing; send the PKCE verifier that produced the code_challenge")
	}
	// RFC 7636 §4.1: 43 to 128 characters from [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
	if len(verifier) < 43 || len(verifier) > 128 {
		return errors.New("code_verifier must be 43 to 128 characters long (RFC 7636 §4.1)")
	}
	for _, r := range verifier {
		if !isUnreserved(r) {
			return errors.New("code_verifier may only use A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)")
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	computed := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) != 1 {
		return errors.New("code_verifier does not match the code_challenge sent with the authorization request")
	}
	return nil
}

func isUnreserved(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' ||
		r == '-' || r == '.' || r == '_' || r == '~'
}
