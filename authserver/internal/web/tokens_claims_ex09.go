//go:build ex09

package web

// Workshop exercise 09: build the RFC 9068 access token's claims
// (workshop/09-access-token-claims.md).
//
// Goal: the access token is the valet key itself, and Photos reads everything it needs from
// it: who issued it, for which resource, for which user and client, what it opens, until when.
// Build the claims (minter.sign turns them into a signed JWT with typ at+jwt).
//
// The rules, RFC 9068 §2.2: "iss", "exp", "aud", "sub", "client_id", "iat" and "jti" are
// REQUIRED.
//   - iss: m.issuer. exp: expires. iat: now. jti: jti. (Times as Unix seconds.)
//   - aud: exactly the parties the token is for: m.audienceFor(scope) (Photos for photos.*, and
//     Accounts too when openid asks for /userinfo), never a list of every service, so a token
//     for Photos is refused elsewhere.
//   - sub: the user (g.Username). In client_credentials there is no user: then the client,
//     g.ClientID (§2.2).
//   - client_id: g.ClientID, the client the token was issued to (§2.2).
//   - scope: the granted scopes, space-separated (§2.2.3). Photos enforces them.
//   - auth_time: when the user signed in, if one did (§2.2.1).
//
// Hints:
//  1. jwt.IssuerKey, jwt.AudienceKey and friends name the registered claims.
//  2. The scope passed in may be narrower than g.Scope (a refresh can narrow it): use scope.
//
// Check: make exercise N=09. Run it live: make run TAGS=ex09 and look at the token on /flow.

import (
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/store"
)

// accessTokenClaims builds the claims of an access token (RFC 9068 §2.2).
func (m *minter) accessTokenClaims(g store.Grant, scope []string, jti string, now, expires time.Time) map[string]any {
	// The starting point has only what Accounts itself reads back. Add what RFC 9068 requires.
	subject := g.Username
	if subject == "" {
		subject = g.ClientID
	}
	claims := map[string]any{
		jwt.IssuerKey:     m.issuer,
		jwt.SubjectKey:    subject,
		jwt.ExpirationKey: expires.Unix(),
		jwt.JwtIDKey:      jti,
	}
	if !g.AuthTime.IsZero() {
		claims["auth_time"] = g.AuthTime.Unix()
	}
	return claims
}
