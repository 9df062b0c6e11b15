package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// httpErrorHandler turns every error a handler returns into an answer, and logs it once. API
// errors become JSON {"error", "error_description"} with their challenge; anything unknown is
// logged and answered as a 500 that shows no internals.
func httpErrorHandler(logger *slog.Logger, pages *renderer) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		req := c.Request()
		var ae *apiError
		var he *echo.HTTPError
		var pe *pageError
		switch {
		case errors.As(err, &pe):
			// A page of Photos' web app: the person sees what failed and what to do.
			c.Set(logErrorKey, pe.Title)
			if err := pages.render(c, pe.Status, "error.html", pageData{Title: pe.Title, Data: pe}); err != nil {
				logger.Error("render page", "err", err)
			}
			return
		case errors.As(err, &ae):
		case errors.As(err, &he):
			desc := http.StatusText(he.Code)
			switch he.Code {
			case http.StatusNotFound:
				desc = "there is nothing at " + req.URL.Path
			case http.StatusMethodNotAllowed:
				desc = req.Method + " is not allowed at " + req.URL.Path + "; use " + c.Response().Header().Get("Allow")
			}
			ae = &apiError{Status: he.Code, Code: "invalid_request", Description: desc}
		default:
			logger.Error("request failed", "method", req.Method, "path", req.URL.Path, "err", err)
			ae = &apiError{Status: http.StatusInternalServerError, Code: "server_error",
				Description: "Photos hit an internal error; it has been logged"}
		}
		c.Set(logErrorKey, ae.Code)
		if ae.Challenge != "" {
			// Set directly to keep the RFC's spelling; Header.Set would write Www-Authenticate.
			c.Response().Header()["WWW-Authenticate"] = []string{ae.Challenge}
		}
		isAPI := req.URL.Path == "/api" || strings.HasPrefix(req.URL.Path, "/api/")
		if !isAPI && ae.Status == http.StatusNotFound {
			if err := pages.render(c, ae.Status, "notfound.html", pageData{Title: "Not found"}); err != nil {
				logger.Error("render page", "err", err)
			}
			return
		}
		body := map[string]string{"error_description": ae.Description}
		if ae.Code != "" {
			body["error"] = ae.Code
		}
		if ae.Scope != "" {
			body["scope"] = ae.Scope
		}
		if err := c.JSON(ae.Status, body); err != nil {
			logger.Error("write error response", "err", err)
		}
	}
}

// pageError is an error of Photos' web app, shown to a person as an HTML page.
type pageError struct {
	Status  int
	Title   string
	Message string // what went wrong and what to do next
}

func (e *pageError) Error() string { return e.Title + ": " + e.Message }
