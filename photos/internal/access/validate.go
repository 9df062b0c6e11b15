//go:build !ex04

package access

// Workshop exercise 04 (workshop/04-jwt-access-token.md): the solution. Its twin,
// validate_ex04.go, is the student's starting file, built with -tags ex04.
//
// Checking a JWT access token on its own: RFC 9068 §4 ("Validating JWT Access Tokens") and the
// JWT Best Current Practices of RFC 8725.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

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
