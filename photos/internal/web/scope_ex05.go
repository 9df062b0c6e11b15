//go:build ex05

package web

// Workshop exercise 05: enforce scopes, the valet key (workshop/05-scopes.md).
//
// Goal: a valet key opens the car but not the boot. An access token that opens Photos for
// reading (photos.read) must not upload (photos.write) or delete (photos.delete). Write the
// middleware that each API route wears (routes.go): requireScope("photos.read", ch) lets a
// request through only if its token has that scope.
//
// The rules:
//   - RFC 6750 §3.1: a valid token without the scope gets 403 with error="insufficient_scope"
//     and a scope attribute naming what is needed. Not 401: the token itself is fine.
//   - RFC 6749 §3.3: scope is a list of space-delimited strings; a scope is granted only if the
//     same string is in the list. photos.readonly is not photos.read.
//   - Decide before the handler runs, so a token that may not read learns nothing, not even
//     whether a photo exists (403 before 404).
//
// What you have: principal(c) is the checked token (requireToken ran first); its Scope is a
// []string. Return an *apiError{Status, Code, Description, Scope, Challenge} to refuse;
// ch.header("error", "insufficient_scope", "error_description", desc, "scope", scope) builds
// the WWW-Authenticate challenge.
//
// Hints:
//  1. Compare whole scope values (slices.Contains, or Principal.HasScope), never substrings.
//  2. Return the error without calling next(c).
//
// Check: make exercise N=05. Run it live: make run TAGS=ex05.

import "github.com/labstack/echo/v4"

// requireScope refuses a token that does not open scope.
func requireScope(scope string, ch challenger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// The starting point lets every valid token do everything. Replace this.
			return next(c)
		}
	}
}
