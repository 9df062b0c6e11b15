package web

// The revocation endpoint, RFC 7009.

import (
	"context"
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// handleRevoke revokes a refresh token (and with it the whole grant: RFC 7009 §2.1 says the
// server "SHOULD also invalidate all access tokens based on the same authorization grant", and
// the user's remembered consent for that client) or an access token. An unknown, expired or already revoked token is answered 200 like a success
// (RFC 7009 §2.2): the client's goal, that the token not work, is met either way.
func handleRevoke(t *tokenEndpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		form, err := readForm(c.Request())
		if err != nil {
			return errInvalidRequest(err.Error())
		}
		client, _, err := t.clients.authenticate(c.Request().Context(), c.Request(), form)
		if err != nil {
			return err
		}
		c.Set(logClientKey, client.ID)
		token := form.Get("token")
		if token == "" {
			return errInvalidRequest("token is missing")
		}
		// RFC 7009 §2.1: the hint only says where to look first; an unfound token must be searched
		// for in the other kind too. Refresh tokens are opaque, access tokens are JWTs, so try both.
		if err := t.revokeRefreshToken(c.Request().Context(), client, token); !errors.Is(err, store.ErrNotFound) {
			return revokeResult(c, err)
		}
		return revokeResult(c, t.revokeAccessToken(c.Request().Context(), client, token))
	}
}

func revokeResult(c echo.Context, err error) error {
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return c.NoContent(200)
}

func (t *tokenEndpoint) revokeRefreshToken(ctx context.Context, client store.Client, token string) error {
	rt, grant, err := t.store.PresentedRefreshToken(ctx, store.Hash(token))
	if err != nil {
		return err
	}
	if !refreshTokenLive(rt, t.now()) {
		return store.ErrNotFound // rotated or expired: nothing to revoke
	}
	if !grant.RevokedAt.IsZero() {
		return nil // revoked already
	}
	if err := checkTokenOwner(grant.ClientID, client.ID); err != nil {
		return err
	}
	if err := t.store.RevokeGrant(ctx, grant.ID, t.now()); err != nil {
		return err
	}
	// The client has let go of the grant: forget the user's consent too, so /account no longer
	// lists the app and a new connection asks the user again.
	return t.store.ForgetConsent(ctx, grant.Username, grant.ClientID)
}

func (t *tokenEndpoint) revokeAccessToken(ctx context.Context, client store.Client, token string) error {
	tok, err := t.minter.verifyAccessToken(ctx, token)
	if err != nil {
		return store.ErrNotFound // not one of ours, or expired: nothing to revoke
	}
	if err := checkTokenOwner(stringClaim(tok, "client_id"), client.ID); err != nil {
		return err
	}
	return t.store.RevokeAccessToken(ctx, tok.JwtID(), tok.Expiration(), t.now())
}

// checkTokenOwner enforces RFC 7009 §2.1: the server "verifies whether the token was issued to
// the client making the revocation request. If this validation fails, the request is refused".
func checkTokenOwner(owner, clientID string) error {
	if owner != clientID {
		return errUnauthorizedClient("the token was issued to another client; only that client may revoke it")
	}
	return nil
}
