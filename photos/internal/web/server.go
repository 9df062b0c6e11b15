// Package web is Photos' HTTP interface: the photos API that access tokens open, its RFC 9728
// metadata, a page that explains what a resource server is, and Photos' own web app, where
// its owner signs in with OpenID Connect.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/store"
)

// Config is what the web layer needs to know about its deployment.
type Config struct {
	// PublicURL is Photos' public URL: its resource identifier (RFC 9728 §2) and the base of
	// the metadata URL in every WWW-Authenticate.
	PublicURL string
	// Issuer is the authorization server whose tokens Photos accepts, as listed in the metadata.
	Issuer string
	// TokenCheck names how tokens are checked, "jwt" or "introspect", for the home page.
	TokenCheck string
	Now        func() time.Time // nil means time.Now

	// WebClientID and WebClientSecret are the registration at Accounts of Photos' own web app
	// (PHOTOS_WEB_CLIENT_ID, PHOTOS_WEB_CLIENT_SECRET), which signs its owner in with OpenID
	// Connect.
	WebClientID, WebClientSecret string
	// AuthServerURL is the back channel to Accounts, for its token endpoint; "" means Issuer.
	AuthServerURL string
	// PrintShopURL is PrintShop's public URL, linked from /me.
	PrintShopURL string
	// Keys checks ID tokens with Accounts' keys, from the JWKS cache that checks access tokens.
	Keys *access.JWTChecker
	// Insecure names the attack lab's switches that are on (PHOTOS_INSECURE_*): each is logged
	// at start as a WARN line and shown as a red banner on every page. The checks themselves are
	// weakened in access.JWTChecker.
	Insecure []string
}

// NewServer returns Photos' HTTP handler. checker decides whether a token opens the API.
func NewServer(logger *slog.Logger, st *store.Store, checker access.Checker, cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for _, name := range cfg.Insecure {
		logger.Warn("INSECURE: "+name+" is on: Photos is weakened for the attack lab; never run it like this", "switch", name)
	}
	pages, err := newRenderer(cfg.Insecure)
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpErrorHandler(logger, pages)
	e.Use(requestLog(logger), securityHeaders)
	addRoutes(e, st, checker, cfg, pages, static)
	return e, nil
}
