package web

// RFC 8707 (Resource Indicators), for the attack lab only: a token request may name the lab's
// second resource server (AUTHSERVER_LAB_RESOURCE, the attacker's own API) with the resource
// parameter, and gets a token for it alone. This is what makes audience confusion possible to
// show (workshop/attacks/06-audience-confusion.md): a token meant for the attacker, that Photos
// must refuse because its aud is not Photos (RFC 9068 §4).

import (
	"context"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/store"
)

// accessTokenFor mints the access token of a grant. With no lab resource configured, or none
// asked for, it is the usual token (audienceFor). RFC 8707 §2.2: the authorization server uses
// the resource "to determine the intended audience"; the token then names that resource alone.
func (t *tokenEndpoint) accessTokenFor(ctx context.Context, g store.Grant, resource, jkt string) (string, store.AccessToken, error) {
	if t.labResource == "" || resource != t.labResource {
		return t.minter.accessToken(ctx, g, g.Scope, jkt)
	}
	m := t.minter
	now := m.now()
	rec := store.AccessToken{JTI: randomToken()[:22], ExpiresAt: now.Add(m.accessTTL)}
	claims := m.accessTokenClaims(g, g.Scope, rec.JTI, now, rec.ExpiresAt)
	claims[jwt.AudienceKey] = []string{resource}
	if jkt != "" {
		claims["cnf"] = map[string]any{"jkt": jkt} // RFC 9449 §6.1, as minter.accessToken
	}
	token, err := m.sign(ctx, claims, accessTokenType, m.accessAlg)
	return token, rec, err
}
