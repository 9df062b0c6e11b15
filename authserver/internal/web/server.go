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

	"github.com/valet/authserver/internal/dpop"
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
	// DPoPNonce makes every DPoP proof at /token carry a nonce Accounts gave out (RFC 9449 §8).
	DPoPNonce bool
	// InsecureRedirectPrefix (AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix) accepts any redirect_uri
	// that starts with a registered one: the attack lab's weakness of RFC 9700 §2.1.
	InsecureRedirectPrefix bool
	// InsecurePKCEOptional (AUTHSERVER_INSECURE_PKCE_OPTIONAL=true) issues a code without
	// code_challenge, redeemed without code_verifier: the lab's weakness of RFC 9700 §2.1.1.
	InsecurePKCEOptional bool
	// LabResource is a second resource server (the attack lab's attacker) that a token request
	// may name with RFC 8707's resource parameter; its tokens have it alone as aud. "" is off.
	LabResource string
	// Now is the clock; nil means time.Now. Tests move it to expire codes and tokens.
	Now func() time.Time
}

// dpopReplayLimit bounds the DPoP proofs remembered at once (RFC 9449 §11.1): a minute of
// token requests at a busy classroom's rate, with room to spare.
const dpopReplayLimit = 100_000

// NewServer returns Accounts' HTTP handler.
func NewServer(logger *slog.Logger, st *store.Store, keyring *keys.Keyring, cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	insecure := insecureSwitches(cfg)
	for _, name := range insecure {
		logger.Warn("INSECURE: "+name+" is on: Accounts is weakened for the attack lab; never run it like this", "switch", name)
	}
	pages, err := newRenderer(insecure)
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

		insecureRedirectPrefix: cfg.InsecureRedirectPrefix,
		insecurePKCEOptional:   cfg.InsecurePKCEOptional,
	}
	meta := newMetadata(cfg.Issuer, cfg.EnableImplicit)
	t := &tokenEndpoint{
		store:      st,
		clients:    newClientAuthenticator(st),
		minter:     tokens,
		refreshTTL: cfg.RefreshTokenTTL,
		now:        cfg.Now,
		proofs:     dpop.NewVerifier(cfg.Now, dpopReplayLimit),
		tokenURL:   meta.TokenEndpoint, // htu: the published URL, whatever address the client dialled

		insecurePKCEOptional: cfg.InsecurePKCEOptional,
		labResource:          cfg.LabResource,
	}
	if cfg.DPoPNonce {
		if t.nonces, err = newDPoPNonces(cfg.Now); err != nil {
			return nil, err
		}
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	addRoutes(e, f, t, st, keyring, meta, static)
	return e, nil
}
