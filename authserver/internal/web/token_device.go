package web

// The device code grant at the token endpoint, RFC 8628 §3.4 (the request) and §3.5 (the
// answers): the kiosk polls with its device code until the user decides on their phone.

import (
	"errors"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// deviceCodeGrantType is the grant_type of RFC 8628 §3.4.
const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// deviceCode answers one poll. The rules, in order: the code belongs to the client, it has not
// expired, it has not given tokens already, the user allowed it (access_denied,
// authorization_pending), and a pending poll came no sooner than the interval (slow_down).
func (t *tokenEndpoint) deviceCode(c echo.Context, client store.Client, form url.Values) (tokenResponse, error) {
	ctx := c.Request().Context()
	raw := form.Get("device_code")
	if raw == "" {
		return tokenResponse{}, errInvalidRequest("device_code is missing (RFC 8628 §3.4)")
	}
	hash := store.Hash(raw)
	now := t.now()
	d, previousPoll, err := t.store.PollDeviceCode(ctx, hash, now)
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, errInvalidGrant("the device_code is unknown; start again with POST /device_authorization")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if d.ClientID != client.ID {
		return tokenResponse{}, errInvalidGrant("the device_code was issued to another client")
	}
	if deviceCodeExpired(d, now) {
		return tokenResponse{}, errExpiredToken()
	}
	if deviceCodeSpent(d) {
		return tokenResponse{}, t.deviceCodeReused(c, d)
	}
	if err := deviceDecision(d); err != nil {
		var oe *oauthError
		if errors.As(err, &oe) && oe.Code == "authorization_pending" && pollTooFast(previousPoll, now, d.Interval) {
			interval, err := t.store.SlowDownDeviceCode(ctx, hash, slowDownStep)
			if err != nil {
				return tokenResponse{}, err
			}
			return tokenResponse{}, errSlowDown(interval)
		}
		return tokenResponse{}, err
	}
	return t.redeemDeviceCode(c, client, d)
}

// redeemDeviceCode issues the tokens of an allowed device code, once.
func (t *tokenEndpoint) redeemDeviceCode(c echo.Context, client store.Client, d store.DeviceCode) (tokenResponse, error) {
	ctx := c.Request().Context()
	now := t.now()
	jkt := boundKey(c)
	access, rec, err := t.minter.accessToken(ctx, d.Grant, d.Grant.Scope, jkt)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := t.response(access, rec, d.Grant.Scope, jkt, now)
	var refresh *store.RefreshToken
	if client.AllowsGrant("refresh_token") {
		refresh = t.newRefreshToken(&resp, jkt, now)
	}
	first, err := t.store.UseDeviceCode(ctx, d.Hash, now)
	if err != nil {
		return tokenResponse{}, err
	}
	if !first {
		return tokenResponse{}, t.deviceCodeReused(c, d)
	}
	err = t.store.IssueTokens(ctx, d.Grant.ID, rec, refresh, now)
	switch {
	case errors.Is(err, store.ErrRevoked):
		return tokenResponse{}, errInvalidGrant("the user revoked this kiosk's access before it collected its tokens; start again")
	case err != nil:
		return tokenResponse{}, err
	}
	return resp, nil
}

// deviceCodeReused refuses a device code that already gave tokens and revokes its grant.
func (t *tokenEndpoint) deviceCodeReused(c echo.Context, d store.DeviceCode) error {
	if err := t.store.RevokeGrant(c.Request().Context(), d.Grant.ID, t.now()); err != nil {
		return err
	}
	return errInvalidGrant("the device code already gave tokens once; every token issued from it is now revoked")
}
