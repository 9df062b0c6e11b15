package web

// The protected resource side of bearer tokens: RFC 6750 §2.1 (reading the token), §3 (the
// WWW-Authenticate answers), and RFC 9728 §5.1 (pointing clients at the resource metadata).

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/access"
)

// principalKey is where requireToken leaves the checked token for the handlers.
const principalKey = "principal"

// challenger writes WWW-Authenticate headers for Photos.
type challenger struct {
	metadataURL string
}

func newChallenger(publicURL string) challenger {
	return challenger{metadataURL: publicURL + "/.well-known/oauth-protected-resource"}
}

// header builds a Bearer challenge (RFC 6750 §3) with the given attributes, in order.
func (ch challenger) header(attrs ...string) string {
	parts := []string{`realm="photos"`}
	for i := 0; i+1 < len(attrs); i += 2 {
		parts = append(parts, attrs[i]+`="`+quotable(attrs[i+1])+`"`)
	}
	parts = append(parts, `resource_metadata="`+ch.metadataURL+`"`)
	return "Bearer " + strings.Join(parts, ", ")
}

// quotable keeps only the characters RFC 6750 §3 allows in error_description
// (%x20-21 / %x23-5B / %x5D-7E): a description may quote text from the token.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\' || r < 0x20 || r > 0x7e:
			return '?'
		}
		return r
	}, s)
}

// apiError is an answer of the API: a JSON body {"error", "error_description"}, and for
// token errors a WWW-Authenticate challenge.
type apiError struct {
	Status      int
	Code        string
	Description string
	Challenge   string
	Scope       string // for insufficient_scope
}

func (e *apiError) Error() string { return e.Code + ": " + e.Description }

// requireToken reads the bearer token and checks it, or answers 401 (or 503 when Photos cannot
// check tokens at all). The checked token is left in the context for requireScope and the
// handlers.
func requireToken(checker access.Checker, ch challenger, sender senderConstraint) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			scheme, token, ok := authorizationToken(c.Request())
			if !ok {
				// RFC 6750 §3.1: a request with no token gets no error code.
				desc := "This API needs an access token in an Authorization: Bearer header."
				if c.QueryParam("access_token") != "" {
					desc += " Photos ignores tokens in the URL: they leak into logs, history and Referer headers."
				}
				return &apiError{Status: http.StatusUnauthorized, Description: desc, Challenge: ch.unauthorized()}
			}
			p, err := checker.Check(c.Request().Context(), token)
			if access.IsUnavailable(err) {
				c.Response().Header().Set("Retry-After", "5")
				return &apiError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: err.Error()}
			}
			if err != nil {
				return ch.invalidToken(err.Error())
			}
			if err := sender.check(c.Request(), scheme, token, p, ch); err != nil {
				return err
			}
			c.Set(principalKey, p)
			c.Set(logClientKey, p.ClientID)
			return next(c)
		}
	}
}

func principal(c echo.Context) access.Principal {
	p, _ := c.Get(principalKey).(access.Principal)
	return p
}
