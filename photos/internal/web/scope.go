//go:build !ex05

package web

// Workshop exercise 05 (workshop/05-scopes.md): the solution. Its twin, scope_ex05.go, is the
// student's starting file, built with -tags ex05.

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// requireScope refuses a token that does not open scope: 403 insufficient_scope naming the
// scope needed (RFC 6750 §3.1). It runs before the handler looks anything up, so a token that
// may not read learns nothing, not even whether a photo exists.
func requireScope(scope string, ch challenger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !principal(c).HasScope(scope) {
				desc := "this needs scope " + scope + "; the token has: " + strings.Join(principal(c).Scope, " ")
				return &apiError{Status: http.StatusForbidden, Code: "insufficient_scope", Description: desc, Scope: scope,
					Challenge: ch.header("error", "insufficient_scope", "error_description", desc, "scope", scope)}
			}
			return next(c)
		}
	}
}
