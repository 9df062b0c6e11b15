//go:build !ex01

package oauth

// Workshop exercise 01 (workshop/01-authorization-request.md): the solution. Its twin,
// authrequest_ex01.go, is the student's starting file, built with -tags ex01.

import "golang.org/x/oauth2"

// authorizationRequest makes a fresh state and PKCE verifier and builds the authorization
// request for cfg (RFC 6749 §4.1.1, RFC 7636 §4.3).
//
// state: RFC 9700 §4.7.1 asks for a one-time value bound to the user agent; 256 random bits
// from oauth2.GenerateVerifier are far more than the 128 that make guessing useless.
// PKCE: RFC 7636 §4.2, code_challenge = BASE64URL(SHA256(code_verifier)) with method S256;
// RFC 9700 §2.1.1 says S256 is the method that does not expose the verifier. The verifier
// stays at PrintShop; only its hash travels through the browser.
// scope: cfg.Scopes, PrintShop's least privilege (RFC 6749 §3.3).
func authorizationRequest(cfg *oauth2.Config) Start {
	s := Start{State: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
	s.URL = cfg.AuthCodeURL(s.State, oauth2.S256ChallengeOption(s.Verifier))
	return s
}
