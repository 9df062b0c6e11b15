//go:build !ex06

package web

// Workshop exercise 06 (workshop/06-redirect-uri.md): the solution. Its twin,
// redirect_match_ex06.go, is the student's starting file, built with -tags ex06.

import (
	"fmt"
	"slices"

	"github.com/valet/authserver/internal/store"
)

// checkRedirectURI verifies the redirect_uri of an authorization request for a known client.
// RFC 6749 §4.1.2.1: if it is missing or invalid, "the authorization server SHOULD inform the
// resource owner of the error and MUST NOT automatically redirect the user-agent to the invalid
// redirection URI." So every failure is a page (*pageError), never a redirect.
func checkRedirectURI(client store.Client, redirectURI string) error {
	if redirectURI == "" {
		return badAuthorizeRequest("The request has no redirect_uri. Accounts requires it on every request, so the code can only go where the app registered.")
	}
	if !matchRedirectURI(client.RedirectURIs, redirectURI) {
		return badAuthorizeRequest(fmt.Sprintf(
			"The redirect_uri %s is not registered for %s. Redirect URIs must match a registered one exactly (RFC 9700 §2.1), so Accounts will not send you there.",
			quote(redirectURI), client.Name))
	}
	return nil
}

// matchRedirectURI reports whether redirectURI is one of the client's registered URIs, compared
// as exact strings. RFC 9700 §2.1: "When comparing client redirection URIs against pre-registered
// URIs, authorization servers MUST utilize exact string matching". No prefix, no pattern, no
// normalisation: each would let an attacker steer a code somewhere the client never listed.
// (§2.1 allows one exception, a variable port for native apps on localhost, per RFC 8252 §7.3;
// Valet has no native apps, so it makes none.)
func matchRedirectURI(registered []string, redirectURI string) bool {
	return slices.Contains(registered, redirectURI)
}
