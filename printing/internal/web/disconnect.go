package web

// Disconnecting: PrintShop revokes its refresh token at Accounts (RFC 7009), which ends the
// whole grant there, and then forgets its tokens.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// handleDisconnect revokes, then forgets. If Accounts cannot be reached, nothing is forgotten:
// a grant PrintShop forgot but Accounts still honours is exactly what the user wanted to end.
func handleDisconnect(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, sess, err := a.sessions.postedForm(c)
		if err != nil {
			return err
		}
		if sess.Username == "" {
			return &redirect{to: "/?notice=sign-in"}
		}
		ctx := c.Request().Context()
		mu := a.tokens.lock(sess.Username) // no refresh may rotate the token being revoked
		mu.Lock()
		defer mu.Unlock()
		conn, err := a.store.Connection(ctx, sess.Username)
		if errors.Is(err, store.ErrNotFound) {
			return c.Redirect(http.StatusSeeOther, "/?notice=disconnected")
		}
		if err != nil {
			return err
		}
		if conn.Connected() {
			revoke := flow.WithStep(ctx, sess.Username, "revoke", "Revocation: PrintShop asks Accounts to end the grant (RFC 7009)", flow.Accounts)
			if err := a.oauth.Revoke(revoke, conn.RefreshToken, "refresh_token"); err != nil {
				return &pageError{Status: http.StatusServiceUnavailable, Title: "PrintShop could not revoke its key",
					Message: "Accounts did not take the revocation (" + err.Error() + "). PrintShop kept the tokens, so you can try again; disconnecting only counts once Accounts knows.",
					Retry:   "/"}
			}
		}
		if err := a.store.DeleteConnection(ctx, sess.Username); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/?notice=disconnected")
	}
}
