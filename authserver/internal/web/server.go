// Package web is Accounts' HTTP interface: the OAuth 2.0 endpoints, the sign-in, consent and
// account pages, and the metadata and keys that other services read.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/store"
)

// Config is what the web layer needs to know about its deployment.
type Config struct {
	// Issuer is Accounts' public URL, with no trailing slash: the iss of every token and the base
	// of every URL in the metadata.
	Issuer string
	// Audience is the aud of access tokens that carry photos.* scopes: Photos' public URL.
	Audience string
	// SigningAlg signs access tokens. ID tokens are always signed with keys.IDTokenAlg.
	SigningAlg      jwa.SignatureAlgorithm
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// EnableImplicit lets clients registered for the "implicit" grant use response_type=token
	// (RFC 6749 §4.2). Off by default: RFC 9700 §2.1.2 says clients SHOULD NOT use it, and
	// OAuth 2.1 drops it. It is on only to show the legacy flow as a museum piece.
	EnableImplicit bool
	// Now is the clock; nil means time.Now. Tests move it to expire codes and tokens.
	Now func() time.Time
}

// NewServer returns Accounts' HTTP handler.
func NewServer(logger *slog.Logger, st *store.Store, keyring *keys.Keyring, cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	browserSessions := &sessions{store: st, now: cfg.Now, secure: strings.HasPrefix(cfg.Issuer, "https://")}
	e.HTTPErrorHandler = httpErrorHandler(logger, pages, browserSessions)
	e.Use(requestLog(logger), securityHeaders, limitBody)

	tokens := &minter{keys: keyring, accessAlg: cfg.SigningAlg, issuer: cfg.Issuer, audience: cfg.Audience,
		accessTTL: cfg.AccessTokenTTL, now: cfg.Now}
	f := &flow{
		store:          st,
		sessions:       browserSessions,
		pages:          pages,
		issuer:         cfg.Issuer,
		now:            cfg.Now,
		minter:         tokens,
		enableImplicit: cfg.EnableImplicit,
		passwords:      newPasswordGate(),
	}
	t := &tokenEndpoint{
		store:      st,
		clients:    newClientAuthenticator(st),
		minter:     tokens,
		refreshTTL: cfg.RefreshTokenTTL,
		now:        cfg.Now,
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	addRoutes(e, f, t, st, keyring, newMetadata(cfg.Issuer, cfg.EnableImplicit), static)
	return e, nil
}
