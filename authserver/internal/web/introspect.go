package web

// The introspection endpoint, RFC 7662: a resource server asks whether a token is active now.
// Unlike checking a JWT's signature, this sees revocation at once.

import (
	"context"
	"errors"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// introspection is the answer of RFC 7662 §2.2. An inactive token gets only "active": false,
// so introspection reveals nothing about tokens that do not work.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       any    `json:"aud,omitempty"` // a string, or a list for a token with two audiences
	Iss       string `json:"iss,omitempty"`
	Jti       string `json:"jti,omitempty"`
	// Cnf is the key a DPoP-bound token is bound to (RFC 9449 §6.2): {"jkt": thumbprint}.
	Cnf map[string]any `json:"cnf,omitempty"`
}

// handleIntrospect answers for any authenticated confidential client. RFC 7662 §2.1: "the
// endpoint MUST also require some form of authorization"; public clients cannot authenticate,
// so they may not introspect.
func handleIntrospect(t *tokenEndpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		form, err := readForm(c.Request())
		if err != nil {
			return errInvalidRequest(err.Error())
		}
		ctx := c.Request().Context()
		client, authenticated, err := t.clients.authenticate(ctx, c.Request(), form)
		if err != nil {
			return err
		}
		if !authenticated {
			return errInvalidClient("introspection needs client authentication; public client " + quote(client.ID) + " cannot introspect")
		}
		token := form.Get("token")
		if token == "" {
			return errInvalidRequest("token is missing")
		}
		c.Set(logClientKey, client.ID)
		var answer introspection
		if isCompactJWS(token) {
			answer, err = t.introspectAccessToken(ctx, token)
		} else {
			answer, err = t.introspectRefreshToken(ctx, client, token)
			if errors.Is(err, store.ErrNotFound) {
				answer, err = introspection{Active: false}, nil
			}
		}
		if err != nil {
			return err
		}
		return c.JSON(200, answer)
	}
}

// isCompactJWS reports whether a token has the shape of a signed JWT: three base64url parts
// joined by two dots (RFC 7515 §7.1). Access tokens are JWTs; refresh tokens are random
// base64url strings (randomToken), which never hold a dot. So a JWT is never looked up as a
// refresh token: that lookup always missed, and cost a fifth of an introspection.
func isCompactJWS(token string) bool { return strings.Count(token, ".") == 2 }

func (t *tokenEndpoint) introspectAccessToken(ctx context.Context, token string) (introspection, error) {
	tok, err := t.minter.verifyAccessToken(ctx, token)
	if err != nil {
		return introspection{Active: false}, nil
	}
	active, err := accessTokenActive(ctx, t.store, tok)
	if err != nil || !active {
		return introspection{Active: false}, err
	}
	answer := introspection{
		Active:    true,
		Scope:     stringClaim(tok, "scope"),
		ClientID:  stringClaim(tok, "client_id"),
		TokenType: "Bearer",
		Exp:       tok.Expiration().Unix(),
		Iat:       tok.IssuedAt().Unix(),
		Sub:       tok.Subject(),
		Iss:       tok.Issuer(),
		Jti:       tok.JwtID(),
	}
	// RFC 7662 §2.2: aud as the token has it, one string or a list (RFC 7519 §4.1.3).
	if aud := tok.Audience(); len(aud) == 1 {
		answer.Aud = aud[0]
	} else if len(aud) > 1 {
		answer.Aud = aud
	}
	if cnf, ok := tok.Get("cnf"); ok {
		// RFC 9449 §6.2: the resource server learns the key it must ask a proof of.
		answer.Cnf, _ = cnf.(map[string]any)
		answer.TokenType = "DPoP"
	}
	if _, ok := tok.Get("auth_time"); ok {
		answer.Username = tok.Subject() // a user signed in: the subject is their username
	}
	return answer, nil
}

// introspectRefreshToken answers only the client the refresh token was issued to: a resource
// server has no business with refresh tokens (RFC 7662 §2.2 lets the answer depend on who asks).
func (t *tokenEndpoint) introspectRefreshToken(ctx context.Context, client store.Client, token string) (introspection, error) {
	rt, grant, err := t.store.PresentedRefreshToken(ctx, store.Hash(token))
	if err != nil {
		return introspection{}, err
	}
	if !refreshTokenLive(rt, t.now()) {
		return introspection{}, store.ErrNotFound // rotated or expired: no longer a refresh token
	}
	if !grant.RevokedAt.IsZero() || grant.ClientID != client.ID {
		return introspection{Active: false}, nil
	}
	return introspection{
		Active:   true,
		Scope:    joinScope(grant.Scope),
		ClientID: grant.ClientID,
		Username: grant.Username,
		Sub:      grant.Username,
		Exp:      rt.ExpiresAt.Unix(),
		Iss:      t.minter.issuer,
	}, nil
}
