package web

// The id_token_hint of a logout request: OpenID Connect RP-Initiated Logout 1.0 §2.

import (
	"context"
	"errors"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// verifyIDTokenHint checks that raw is an ID token Accounts issued: typ JWT (an access token,
// at+jwt, is not an ID token), a signature by one of Accounts' published keys, iss = the issuer,
// and a sub. The expiry is not checked: RP-Initiated Logout 1.0 §2 says "The OP SHOULD accept ID
// Tokens when the RP identified by the ID Token's aud claim ... had a recent session at the OP,
// even when the exp time has passed", since a user often signs out long after signing in.
// A valid hint is the relying party's proof that it asked for this logout, so Accounts may end
// the session without asking the user.
func (m *minter) verifyIDTokenHint(ctx context.Context, raw string) (jwt.Token, error) {
	msg, err := jws.ParseString(raw)
	if err != nil {
		return nil, errors.New("it is not a signed JWT")
	}
	if len(msg.Signatures()) != 1 || !strings.EqualFold(msg.Signatures()[0].ProtectedHeaders().Type(), "JWT") {
		return nil, errors.New("it is not an ID token (typ is not JWT)")
	}
	set, err := m.keys.Public(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := jwt.ParseString(raw, jwt.WithKeySet(set), jwt.WithValidate(false))
	if err != nil {
		return nil, errors.New("its signature does not verify with Accounts' keys")
	}
	if tok.Issuer() != m.issuer {
		return nil, errors.New("its iss is " + tok.Issuer() + ", not " + m.issuer)
	}
	if tok.Subject() == "" || len(tok.Audience()) == 0 {
		return nil, errors.New("it has no sub or no aud")
	}
	return tok, nil
}
