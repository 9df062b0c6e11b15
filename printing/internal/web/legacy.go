package web

// The implicit flow (RFC 6749 §4.2), as a museum piece. The demo client "legacy" at Accounts
// is a 2012-style browser app: it asks for response_type=token, and the access token comes back
// in this page's URL fragment, where /static/legacy.js shows it. The page then explains where
// such a token leaks, and why RFC 9700 §2.1.2 and OAuth 2.1 dropped the flow. PrintShop itself
// never uses it: its own tokens come from the code flow with PKCE and stay on the server.

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/store"
)

// legacyClientID is the public demo client Accounts registers for the implicit flow.
const legacyClientID = "legacy"

type legacyData struct {
	// Open is set when Accounts lists response type "token" in its metadata
	// (AUTHSERVER_ENABLE_IMPLICIT=true there).
	Open bool
	// TryURL is the implicit authorization request, when Open.
	TryURL string
	// Problem explains why Accounts' metadata could not be read, if it could not.
	Problem string
	// Issuer is where the token must come from; legacy.js compares iss with it.
	Issuer      string
	RedirectURI string
}

// handleLegacy shows the exhibit. The page is the same whether or not a token just arrived:
// the fragment never reaches the server, so only the script in the browser can see it.
func handleLegacy(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.sessions.load(c)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		data := legacyData{Issuer: a.oauth.Issuer(), RedirectURI: a.publicURL + "/legacy"}
		m, err := a.oauth.Discover(c.Request().Context())
		switch {
		case errors.Is(err, oauth.ErrUnreachable):
			data.Problem = "Accounts cannot be reached right now, so PrintShop cannot tell whether the exhibit is open. Start Accounts and reload this page."
		case err != nil:
			data.Problem = err.Error()
		case slices.Contains(m.ResponseTypes, "token"):
			data.Open = true
			data.TryURL = legacyAuthorizationURL(m.AuthorizationEndpoint, data.RedirectURI, randomToken())
		}
		return a.pages.render(c, http.StatusOK, "legacy.html", pageData{Title: "Museum: the implicit flow",
			User: sess.Username, CSRFToken: sess.CSRFToken, Data: data})
	}
}

// legacyAuthorizationURL is the implicit authorization request of RFC 6749 §4.2.1: no
// code_challenge, since there is no code for a verifier to protect. The state lets legacy.js
// check that the answer belongs to a request this tab made; it is all the protection the flow
// had against a token slipped into the fragment by someone else.
func legacyAuthorizationURL(endpoint, redirectURI, state string) string {
	return endpoint + "?" + url.Values{
		"response_type": {"token"},
		"client_id":     {legacyClientID},
		"redirect_uri":  {redirectURI},
		"scope":         {"photos.read"},
		"state":         {state},
	}.Encode()
}
