package web

// The client_credentials grant, RFC 6749 §4.4: a confidential client acting for itself.

import (
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// clientCredentials issues an access token whose subject is the client itself: sub is the
// client_id, there is no auth_time, and no refresh token (RFC 6749 §4.4.3: "A refresh token
// SHOULD NOT be included").
func (t *tokenEndpoint) clientCredentials(c echo.Context, client store.Client, form url.Values) (tokenResponse, error) {
	// RFC 6749 §3.3: without a scope parameter, use a default: the client's registered scopes,
	// less those about a user.
	var scope []string
	for _, s := range client.Scopes {
		if s != "openid" && s != "profile" {
			scope = append(scope, s)
		}
	}
	if raw, ok := form["scope"]; ok {
		var err error
		if scope, err = parseScope(raw[0]); err != nil {
			return tokenResponse{}, errInvalidScope(err.Error())
		}
		if s := firstMissing(scope, client.Scopes); s != "" {
			return tokenResponse{}, errInvalidScope("scope " + quote(s) + " is not registered for client " + quote(client.ID))
		}
	}
	if len(scope) == 0 {
		return tokenResponse{}, errInvalidScope("scope is empty; ask for at least one of the client's registered scopes")
	}
	for _, s := range []string{"openid", "profile"} {
		if slices.Contains(scope, s) {
			return tokenResponse{}, errInvalidScope("scope " + quote(s) + " is about a user, and client_credentials has none")
		}
	}
	// Nothing is stored: there is no user grant to revoke. The token is remembered only if
	// the client revokes it (see revoke.go).
	now := t.now()
	jkt := boundKey(c)
	access, rec, err := t.minter.accessToken(c.Request().Context(), store.Grant{ClientID: client.ID}, scope, jkt)
	if err != nil {
		return tokenResponse{}, err
	}
	return t.response(access, rec, scope, jkt, now), nil
}
