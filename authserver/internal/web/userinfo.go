package web

// The UserInfo endpoint, OpenID Connect Core §5.3, protected like any resource by a bearer
// token (RFC 6750), or a DPoP-bound one with its proof (RFC 9449 §7, userinfo_dpop.go).

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// handleUserinfo returns the signed-in user's claims for an access token that carries openid.
func handleUserinfo(t *tokenEndpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		scheme, raw, ok := accessTokenFromHeader(c.Request())
		if !ok {
			// RFC 6750 §3.1: a request with no token at all gets no error code.
			return &oauthError{Status: http.StatusUnauthorized,
				Description: "send the access token in an Authorization: Bearer header",
				Challenge:   `Bearer realm="accounts"`}
		}
		ctx := c.Request().Context()
		tok, err := t.minter.verifyAccessToken(ctx, raw)
		invalid := func(desc string) error {
			return &oauthError{Code: "invalid_token", Status: http.StatusUnauthorized, Description: desc,
				Challenge: `Bearer realm="accounts", error="invalid_token"`}
		}
		if err != nil {
			return invalid("the access token is not valid: " + err.Error())
		}
		// RFC 9068 §4: a resource server must check that the token was meant for it. Userinfo
		// belongs to Accounts, so the issuer must be one of the audiences: a token for Photos
		// alone is refused here, as Photos refuses tokens meant for anyone else. A sign-in
		// token that also opens photos names both (see audienceFor).
		if aud := tok.Audience(); !slices.Contains(aud, t.minter.issuer) {
			return invalid("the access token's audience is " + strings.Join(aud, ",") + ", not Accounts; ask for scope openid to call userinfo")
		}
		active, err := accessTokenActive(ctx, t.store, tok)
		if err != nil {
			return err
		}
		if !active {
			return invalid("the access token has been revoked")
		}
		if err := t.checkUserinfoSender(c, scheme, raw, tok); err != nil {
			return err
		}
		scope := strings.Fields(stringClaim(tok, "scope"))
		if !slices.Contains(scope, "openid") {
			return &oauthError{Code: "insufficient_scope", Status: http.StatusForbidden,
				Description: "userinfo needs an access token with scope openid",
				Challenge:   `Bearer realm="accounts", error="insufficient_scope", scope="openid"`}
		}
		user, err := t.store.User(ctx, tok.Subject())
		if err != nil {
			return invalid("the token's user no longer exists")
		}
		claims := map[string]string{"sub": user.Username}
		if slices.Contains(scope, "profile") {
			claims["name"] = user.Name
		}
		return c.JSON(http.StatusOK, claims)
	}
}
