//go:build !ex07

package web

// Workshop exercise 07 (workshop/07-pkce.md): the solution. Its twin, pkce_verify_ex07.go, is
// the student's starting file, built with -tags ex07.

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

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
