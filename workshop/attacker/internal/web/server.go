// Package web is the attack lab's evil site: a page of loot (stolen codes and tokens, and what
// Photos said to each), the traps a victim's browser is sent through, and the attacker's own
// API, which receives tokens meant for it (workshop/attacks/).
package web

import (
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Config is where the attacker lives and where its victims are.
type Config struct {
	Addr         string // ATTACKER_ADDR, :9666
	PublicURL    string // ATTACKER_PUBLIC_URL, the evil site as a browser sees it
	AccountsURL  string // ATTACKER_ACCOUNTS_URL: Accounts' public URL, the issuer
	PhotosURL    string // ATTACKER_PHOTOS_URL: Photos' public URL, the audience it expects
	PrintShopURL string // ATTACKER_PRINTSHOP_URL: the victim client's public URL
	// AccountsBackChannel and PhotosBackChannel are where the attacker's server calls them
	// (in Docker Compose, the service names); they default to the public URLs.
	AccountsBackChannel, PhotosBackChannel string
	Now                                    func() time.Time // nil means time.Now
}

// loot is one stolen thing and what came of it.
type loot struct {
	At     time.Time
	Kind   string // "code", "access_token", "error"
	Value  string
	How    string // how it reached the attacker
	Photos string // what Photos answered when the attacker tried it; "" for a code
}

// attacker holds the site's state: the loot, in memory, and the bait of the login CSRF attack.
type attacker struct {
	cfg    Config
	logger *slog.Logger
	pages  *renderer
	client *http.Client

	mu   sync.Mutex
	loot []loot
	bait string // a PrintShop callback URL carrying the attacker's own code
}

// NewServer returns the attacker's HTTP handler.
func NewServer(logger *slog.Logger, cfg Config) (http.Handler, error) {
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
	a := &attacker{cfg: cfg, logger: logger, pages: pages, client: &http.Client{Timeout: 10 * time.Second}}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		status := http.StatusInternalServerError
		if he, ok := err.(*echo.HTTPError); ok {
			status = he.Code
		}
		c.String(status, "The attacker's site: "+err.Error())
	}
	addRoutes(e, a, static)
	return e, nil
}

// keep records loot, newest first.
func (a *attacker) keep(l loot) {
	l.At = a.cfg.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.loot = append([]loot{l}, a.loot...)
	a.logger.Info("loot received", "kind", l.Kind, "how", l.How)
}

// lastCode is the newest stolen code, or "".
func (a *attacker) lastCode() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, l := range a.loot {
		if l.Kind == "code" {
			return l.Value
		}
	}
	return ""
}

// host is the attacker's host:port, for the userinfo trick.
func (a *attacker) host() string {
	u, _ := url.Parse(a.cfg.PublicURL)
	return u.Host
}

func randomString() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
