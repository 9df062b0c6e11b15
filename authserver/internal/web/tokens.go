package web

// Minting and checking Accounts' own JWTs: access tokens in the RFC 9068 profile, and OpenID
// Connect ID tokens (OpenID Connect Core 1.0 §2).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/store"
)

// accessTokenType is the JWT "typ" header of an access token (RFC 9068 §2.1). It keeps an ID
// token, which has typ "JWT", from being accepted as an access token.
const accessTokenType = "at+jwt"

// minter signs tokens with the keyring's current key.
type minter struct {
	keys      *keys.Keyring
	accessAlg jwa.SignatureAlgorithm
	issuer    string
	audience  string // the resource server, for photos.* scopes
	accessTTL time.Duration
	now       func() time.Time
}

// accessToken mints an access token for a grant (RFC 9068 §2.2) and returns it with the record
// the store keeps of it. A non-empty jkt binds it to a DPoP key: RFC 9449 §6.1, the token
// "MUST" carry the key's thumbprint as cnf.jkt, so a resource server can ask for proof of it.
func (m *minter) accessToken(ctx context.Context, g store.Grant, scope []string, jkt string) (string, store.AccessToken, error) {
	now := m.now()
	rec := store.AccessToken{JTI: randomToken()[:22], ExpiresAt: now.Add(m.accessTTL)}
	claims := m.accessTokenClaims(g, scope, rec.JTI, now, rec.ExpiresAt)
	if jkt != "" {
		claims["cnf"] = map[string]any{"jkt": jkt}
	}
	token, err := m.sign(ctx, claims, accessTokenType, m.accessAlg)
	return token, rec, err
}

// idToken mints an OpenID Connect ID token for the client (OpenID Connect Core §2, §3.1.3.6).
func (m *minter) idToken(ctx context.Context, g store.Grant, scope []string, name string) (string, error) {
	now := m.now()
	claims := map[string]any{
		jwt.IssuerKey:     m.issuer,
		jwt.SubjectKey:    g.Username,
		jwt.AudienceKey:   g.ClientID,
		jwt.ExpirationKey: now.Add(m.accessTTL).Unix(),
		jwt.IssuedAtKey:   now.Unix(),
		"azp":             g.ClientID,
		"auth_time":       g.AuthTime.Unix(),
	}
	if g.Nonce != "" {
		claims["nonce"] = g.Nonce
	}
	if subsetOf([]string{"profile"}, scope) {
		claims["name"] = name
	}
	return m.sign(ctx, claims, "JWT", keys.IDTokenAlg)
}

func (m *minter) sign(ctx context.Context, claims map[string]any, typ string, alg jwa.SignatureAlgorithm) (string, error) {
	key, err := m.keys.Signing(ctx, alg)
	if err != nil {
		return "", err
	}
	tok := jwt.New()
	// One audience as a single string (RFC 7519 §4.1.3 allows it), as the contract asks.
	tok.Options().Enable(jwt.FlattenAudience)
	for name, v := range claims {
		if err := tok.Set(name, v); err != nil {
			return "", fmt.Errorf("set claim %s: %w", name, err)
		}
	}
	headers := jws.NewHeaders()
	if err := headers.Set(jws.TypeKey, typ); err != nil {
		return "", err
	}
	// jws puts the key's kid in the header, so verifiers know which JWKS key to use.
	signed, err := jwt.Sign(tok, jwt.WithKey(key.Algorithm(), key, jws.WithProtectedHeaders(headers)))
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return string(signed), nil
}

// verifyAccessToken checks that raw is an access token Accounts issued and that it has not
// expired: the signature against the published keys, typ, iss and exp. It does not look at
// revocation; callers ask the store.
func (m *minter) verifyAccessToken(ctx context.Context, raw string) (jwt.Token, error) {
	msg, err := jws.ParseString(raw)
	if err != nil {
		return nil, errors.New("not a JWT")
	}
	if len(msg.Signatures()) != 1 || !strings.EqualFold(msg.Signatures()[0].ProtectedHeaders().Type(), accessTokenType) {
		return nil, errors.New("not an access token (typ is not at+jwt)")
	}
	set, err := m.keys.Public(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := jwt.ParseString(raw,
		jwt.WithKeySet(set),
		jwt.WithValidate(true),
		jwt.WithIssuer(m.issuer),
		jwt.WithRequiredClaim(jwt.JwtIDKey),
		jwt.WithClock(jwt.ClockFunc(m.now)),
	)
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// accessTokenActive reports whether a verified access token is still good: not revoked, on its
// own or through its grant. A token issued for a user's grant must be on record; a
// client_credentials token (no auth_time: no user signed in) is on record only once revoked,
// and its client must still be registered.
func accessTokenActive(ctx context.Context, st *store.Store, tok jwt.Token) (bool, error) {
	found, revoked, err := st.AccessTokenStatus(ctx, tok.JwtID())
	if err != nil {
		return false, err
	}
	if _, forUser := tok.Get("auth_time"); forUser {
		return found && !revoked, nil
	}
	if _, err := st.Client(ctx, stringClaim(tok, "client_id")); errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return !revoked, nil
}

// stringClaim returns a string private claim of a verified token, or "".
func stringClaim(tok jwt.Token, name string) string {
	v, _ := tok.Get(name)
	s, _ := v.(string)
	return s
}
