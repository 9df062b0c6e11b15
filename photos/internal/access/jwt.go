package access

// Checking a JWT access token on its own: RFC 9068 §4 ("Validating JWT Access Tokens") and the
// JWT Best Current Practices of RFC 8725.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// MaxSkew is the clock difference tolerated on exp, nbf and iat.
const MaxSkew = 60 * time.Second

// JWTConfig says what a valid token looks like and where the keys are.
type JWTConfig struct {
	Issuer   string // the only accepted iss: Accounts' public URL
	Audience string // the only accepted aud: Photos' public URL
	JWKSURL  string // Accounts' JWKS over the back channel
	// RefetchInterval is the least time between two fetches of the JWKS caused by an unknown
	// kid. Zero means 10 seconds.
	RefetchInterval time.Duration
	HTTPClient      *http.Client
	Now             func() time.Time // nil means time.Now

	// The attack lab's switches (workshop/attacks/), off by default: InsecureAcceptAlgNone is
	// PHOTOS_INSECURE_ACCEPT_ALG_NONE, InsecureSkipAudience is PHOTOS_INSECURE_SKIP_AUDIENCE.
	InsecureAcceptAlgNone bool
	InsecureSkipAudience  bool
}

// JWTChecker checks JWT access tokens with Accounts' published keys.
type JWTChecker struct {
	cfg      JWTConfig
	keys     *keySource
	verified cache
}

// NewJWTChecker starts a JWKS cache for cfg.JWKSURL that lives as long as ctx. It does not
// fetch yet: Photos starts even while Accounts is down, and answers 503 until it has keys.
func NewJWTChecker(ctx context.Context, cfg JWTConfig) (*JWTChecker, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefetchInterval == 0 {
		cfg.RefetchInterval = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	jwks := jwk.NewCache(ctx)
	// Refresh in the background every 15 minutes (the library's floor is what we ask); an
	// unknown kid triggers an early refetch, rate-limited by keySource.
	if err := jwks.Register(cfg.JWKSURL, jwk.WithHTTPClient(cfg.HTTPClient), jwk.WithMinRefreshInterval(15*time.Minute)); err != nil {
		return nil, err
	}
	return &JWTChecker{cfg: cfg, keys: &keySource{jwks: jwks, url: cfg.JWKSURL, interval: cfg.RefetchInterval, now: cfg.Now}}, nil
}

// Check validates the token, remembering a valid one until its exp so that a client that calls
// again with the same token costs one hash and one map lookup.
func (c *JWTChecker) Check(ctx context.Context, token string) (Principal, error) {
	now := c.cfg.Now()
	if e, ok := c.verified.get(token, now); ok {
		return e.principal, nil
	}
	if c.cfg.InsecureAcceptAlgNone && isUnsigned(token) {
		// INSECURE, the attack lab's PHOTOS_INSECURE_ACCEPT_ALG_NONE=true: RFC 8725 §3.1 ("each
		// key MUST be used with exactly one algorithm") and §3.2 are switched off here: an
		// unsigned token is believed. See workshop/attacks/05-unsigned-token.md.
		return c.unsignedAccessToken(token)
	}
	checker := c
	if c.cfg.InsecureSkipAudience {
		// INSECURE, the attack lab's PHOTOS_INSECURE_SKIP_AUDIENCE=true: RFC 9068 §4 ("The
		// resource server MUST validate that the aud claim contains a resource indicator value
		// corresponding to an identifier the resource server expects for itself") is switched
		// off here: the token's own aud is taken as Photos'. See
		// workshop/attacks/06-audience-confusion.md.
		checker = c.believingAudienceOf(token)
	}
	p, err := checker.validateAccessToken(ctx, token)
	if err == nil {
		c.verified.put(token, cacheEntry{principal: p, until: p.ExpiresAt}, now)
	}
	return p, err
}

// SigningKey returns Accounts' published key with this kid from the same cached JWKS that checks
// access tokens. Photos' web app checks its ID tokens with it.
func (c *JWTChecker) SigningKey(ctx context.Context, kid string) (jwk.Key, error) {
	return c.keys.key(ctx, kid)
}

// principalOf is what a valid token says.
func principalOf(tok jwt.Token) Principal {
	p := Principal{Subject: tok.Subject(), ExpiresAt: tok.Expiration()}
	if v, ok := tok.Get("client_id"); ok {
		p.ClientID, _ = v.(string)
	}
	if v, ok := tok.Get("scope"); ok {
		s, _ := v.(string)
		p.Scope = strings.Fields(s)
	}
	p.JKT = boundKey(tok)
	return p
}

// keySource finds Accounts' keys by kid in a cached JWKS. A kid it does not know makes it fetch
// the JWKS again, since Accounts may have rotated its keys, but at most once per interval: a
// flood of tokens with made-up kids must not make Photos hammer Accounts.
type keySource struct {
	jwks     *jwk.Cache
	url      string
	interval time.Duration
	now      func() time.Time

	mu          sync.Mutex
	lastRefetch time.Time
}

func (k *keySource) key(ctx context.Context, kid string) (jwk.Key, error) {
	set, err := k.jwks.Get(ctx, k.url)
	if err != nil {
		// No keys yet: the first fetch failed, and jwk.Cache would only try again on its
		// schedule. Try now, at most once per interval.
		if k.mayRefetch() {
			set, err = k.jwks.Refresh(ctx, k.url)
		}
		if err != nil {
			return nil, unavailable("Photos has no signing keys from Accounts yet: fetching " + k.url + " failed. Is Accounts running?")
		}
	}
	if key, ok := set.LookupKeyID(kid); ok {
		return key, nil
	}
	if !k.mayRefetch() {
		return nil, invalid(fmt.Sprintf("kid %q is not one of Accounts' keys", kid))
	}
	if fresh, err := k.jwks.Refresh(ctx, k.url); err == nil {
		if key, ok := fresh.LookupKeyID(kid); ok {
			return key, nil
		}
	}
	return nil, invalid(fmt.Sprintf("kid %q is not one of Accounts' keys, even after fetching them again", kid))
}

// mayRefetch allows one refetch per interval, and records it.
func (k *keySource) mayRefetch() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if !k.lastRefetch.IsZero() && now.Sub(k.lastRefetch) < k.interval {
		return false
	}
	k.lastRefetch = now
	return true
}
