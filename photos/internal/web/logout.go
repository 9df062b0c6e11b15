package web

// POST /logout: sign out of Photos, then of Accounts through its end_session_endpoint (OpenID
// Connect RP-Initiated Logout 1.0 §2).

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// handleLogout ends the Photos session, then sends the browser to Accounts' end-session
// endpoint with the ID token as id_token_hint, so that Accounts can end its session without
// asking (§2), and back to Photos' registered post_logout_redirect_uri.
func handleLogout(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, ok, err := a.sessions.user(c)
		if err != nil {
			return err
		}
		if !ok {
			return c.Redirect(http.StatusSeeOther, "/")
		}
		if err := checkCSRF(c.FormValue("csrf_token"), sess); err != nil {
			return err
		}
		if err := a.sessions.end(c, sess); err != nil {
			return err
		}
		params := url.Values{
			"id_token_hint":            {sess.IDToken},
			"client_id":                {a.cfg.WebClientID},
			"post_logout_redirect_uri": {a.cfg.PublicURL + "/"},
		}
		return c.Redirect(http.StatusSeeOther, a.cfg.Issuer+"/end-session?"+params.Encode())
	}
}
