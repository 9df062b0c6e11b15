package web

// Post-logout redirect URIs: OpenID Connect RP-Initiated Logout 1.0 §3.1 (registration) and §2
// (the logout request).

import (
	"slices"

	"github.com/valet/authserver/internal/store"
)

// matchPostLogoutRedirectURI reports whether uri is one the client registered, compared as
// exact strings. RP-Initiated Logout 1.0 §2: "The value MUST have been previously registered
// with the OP", and the OP "MUST NOT perform post-logout redirection" to an unregistered one.
// Exact matching, as RFC 9700 §2.1 demands for redirect URIs, for the same reason: a logout
// must not become an open redirector to anywhere that starts like a registered URI.
func matchPostLogoutRedirectURI(client store.Client, uri string) bool {
	return slices.Contains(client.PostLogoutRedirectURIs, uri)
}
