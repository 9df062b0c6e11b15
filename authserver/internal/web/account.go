package web

// The account page: the resource owner sees which apps hold a grant and can revoke each one.
// Revoking here is the user's side of what RFC 7009 gives clients: the grant ends at once.

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

type accountData struct {
	Apps    []store.ConnectedApp
	Revoked string
}

// handleAccount lists the signed-in user's connected apps.
func handleAccount(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := f.sessions.load(c)
		if errors.Is(err, store.ErrNotFound) || (err == nil && sess.Username == "") {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		apps, err := f.store.ConnectedApps(ctx, sess.Username)
		if err != nil {
			return err
		}
		data := accountData{Apps: apps}
		// Name the revoked app from the registry, never from the URL, so a link cannot put
		// words on this page.
		if id := c.QueryParam("revoked"); id != "" {
			if client, err := f.store.Client(ctx, id); err == nil {
				data.Revoked = client.Name
			}
		}
		return f.pages.render(c, http.StatusOK, "account.html", pageData{
			Title: "Connected apps", User: sess.Username, CSRFToken: sess.CSRFToken, Data: data,
		})
	}
}

// handleAccountRevoke ends everything the user gave one app: its remembered consent, its
// refresh tokens, and (for introspection) its access tokens.
func handleAccountRevoke(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := f.sessions.postedForm(c)
		if err != nil {
			return err
		}
		if sess.Username == "" {
			return &pageError{Status: http.StatusForbidden, Title: "You are not signed in",
				Message: "Sign in at Accounts to manage your connected apps."}
		}
		ctx := c.Request().Context()
		client, err := f.store.Client(ctx, form.Get("client_id"))
		if errors.Is(err, store.ErrNotFound) {
			return &pageError{Status: http.StatusBadRequest, Title: "Unknown app",
				Message: "No app is registered with that client_id."}
		}
		if err != nil {
			return err
		}
		err = f.store.Disconnect(ctx, sess.Username, client.ID, f.now())
		if errors.Is(err, store.ErrNotFound) {
			return &pageError{Status: http.StatusBadRequest, Title: "Nothing to revoke",
				Message: client.Name + " has no access to your account."}
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/account?revoked="+url.QueryEscape(client.ID))
	}
}
