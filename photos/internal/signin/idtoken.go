// Package signin is the relying party side of OpenID Connect for Photos' own web app: it checks
// the ID token Accounts returns, claim by claim, as OpenID Connect Core 1.0 §3.1.3.7 lists the
// steps. Each failed check is an *Error that names it, so the page a user sees says which one.
package signin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// MaxSkew is the clock difference tolerated on exp and iat.
const MaxSkew = 60 * time.Second

// MaxAge is how long after iat an ID token is still taken at the callback. Photos redeems the
// code at once, so an older token was not minted for this sign-in (OpenID Connect Core
// §3.1.3.7 step 10: iat "can be used to reject tokens that were issued too far away from the
// current time").
const MaxAge = 5 * time.Minute

// Error is a failed check of an ID token.
type Error struct {
	Check  string // the check that failed: "signature", "iss", "aud", "azp", "exp", "iat", "nonce", ...
	Reason string // what was wrong, for the error page
}

func (e *Error) Error() string { return e.Check + ": " + e.Reason }

func refuse(check, format string, args ...any) *Error {
	return &Error{Check: check, Reason: fmt.Sprintf(format, args...)}
}

// Expected is what this sign-in's ID token must say.
type Expected struct {
	Issuer   string // Accounts' public URL, verbatim
	ClientID string // Photos' web app, photos-web
	Nonce    string // the nonce sent with this sign-in's authorization request
	Now      time.Time
}

// KeyFunc finds one of Accounts' published signing keys by kid (Photos' cached JWKS).
type KeyFunc func(ctx context.Context, kid string) (jwk.Key, error)

// Claims is a validated ID token.
type Claims struct {
	Subject string
	Name    string
	Token   jwt.Token
}

// ValidateIDToken checks raw step by step: its header and signature, then each claim. A key
// lookup error other than an unknown kid (Accounts unreachable) is returned as it is.
func ValidateIDToken(ctx context.Context, raw string, want Expected, keys KeyFunc) (Claims, error) {
	tok, err := verifySignature(ctx, raw, keys)
	if err != nil {
		return Claims{}, err
	}
	for _, check := range []func(jwt.Token, Expected) error{
		checkIssuer, checkAudience, checkAuthorizedParty, checkExpiry, checkIssuedAt, checkNonce, checkSubject,
	} {
		if err := check(tok, want); err != nil {
			return Claims{}, err
		}
	}
	name, _ := tok.Get("name")
	s, _ := name.(string)
	return Claims{Subject: tok.Subject(), Name: s, Token: tok}, nil
}

// verifySignature is OpenID Connect Core §3.1.3.7 step 6: "The Client MUST validate the
// signature of all other ID Tokens according to JWS using the algorithm specified in the JWT
// alg Header Parameter. The Client MUST use the keys provided by the Issuer." The key comes
// from Accounts' JWKS by kid, and the algorithm from the key, never from the token alone
// (RFC 8725 §3.1).
func verifySignature(ctx context.Context, raw string, keys KeyFunc) (jwt.Token, error) {
	msg, err := jws.ParseString(raw)
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, refuse("signature", "the ID token is not a JWT with one signature")
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	// RFC 8725 §3.11 (explicit typing): an access token (typ at+jwt, RFC 9068 §2.1) is meant
	// for a resource server; taking one as proof of who signed in is token confusion.
	if typ := strings.ToLower(h.Type()); typ == "at+jwt" || typ == "application/at+jwt" {
		return nil, refuse("typ", "typ is %s: this is an access token, not an ID token", h.Type())
	}
	// §3.1.3.7 step 7: "The alg value SHOULD be the default of RS256"; Accounts signs every ID
	// token with it. This also refuses alg none (RFC 8725 §3.2).
	if h.Algorithm() != jwa.RS256 {
		return nil, refuse("signature", "alg is %q, but Accounts signs ID tokens with RS256", h.Algorithm())
	}
	if h.KeyID() == "" {
		return nil, refuse("signature", "the ID token has no kid, so no key of Accounts' JWKS can be chosen")
	}
	key, err := keys(ctx, h.KeyID())
	if err != nil {
		return nil, err
	}
	if key.Algorithm() != jwa.RS256 {
		return nil, refuse("signature", "key %s is for %s, not RS256", h.KeyID(), key.Algorithm())
	}
	tok, err := jwt.ParseString(raw, jwt.WithKey(jwa.RS256, key), jwt.WithValidate(false))
	if err != nil {
		return nil, refuse("signature", "the signature does not verify with Accounts' key %s", h.KeyID())
	}
	return tok, nil
}
