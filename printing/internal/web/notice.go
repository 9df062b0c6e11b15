package web

// One-shot notices. A redirect asks the next page for a notice with ?notice=NAME ("Welcome
// back."), and the address keeps it in the history: pressing Back would show it again, long
// after it was news. So the redirect also sets a short-lived cookie naming the notice, and the
// page shows the notice only while that cookie is there, and clears it. Pages are no-store, so
// Back fetches them anew, without the notice.

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

const noticeCookie = "printshop_notice"

// oneShotNotices sets the notice cookie on every redirect to a PrintShop page with ?notice=.
func oneShotNotices(secure bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Before(func() {
				loc := c.Response().Header().Get("Location")
				if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
					return
				}
				u, err := url.Parse(loc)
				if err != nil || notices[u.Query().Get("notice")] == "" {
					return
				}
				c.SetCookie(&http.Cookie{Name: noticeCookie, Value: u.Query().Get("notice"), Path: "/", MaxAge: 60,
					HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
			})
			return next(c)
		}
	}
}

// takeNotice returns the notice the address asks for if it is still news, and uses it up.
func takeNotice(c echo.Context, secure bool) string {
	name := c.QueryParam("notice")
	cookie, err := c.Cookie(noticeCookie)
	if name == "" || err != nil || cookie.Value != name {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: noticeCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
	return notices[name]
}
