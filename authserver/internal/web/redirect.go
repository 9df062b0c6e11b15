package web

// The authorization response (RFC 6749 §4.1.2) at the client's redirect URI, with the iss
// parameter (RFC 9207 §2). Matching the redirect URI itself is in redirect_match.go.

import "net/url"

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
