package web

// GET /login: the start of the sign-in, an OpenID Connect authentication request (OpenID
// Connect Core §3.1.2.1) for the authorization code flow with PKCE (RFC 7636).

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/valet/photos/internal/store"
)

// handleLogin sends the browser to Accounts with a fresh state, nonce and PKCE verifier, all
// three kept with this browser's session. RFC 9700 §2.1.1: clients "MUST prevent injection of
// authorization codes" (PKCE) and "MUST prevent CSRF" (state, bound to the session); OpenID
// Connect Core §3.1.2.1: nonce binds the ID token to this sign-in.
func handleLogin(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.sessions.ensure(c)
		if err != nil {
			return err
		}
		state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
		err = a.store.SaveLoginRequest(c.Request().Context(), store.Hash(state), sess.Key,
			store.LoginRequest{Nonce: nonce, CodeVerifier: verifier}, a.cfg.Now().Add(loginTTL))
		if err != nil {
			return err
		}
		to := a.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce))
		return c.Redirect(http.StatusSeeOther, to)
	}
}
