//go:build ex06

package web

// Workshop exercise 06: match the redirect URI exactly, and show an error page instead of
// redirecting (workshop/06-redirect-uri.md).
//
// Goal: the authorization code is the valet ticket, and the redirect URI is where Accounts
// hands it over. An app registered its redirect URIs; a request names one. Decide whether
// Accounts may send the browser (with a code, or with an error) to the redirect_uri of this
// request. Return nil if so, or an error if not.
//
// The rules:
//   - RFC 9700 §2.1: "authorization servers MUST utilize exact string matching" against the
//     client's registered URIs (client.RedirectURIs). No prefix, no pattern, no normalising.
//   - RFC 6749 §4.1.2.1: if redirect_uri is missing or invalid, the server "MUST NOT
//     automatically redirect the user-agent to the invalid redirection URI"; it informs the
//     user instead. Return badAuthorizeRequest("what is wrong, and what to do"): Accounts shows
//     it as a 400 page.
//   - Accounts requires redirect_uri on every request (RFC 9700 §2.1 recommends registering
//     and sending it).
//
// Hints:
//  1. Compare strings with ==, or slices.Contains. strings.HasPrefix lets
//     http://localhost:9000/callback.evil.example and /callback/../attack through.
//  2. A plain errors.New becomes a bare 500 for the user; badAuthorizeRequest is a page.
//
// Check: make exercise N=06. Run it live: make run TAGS=ex06, and change redirect_uri in the
// URL that /connect sends you to.

import (
	"errors"
	"strings"

	"github.com/valet/authserver/internal/store"
)

// checkRedirectURI verifies the redirect_uri of an authorization request for a known client.
func checkRedirectURI(client store.Client, redirectURI string) error {
	// The starting point accepts any URI that starts like a registered one. Replace this.
	for _, registered := range client.RedirectURIs {
		if strings.HasPrefix(redirectURI, registered) {
			return nil
		}
	}
	return errors.New("redirect_uri is not registered")
}
