package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// oauthError is an error response of the token, revocation, introspection and userinfo
// endpoints (RFC 6749 §5.2, RFC 6750 §3). The handler returns it; httpErrorHandler writes it.
type oauthError struct {
	Code        string // the RFC error code, e.g. "invalid_grant"; empty only for RFC 6750 §3.1's no-token case
	Description string // which check failed and what to do, for a developer
	Status      int
	// Challenge, when set, is sent as WWW-Authenticate (RFC 6749 §5.2 for invalid_client,
	// RFC 6750 §3 for bearer token errors).
	Challenge string
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{Code: "invalid_request", Description: desc, Status: http.StatusBadRequest}
}

// errInvalidClient is always 401 with a Basic challenge. RFC 6749 §5.2 requires that only when
// the client tried the Authorization header; sending it every time tells every client how to
// authenticate.
func errInvalidClient(desc string) *oauthError {
	return &oauthError{Code: "invalid_client", Description: desc, Status: http.StatusUnauthorized,
		Challenge: `Basic realm="accounts", charset="UTF-8"`}
}

func errInvalidGrant(desc string) *oauthError {
	return &oauthError{Code: "invalid_grant", Description: desc, Status: http.StatusBadRequest}
}

func errUnauthorizedClient(desc string) *oauthError {
	return &oauthError{Code: "unauthorized_client", Description: desc, Status: http.StatusBadRequest}
}

func errUnsupportedGrantType(desc string) *oauthError {
	return &oauthError{Code: "unsupported_grant_type", Description: desc, Status: http.StatusBadRequest}
}

func errInvalidScope(desc string) *oauthError {
	return &oauthError{Code: "invalid_scope", Description: desc, Status: http.StatusBadRequest}
}

// pageError is an error shown to a person in the browser, as an HTML page.
type pageError struct {
	Status  int
	Title   string
	Message string // what went wrong and what to do next
}

func (e *pageError) Error() string { return e.Title + ": " + e.Message }

// httpErrorHandler turns every error a handler returns into an answer, and logs it once.
// OAuth errors become JSON with Cache-Control: no-store; page errors become HTML; anything else
// is logged and answered as a server_error that shows no internals.
func httpErrorHandler(logger *slog.Logger, pages *renderer, sessions *sessions) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		req := c.Request()
		var oe *oauthError
		var pe *pageError
		var he *echo.HTTPError
		switch {
		case errors.As(err, &oe):
		case errors.As(err, &pe):
		case errors.As(err, &he):
			msg := http.StatusText(he.Code)
			switch he.Code {
			case http.StatusNotFound:
				msg = "There is no page at " + req.URL.Path + " on Accounts."
			case http.StatusMethodNotAllowed:
				msg = req.Method + " is not allowed at " + req.URL.Path + "; use " + c.Response().Header().Get("Allow") + "."
			}
			if isAPIPath(req.URL.Path) {
				oe = &oauthError{Code: "invalid_request", Description: msg, Status: he.Code}
			} else {
				pe = &pageError{Status: he.Code, Title: http.StatusText(he.Code), Message: msg}
			}
		default:
			logger.Error("request failed", "method", req.Method, "path", req.URL.Path, "err", err)
			if isAPIPath(req.URL.Path) {
				oe = &oauthError{Code: "server_error", Status: http.StatusInternalServerError,
					Description: "Accounts hit an internal error; it has been logged. Try again, and report it if it persists."}
			} else {
				pe = &pageError{Status: http.StatusInternalServerError, Title: "Something broke at Accounts",
					Message: "Accounts hit an internal error; it has been logged. Go back and try again."}
			}
		}
		if oe != nil {
			noStore(c)
			if oe.Challenge != "" {
				// Set directly to keep the RFC's spelling; Header.Set would write Www-Authenticate.
				c.Response().Header()["WWW-Authenticate"] = []string{oe.Challenge}
			}
			c.Set(logErrorKey, oe.Code)
			body := map[string]string{"error_description": oe.Description}
			if oe.Code != "" {
				body["error"] = oe.Code
			}
			if err := c.JSON(oe.Status, body); err != nil {
				logger.Error("write error response", "err", err)
			}
			return
		}
		c.Set(logErrorKey, pe.Title)
		data := pageData{Title: pe.Title, Data: pe}
		if sess, err := sessions.load(c); err == nil {
			data.User, data.CSRFToken = sess.Username, sess.CSRFToken // the banner tells the truth
		}
		if err := pages.render(c, pe.Status, "error.html", data); err != nil {
			logger.Error("render error page", "err", err)
		}
	}
}

// isAPIPath reports whether a path answers machines (JSON) rather than people (HTML).
func isAPIPath(path string) bool {
	switch path {
	case "/token", "/revoke", "/introspect", "/userinfo", "/device_authorization":
		return true
	}
	return strings.HasPrefix(path, "/.well-known/")
}

// noStore marks a response as not cacheable, as RFC 6749 §5.1 requires of anything that
// carries a token or credential.
func noStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}
