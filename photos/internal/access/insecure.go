package access

// The attack lab's weakened checks (workshop/attacks/): each is reached only through its `if`
// in JWTChecker.Check, when its switch is on. Nothing here runs with the defaults.

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"
)

// isUnsigned reports whether a compact JWT says alg none and carries no signature (RFC 7519
// §6: an Unsecured JWT is "header.payload." with an empty third part).
func isUnsigned(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[2] != "" {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var header struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(raw, &header) == nil && strings.EqualFold(header.Alg, "none")
}

// unsignedAccessToken believes an unsigned token: the broken rule of
// PHOTOS_INSECURE_ACCEPT_ALG_NONE. Only the signature is skipped; iss, aud and exp are still
// checked, so that the lesson is exactly RFC 8725 §3.1: anyone can write these claims.
func (c *JWTChecker) unsignedAccessToken(token string) (Principal, error) {
	tok, err := jwt.ParseInsecure([]byte(token))
	if err != nil {
		return Principal{}, invalid("the unsigned token's claims cannot be read: " + err.Error())
	}
	switch now := c.cfg.Now(); {
	case tok.Issuer() != c.cfg.Issuer:
		return Principal{}, invalid("iss is " + tok.Issuer() + ", but Photos only accepts tokens from " + c.cfg.Issuer)
	case !c.cfg.InsecureSkipAudience && !hasAudience(tok.Audience(), c.cfg.Audience):
		return Principal{}, invalid("aud does not name " + c.cfg.Audience)
	case tok.Expiration().IsZero() || now.After(tok.Expiration().Add(MaxSkew)):
		return Principal{}, invalid("the token has no exp, or expired at " + tok.Expiration().UTC().Format(time.RFC3339))
	}
	return principalOf(tok), nil
}

// believingAudienceOf is a checker that expects, as its own audience, the first aud the token
// names, unverified: the broken rule of PHOTOS_INSECURE_SKIP_AUDIENCE. Everything else, the
// signature first, is still checked.
func (c *JWTChecker) believingAudienceOf(token string) *JWTChecker {
	tok, err := jwt.ParseInsecure([]byte(token))
	if err != nil || len(tok.Audience()) == 0 {
		return c
	}
	cfg := c.cfg
	cfg.Audience = tok.Audience()[0]
	return &JWTChecker{cfg: cfg, keys: c.keys}
}
