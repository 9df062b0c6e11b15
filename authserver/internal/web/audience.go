package web

// The audience of an access token: RFC 9068 §3 and RFC 8707 §2 (one token, named resource
// servers), with OpenID Connect Core §5.3 (the sign-in token also opens /userinfo).

import (
	"slices"
	"strings"
)

// audienceFor names every party the token is meant for. RFC 9068 §4: a resource server "MUST
// validate that the aud claim contains a resource indicator value corresponding to an
// identifier the resource server expects for itself", so each party the token opens must be
// named, and no other:
//   - photos.* alone: Photos only, one string;
//   - photos.* and openid: Photos and Accounts' own /userinfo (the issuer), both;
//   - no photos.*: Accounts' /userinfo only, the issuer.
func (m *minter) audienceFor(scope []string) []string {
	photos := slices.ContainsFunc(scope, func(s string) bool { return strings.HasPrefix(s, "photos.") })
	openid := slices.Contains(scope, "openid")
	switch {
	case photos && openid:
		return []string{m.audience, m.issuer}
	case photos:
		return []string{m.audience}
	default:
		return []string{m.issuer}
	}
}
