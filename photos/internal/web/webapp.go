package web

// Photos' own web app: the pages its owner uses, signed in with OpenID Connect at Accounts.

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/store"
)

// webApp is what the pages of Photos' web app share.
type webApp struct {
	store    *store.Store
	sessions *sessions
	pages    *renderer
	cfg      Config
	// oauth is the relying party's registration at Accounts: the browser goes to the issuer's
	// /authorize, and the code is redeemed over the back channel.
	oauth *oauth2.Config
	// keys finds Accounts' signing keys in the JWKS cache the API uses.
	keys *access.JWTChecker
	// backChannel calls Accounts' token endpoint.
	backChannel *http.Client
}

func newWebApp(st *store.Store, pages *renderer, cfg Config) *webApp {
	authServer := cfg.AuthServerURL
	if authServer == "" {
		authServer = cfg.Issuer
	}
	return &webApp{
		store:    st,
		sessions: &sessions{store: st, now: cfg.Now, secure: strings.HasPrefix(cfg.PublicURL, "https://")},
		pages:    pages,
		cfg:      cfg,
		oauth: &oauth2.Config{
			ClientID:     cfg.WebClientID,
			ClientSecret: cfg.WebClientSecret,
			RedirectURL:  cfg.PublicURL + "/callback",
			// Who you are, not a valet key: Photos needs no access token to its own photos.
			Scopes: []string{"openid", "profile"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   cfg.Issuer + "/authorize",
				TokenURL:  authServer + "/token",
				AuthStyle: oauth2.AuthStyleInHeader,
			},
		},
		keys:        cfg.Keys,
		backChannel: &http.Client{Timeout: 10 * time.Second},
	}
}

// page renders a page of the web app with the session's user and CSRF token for the banner.
func (a *webApp) page(sess store.Session, title string, data any) pageData {
	return pageData{Title: title, User: sess.Username, Name: sess.Name, CSRFToken: sess.CSRFToken,
		AccountURL: a.cfg.Issuer + "/account", Data: data}
}
