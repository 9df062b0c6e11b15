package web

// POST /upload: the web app's upload form (multipart/form-data, RFC 7578), into the same
// library the API serves: what is uploaded here shows at PrintShop after a refresh.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleWebUpload stores the posted file for the signed-in user, after checking the form's
// csrf_token, and answers 303 to the library. The page's script posts the same form with a
// progress bar; without script the browser posts it as it is.
func handleWebUpload(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		fields, file, err := readUpload(c.Request())
		if err != nil {
			return asPage(err)
		}
		if err := checkCSRF(fields["csrf_token"], sess); err != nil {
			return err
		}
		if _, err := storeUpload(c.Request().Context(), a.store, sess.Username, fields, file, a.cfg.Now()); err != nil {
			return asPage(err)
		}
		return c.Redirect(http.StatusSeeOther, "/")
	}
}

// asPage shows an API error of the upload (not an image, too large) as a page.
func asPage(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return &pageError{Status: ae.Status, Title: "The upload did not work", Message: ae.Description + "."}
	}
	return err
}
