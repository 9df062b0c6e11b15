package web

// GET /photos/{id} and GET /photos/{id}/image: one photo of the signed-in user, full size. The
// web app reads the same library as the API, with the session's user as the owner: another
// user's id is a 404, as at the API.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

// handlePhotoPage shows one photo with its details and the delete form.
func handlePhotoPage(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		p, err := a.store.Photo(c.Request().Context(), sess.Username, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		noStorePage(c)
		return a.pages.render(c, http.StatusOK, "photo.html", a.page(sess, p.Title, p))
	}
}

// handlePhotoImage serves the image bytes, for the signed-in owner only.
func handlePhotoImage(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		jpeg, err := a.store.Content(c.Request().Context(), sess.Username, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		// Private: a shared cache must never hand one user's photo to another.
		c.Response().Header().Set("Cache-Control", "private, max-age=300")
		return c.Blob(http.StatusOK, "image/jpeg", jpeg)
	}
}

// signedIn returns the signed-in session, or an error page that asks the user to sign in.
func (a *webApp) signedIn(c echo.Context) (store.Session, error) {
	sess, ok, err := a.sessions.user(c)
	if err != nil {
		return store.Session{}, err
	}
	if !ok {
		return store.Session{}, &pageError{Status: http.StatusUnauthorized, Title: "Please sign in",
			Message: "This page shows your photos, so Photos needs to know who you are. Sign in with Accounts from the home page."}
	}
	return sess, nil
}
