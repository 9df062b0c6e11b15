// Package web is PrintShop's HTTP interface: its own sign-in, the "Connect your Photos" flow
// (the OAuth client side), the gallery, print orders, and disconnecting.
package web

import (
	"cmp"
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
	// TokenBinding is PRINTING_TOKEN_BINDING: BindingBearer ("" too) or BindingDPoP, where each
	// new connection gets a key pair its tokens are bound to (RFC 9449).
	TokenBinding string
	// InsecureSkipState is the attack lab's PRINTING_INSECURE_SKIP_STATE: the callback ignores
	// state (see handleCallback).
	InsecureSkipState bool
	// Insecure names the attack lab's switches that are on (PRINTING_INSECURE_*): each is logged
	// at start as a WARN line and shown as a red banner on every page.
	Insecure []string
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
	// tokenBinding is BindingBearer or BindingDPoP.
	tokenBinding string
	// outsider calls Photos from outside PrintShop, with no key: the "steal the valet key"
	// experiment's thief. Its requests are recorded, never signed.
	outsider *http.Client
	// insecureSkipState is the attack lab's PRINTING_INSECURE_SKIP_STATE.
	insecureSkipState bool
	// passwords runs the sign-in's bcrypt comparisons, one per core at a time.
	passwords passwordGate
}

// NewServer returns PrintShop's HTTP handler. The clients' HTTP transports should record into
// flows (see flow.Transport), so that /flow shows the back channel too.
func NewServer(logger *slog.Logger, st *store.Store, client *oauth.Client, photos *photosapi.Client, flows *flow.Recorder, cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for _, name := range cfg.Insecure {
		logger.Warn("INSECURE: "+name+" is on: PrintShop is weakened for the attack lab; never run it like this", "switch", name)
	}
	pages, err := newRenderer(cfg.Insecure)
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
		tokenBinding:    cmp.Or(cfg.TokenBinding, BindingBearer),
		outsider:        &http.Client{Transport: &flow.Transport{Base: http.DefaultTransport, Recorder: flows}, Timeout: 10 * time.Second},

		insecureSkipState: cfg.InsecureSkipState,
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpErrorHandler(logger, pages, a.sessions)
	e.Use(requestLog(logger), securityHeaders)
	e.Use(oneShotNotices(a.sessions.secure))
	addRoutes(e, a, static)
	return e, nil
}
