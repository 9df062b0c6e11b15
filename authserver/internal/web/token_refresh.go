package web

// The refresh_token grant, RFC 6749 §6, with rotation and reuse detection (RFC 9700 §4.14.2).

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// refreshToken exchanges a refresh token for a new access token and a new refresh token. The old
// refresh token stops working at once; presenting it again revokes the whole grant.
func (t *tokenEndpoint) refreshToken(c echo.Context, client store.Client, form url.Values) (tokenResponse, error) {
	ctx := c.Request().Context()
	token := form.Get("refresh_token")
	if token == "" {
		return tokenResponse{}, errInvalidRequest("refresh_token is missing")
	}
	// The scope is checked before the token is rotated, so a refused scope costs the client nothing.
	var narrower []string
	var err error
	if raw, ok := form["scope"]; ok {
		if narrower, err = parseScope(raw[0]); err != nil {
			return tokenResponse{}, errInvalidScope(err.Error())
		}
	}
	now := t.now()
	hash := store.Hash(token)
	presented, grant, err := t.store.PresentedRefreshToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, errInvalidGrant("the refresh token is unknown or has expired")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if err := t.refuseRefresh(ctx, presented, grant, client.ID, now); err != nil {
		return tokenResponse{}, err
	}
	if err := checkRefreshBinding(presented.JKT, boundKey(c)); err != nil {
		return tokenResponse{}, err
	}
	scope, err := refreshScope(grant.Scope, client.Scopes, narrower)
	if err != nil {
		return tokenResponse{}, err
	}
	first, err := t.store.RotateRefreshToken(ctx, hash, now)
	if err != nil {
		return tokenResponse{}, err
	}
	if !first {
		// Another request rotated this token since it was read: the same reuse, decided the
		// same way.
		presented.RotatedAt = now
		if err := t.refuseRefresh(ctx, presented, grant, client.ID, now); err != nil {
			return tokenResponse{}, err
		}
	}
	// RFC 6749 §6: the new refresh token keeps the grant's full scope; only the access token is
	// narrowed.
	return t.issue(c, grant, scope, true)
}

// refuseRefresh asks checkRefreshToken whether a presented refresh token may be exchanged, and
// revokes the grant when it says so.
func (t *tokenEndpoint) refuseRefresh(ctx context.Context, presented store.RefreshToken, grant store.Grant, clientID string, now time.Time) error {
	revoke, err := checkRefreshToken(presented, grant, clientID, now)
	if revoke {
		if rerr := t.store.RevokeGrant(ctx, grant.ID, now); rerr != nil {
			return rerr
		}
	}
	return err
}

// refreshTokenLive reports whether a refresh token is still one, as far as the token itself
// goes: never exchanged (RFC 9700 §4.14.2, rotation) and not expired. Its grant may still be
// revoked. Introspection (RFC 7662) and revocation (RFC 7009) ask it; the refresh grant itself
// decides with checkRefreshToken.
func refreshTokenLive(token store.RefreshToken, now time.Time) bool {
	return token.RotatedAt.IsZero() && now.Before(token.ExpiresAt)
}

// refreshScope decides the access token's scope on refresh. RFC 6749 §6: the requested scope
// "MUST NOT include any scope not originally granted by the resource owner, and if omitted is
// treated as equal to the scope originally granted". A scope the client is no longer registered
// for is dropped.
func refreshScope(granted, registered, requested []string) ([]string, error) {
	var still []string
	for _, s := range granted {
		if slices.Contains(registered, s) {
			still = append(still, s)
		}
	}
	if len(still) == 0 {
		return nil, errInvalidGrant("the client is no longer registered for any scope of this grant")
	}
	granted = still
	if requested == nil {
		return granted, nil
	}
	if len(requested) == 0 {
		return nil, errInvalidScope("scope is empty; leave it out to keep the granted scope, or name a subset of it")
	}
	if s := firstMissing(requested, granted); s != "" {
		return nil, errInvalidScope("scope " + quote(s) + " was not granted; a refresh can only narrow the scope")
	}
	return requested, nil
}
