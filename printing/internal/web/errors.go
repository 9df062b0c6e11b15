package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// pageError is an error shown to a person as an HTML page: what went wrong, in plain words,
// and what to do next.
type pageError struct {
	Status  int
	Title   string
	Message string
	// Retry, when set, is offered as a "Try again" link (a path on PrintShop).
	Retry string
	// Connect offers the "Connect your Photos" button.
	Connect bool
}

func (e *pageError) Error() string { return e.Title + ": " + e.Message }

// redirect is an "error" that sends the browser elsewhere, such as to sign in first.
type redirect struct{ to string }

func (r *redirect) Error() string { return "redirect to " + r.to }

// httpErrorHandler turns every error a handler returns into a page, and logs it once. Anything
// unknown is logged and shown as a page that apologises without internals: never a bare 500.
func httpErrorHandler(logger *slog.Logger, pages *renderer, sessions *sessions) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		req := c.Request()
		var pe *pageError
		var he *echo.HTTPError
		var rd *redirect
		switch {
		case errors.As(err, &rd):
			if err := c.Redirect(http.StatusSeeOther, rd.to); err != nil {
				logger.Error("redirect", "err", err)
			}
			return
		case errors.As(err, &pe):
		case errors.As(err, &he):
			msg := http.StatusText(he.Code)
			switch he.Code {
			case http.StatusNotFound:
				msg = "There is no page at " + req.URL.Path + " at PrintShop."
			case http.StatusMethodNotAllowed:
				msg = req.Method + " is not allowed at " + req.URL.Path + "."
			}
			pe = &pageError{Status: he.Code, Title: http.StatusText(he.Code), Message: msg}
		default:
			logger.Error("request failed", "method", req.Method, "path", req.URL.Path, "err", err)
			pe = &pageError{Status: http.StatusInternalServerError, Title: "Something broke at PrintShop",
				Message: "PrintShop hit an internal error; it has been logged. Go back and try again.", Retry: "/"}
		}
		if pe.Retry == "" && pe.Status == http.StatusServiceUnavailable {
			// A service was down: offer the same request again, or the gallery after a form.
			pe.Retry = "/photos"
			if req.Method == http.MethodGet {
				pe.Retry = req.URL.RequestURI()
			}
		}
		c.Set(logErrorKey, pe.Title)
		data := pageData{Title: pe.Title, Data: pe}
		if sess, err := sessions.load(c); err == nil {
			data.User, data.CSRFToken = sess.Username, sess.CSRFToken
		}
		if err := pages.render(c, pe.Status, "error.html", data); err != nil {
			logger.Error("render error page", "err", err)
		}
	}
}
