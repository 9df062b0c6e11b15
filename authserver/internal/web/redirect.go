package web

// Redirect URIs: exact matching (RFC 9700 §2.1, §4.1.3) and the authorization response
// (RFC 6749 §4.1.2) with the iss parameter (RFC 9207 §2).

import (
	"net/url"
	"slices"
)

// matchRedirectURI reports whether redirectURI is one of the client's registered URIs, compared
// as exact strings. RFC 9700 §2.1: "When comparing client redirection URIs against pre-registered
// URIs, authorization servers MUST utilize exact string matching". No prefix, no pattern, no
// normalisation: each would let an attacker steer a code somewhere the client never listed.
// (§2.1 allows one exception, a variable port for native apps on localhost, per RFC 8252 §7.3;
// Valet has no native apps, so it makes none.)
func matchRedirectURI(registered []string, redirectURI string) bool {
	return slices.Contains(registered, redirectURI)
}

// authorizationResponseURL adds the response parameters to the redirect URI, keeping any query
// it was registered with (RFC 6749 §3.1.2: the query "MUST be retained when adding additional
// query parameters"). url.Values encodes each value, so state reaches the client byte for byte.
func authorizationResponseURL(redirectURI string, params url.Values) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		// Registered URIs are validated at start, so this cannot happen.
		return redirectURI
	}
	if u.RawQuery == "" {
		u.RawQuery = params.Encode()
	} else {
		u.RawQuery += "&" + params.Encode()
	}
	return u.String()
}
