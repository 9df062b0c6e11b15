//go:build ex01

package oauth

// Workshop exercise 01: the authorization request (workshop/01-authorization-request.md).
//
// Goal: PrintShop (the client) is about to send your browser to Accounts to ask you for a
// valet key. Build that request: a Start with the URL to send the browser to, the state to
// check when the browser comes back, and the PKCE verifier to keep for the token request.
//
// The rules:
//   - RFC 6749 §4.1.1: response_type=code, client_id, redirect_uri, scope, state.
//     cfg.AuthCodeURL adds the first four from cfg (cfg.Scopes is the scope).
//   - RFC 9700 §4.7.1 and RFC 6749 §10.12: state is a fresh, unguessable, one-time value per
//     attempt (at least 128 random bits), so that a forged callback can be told apart.
//   - RFC 7636 §4.1-4.3 and RFC 9700 §2.1.1: PKCE with S256. A fresh code_verifier per attempt;
//     send code_challenge = BASE64URL(SHA256(verifier)) and code_challenge_method=S256. The
//     verifier itself never goes in the URL.
//
// Hints:
//  1. golang.org/x/oauth2 has what you need: oauth2.GenerateVerifier() makes 256 random bits
//     (good for the state too), and oauth2.S256ChallengeOption(verifier) adds both PKCE
//     parameters to AuthCodeURL.
//  2. Put the state and the verifier in the Start you return: the callback needs both.
//
// Check: make exercise N=01. Run it live: make run TAGS=ex01 (Connect your Photos).

import "golang.org/x/oauth2"

// authorizationRequest builds one authorization attempt for cfg.
func authorizationRequest(cfg *oauth2.Config) Start {
	// The starting point connects, but one of its values is not what it claims to be. Find
	// out which with make exercise N=01, and replace this.
	secret := oauth2.GenerateVerifier()
	return Start{State: secret, Verifier: secret, URL: cfg.AuthCodeURL(secret, oauth2.S256ChallengeOption(secret))}
}
