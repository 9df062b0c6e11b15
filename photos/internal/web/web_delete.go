package web

// POST /photos/{id}/delete: the photo page's delete form, after its confirmation. The photo is
// gone from the one library: PrintShop no longer sees it either.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

// handleWebDelete deletes one of the signed-in user's photos, after checking csrf_token.
func handleWebDelete(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		if err := checkCSRF(c.FormValue("csrf_token"), sess); err != nil {
			return err
		}
		err = a.store.DeletePhoto(c.Request().Context(), sess.Username, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/")
	}
}
