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
	"github.com/lestrrat-go/jwx/v2/jws"
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
	p, err := c.validateAccessToken(ctx, token)
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

// validateAccessToken is RFC 9068 §4, step by step. Each failed step names itself in the
// error, which Photos sends back as the error_description.
func (c *JWTChecker) validateAccessToken(ctx context.Context, token string) (Principal, error) {
	msg, err := jws.ParseString(token)
	if err != nil {
		return Principal{}, invalid("the token is not a signed JWT (three base64url parts)")
	}
	if len(msg.Signatures()) != 1 {
		return Principal{}, invalid("the token must carry exactly one signature")
	}
	header := msg.Signatures()[0].ProtectedHeaders()
	if err := checkHeader(header); err != nil {
		return Principal{}, err
	}
	key, err := c.keys.key(ctx, header.KeyID())
	if err != nil {
		return Principal{}, err
	}
	// RFC 8725 §3.1: the algorithm comes from the key Accounts published, never from the token.
	// A token that says HS256 while the key is RS256 is the classic key-confusion attack.
	if header.Algorithm() != key.Algorithm() {
		return Principal{}, invalid(fmt.Sprintf("the token says alg %s but key %s is for %s; the algorithm comes from the key",
			header.Algorithm(), header.KeyID(), key.Algorithm()))
	}
	parsed, err := jwt.ParseString(token, jwt.WithKey(key.Algorithm(), key), jwt.WithValidate(false))
	if err != nil {
		return Principal{}, invalid("the signature does not verify with key " + header.KeyID())
	}
	if err := validateClaims(parsed, c.cfg.Issuer, c.cfg.Audience, c.cfg.Now()); err != nil {
		return Principal{}, err
	}
	return principalOf(parsed), nil
}

// checkHeader refuses what a JWT header must not do here.
func checkHeader(h jws.Headers) error {
	if h.Algorithm() == "none" || h.Algorithm() == "" {
		return invalid("alg none is refused: an unsigned token proves nothing (RFC 8725 §3.2)")
	}
	// RFC 9068 §2.1 and §4: typ must be "at+jwt" ("application/at+jwt" is the same media type).
	// jwx does not check typ, so an ID token (typ JWT) would otherwise pass as an access token.
	if typ := strings.ToLower(h.Type()); typ != "at+jwt" && typ != "application/at+jwt" {
		return invalid(fmt.Sprintf("typ is %q, but an access token must have typ at+jwt (RFC 9068 §2.1)", h.Type()))
	}
	// Headers that tell the verifier where to get a key, or that it must understand extensions,
	// would let the token choose its own key. Keys come only from Accounts' JWKS.
	for name, present := range map[string]bool{
		"jku":  h.JWKSetURL() != "",
		"x5u":  h.X509URL() != "",
		"jwk":  h.JWK() != nil,
		"crit": len(h.Critical()) > 0,
	} {
		if present {
			return invalid("the " + name + " header is refused: keys come only from Accounts' JWKS")
		}
	}
	if h.KeyID() == "" {
		return invalid("the token has no kid, so no key of Accounts' JWKS can be chosen")
	}
	return nil
}

// validateClaims checks the claims of a token whose signature is good, as RFC 9068 §4 lists them.
func validateClaims(tok jwt.Token, issuer, audience string, now time.Time) error {
	// The issuer and audience are compared with the configured public identifiers, exactly.
	if tok.Issuer() != issuer {
		return invalid(fmt.Sprintf("iss is %q, but Photos only accepts tokens from %s", tok.Issuer(), issuer))
	}
	if aud := tok.Audience(); !hasAudience(aud, audience) {
		return invalid(fmt.Sprintf("aud is %q, but this token must be meant for %s", aud, audience))
	}
	for _, name := range []string{"sub", "client_id", "jti"} {
		if v, _ := tok.Get(name); v == nil || v == "" {
			return invalid("the " + name + " claim is missing (RFC 9068 §2.2)")
		}
	}
	if tok.Expiration().IsZero() {
		return invalid("the exp claim is missing (RFC 9068 §2.2)")
	}
	if now.After(tok.Expiration().Add(MaxSkew)) {
		return invalid("the token expired at " + tok.Expiration().UTC().Format(time.RFC3339))
	}
	if nbf := tok.NotBefore(); !nbf.IsZero() && now.Before(nbf.Add(-MaxSkew)) {
		return invalid("the token is not valid before " + nbf.UTC().Format(time.RFC3339))
	}
	if tok.IssuedAt().IsZero() {
		return invalid("the iat claim is missing (RFC 9068 §2.2)")
	}
	if now.Before(tok.IssuedAt().Add(-MaxSkew)) {
		return invalid("the token was issued in the future (iat " + tok.IssuedAt().UTC().Format(time.RFC3339) + ")")
	}
	return nil
}

func principalOf(tok jwt.Token) Principal {
	p := Principal{Subject: tok.Subject(), ExpiresAt: tok.Expiration()}
	if v, ok := tok.Get("client_id"); ok {
		p.ClientID, _ = v.(string)
	}
	if v, ok := tok.Get("scope"); ok {
		s, _ := v.(string)
		p.Scope = strings.Fields(s)
	}
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
