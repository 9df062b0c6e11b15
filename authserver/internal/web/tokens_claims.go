//go:build !ex09

package web

// Workshop exercise 09 (workshop/09-access-token-claims.md): the solution. Its twin,
// tokens_claims_ex09.go, is the student's starting file, built with -tags ex09.

import (
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/store"
)

// accessTokenClaims builds the claims of an access token in the JWT profile of RFC 9068 §2.2:
// iss, exp, aud, sub, client_id, iat and jti are REQUIRED ("MUST" be included), scope is
// included when the request asked for one (§2.2.3), and auth_time when a user signed in
// (§2.2.1). sub is the user; in the client_credentials grant, where no user is involved, it is
// the client itself (§2.2: "the subject SHOULD correspond to an identifier the authorization
// server uses to indicate the client application"). aud names exactly the parties the token
// is for (audienceFor).
func (m *minter) accessTokenClaims(g store.Grant, scope []string, jti string, now, expires time.Time) map[string]any {
	subject := g.Username
	if subject == "" {
		subject = g.ClientID // client_credentials: the client acts for itself
	}
	claims := map[string]any{
		jwt.IssuerKey:     m.issuer,
		jwt.SubjectKey:    subject,
		jwt.AudienceKey:   m.audienceFor(scope),
		jwt.ExpirationKey: expires.Unix(),
		jwt.IssuedAtKey:   now.Unix(),
		jwt.JwtIDKey:      jti,
		"client_id":       g.ClientID,
		"scope":           strings.Join(scope, " "),
	}
	if !g.AuthTime.IsZero() {
		claims["auth_time"] = g.AuthTime.Unix()
	}
	return claims
}
