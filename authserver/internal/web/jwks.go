package web

// The JWK Set (RFC 7517 §5) of Accounts' public signing keys. Resource servers fetch it to
// check access tokens; each key carries kid, alg and use so that a verifier takes the
// algorithm from the key, never from the token (RFC 8725 §3.1).

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/keys"
)

// handleJWKS serves the published public keys: the signing key and the replaced keys whose
// tokens may still be valid.
func handleJWKS(k *keys.Keyring) echo.HandlerFunc {
	return func(c echo.Context) error {
		set, err := k.Public(c.Request().Context())
		if err != nil {
			return err
		}
		// Let caches keep it briefly; a verifier refetches on an unknown kid anyway.
		c.Response().Header().Set("Cache-Control", "public, max-age=60")
		return c.JSON(http.StatusOK, set)
	}
}
