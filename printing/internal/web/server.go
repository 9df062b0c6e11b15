// Package web is PrintShop's HTTP interface: its own sign-in, the "Connect your Photos" flow
// (the OAuth client side), the gallery, print orders, and disconnecting.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

// Config is what the web layer needs to know about its deployment.
type Config struct {
	PublicURL string           // PrintShop's public URL; cookies are Secure when it is https
	Now       func() time.Time // nil means time.Now
	// PhotosPublicURL is Photos' public URL, for links a person follows.
	PhotosPublicURL string
}

// app holds what PrintShop's handlers share.
type app struct {
	store     *store.Store
	sessions  *sessions
	pages     *renderer
	oauth     *oauth.Client
	photos    *photosapi.Client
	tokens    *tokenKeeper
	flows     *flow.Recorder
	publicURL string
	now       func() time.Time
	// photosPublicURL is where a browser finds Photos' own web app.
	photosPublicURL string
	// passwords runs the sign-in's bcrypt comparisons, one per core at a time.
	passwords passwordGate
}

// NewServer returns PrintShop's HTTP handler. The clients' HTTP transports should record into
// flows (see flow.Transport), so that /flow shows the back channel too.
func NewServer(logger *slog.Logger, st *store.Store, client *oauth.Client, photos *photosapi.Client, flows *flow.Recorder, cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a := &app{
		store:     st,
		sessions:  &sessions{store: st, now: cfg.Now, secure: strings.HasPrefix(cfg.PublicURL, "https://")},
		pages:     pages,
		oauth:     client,
		photos:    photos,
		tokens:    &tokenKeeper{store: st, oauth: client, now: cfg.Now},
		flows:     flows,
		publicURL: cfg.PublicURL,
		now:       cfg.Now,

		photosPublicURL: cfg.PhotosPublicURL,
		passwords:       newPasswordGate(),
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpErrorHandler(logger, pages, a.sessions)
	e.Use(requestLog(logger), securityHeaders)
	e.Use(oneShotNotices(a.sessions.secure))
	addRoutes(e, a, static)
	return e, nil
}
