package web

// The authorization_code grant, RFC 6749 §4.1.3, with PKCE (RFC 7636 §4.5, §4.6) and the
// single-use rule of RFC 6749 §4.1.2 and RFC 9700 §4.2.4.

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// authorizationCode redeems a code. Every code gets exactly one attempt: a failed redemption
// uses it up too, and a second attempt revokes everything issued from it.
func (t *tokenEndpoint) authorizationCode(c echo.Context, client store.Client, form url.Values) (tokenResponse, error) {
	ctx := c.Request().Context()
	code := form.Get("code")
	if code == "" {
		return tokenResponse{}, errInvalidRequest("code is missing")
	}
	redirectURI := form.Get("redirect_uri")
	if redirectURI == "" {
		return tokenResponse{}, errInvalidRequest("redirect_uri is missing; send the same redirect_uri as in the authorization request (RFC 6749 §4.1.3)")
	}
	now := t.now()
	codeHash := store.Hash(code)
	stored, grant, err := t.store.Code(ctx, codeHash)
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, errInvalidGrant("the authorization code is unknown or has expired")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if !stored.UsedAt.IsZero() {
		return tokenResponse{}, t.codeReused(ctx, grant.ID, now)
	}
	if err := checkCodeRedemption(stored, grant, client.ID, redirectURI, form.Get("code_verifier"), now); err != nil {
		if serr := t.store.SpendCode(ctx, codeHash, grant.ID, now); serr != nil {
			return tokenResponse{}, serr
		}
		return tokenResponse{}, err
	}

	access, rec, err := t.minter.accessToken(ctx, grant, grant.Scope)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := t.response(access, rec, grant.Scope, now)
	var refresh *store.RefreshToken
	if client.AllowsGrant("refresh_token") {
		refresh = t.newRefreshToken(&resp, now)
	}
	if slices.Contains(grant.Scope, "openid") {
		// OpenID Connect Core §3.1.3.3: a request with scope openid also gets an ID token.
		user, err := t.store.User(ctx, grant.Username)
		if err != nil {
			return tokenResponse{}, err
		}
		if resp.IDToken, err = t.minter.idToken(ctx, grant, grant.Scope, user.Name); err != nil {
			return tokenResponse{}, err
		}
	}
	// Using up the code and recording the tokens is one transaction: if another request used
	// the code first, this one revokes the grant instead of issuing.
	err = t.store.RedeemCode(ctx, codeHash, grant.ID, rec, refresh, now)
	switch {
	case errors.Is(err, store.ErrReused):
		return tokenResponse{}, t.codeReused(ctx, grant.ID, now)
	case errors.Is(err, store.ErrRevoked):
		return tokenResponse{}, errInvalidGrant("the grant behind this code was revoked; start a new authorization")
	case err != nil:
		return tokenResponse{}, err
	}
	return resp, nil
}

// codeReused revokes what was issued from a code presented a second time. RFC 6749 §4.1.2: "If
// an authorization code is used more than once, the authorization server MUST deny the request
// and SHOULD revoke (when possible) all tokens previously issued based on that authorization
// code."
func (t *tokenEndpoint) codeReused(ctx context.Context, grantID int64, now time.Time) error {
	if err := t.store.RevokeGrant(ctx, grantID, now); err != nil {
		return err
	}
	return errInvalidGrant("the authorization code was already used; every token issued from it is now revoked")
}

// checkCodeRedemption enforces what a code is bound to: the client it was issued to, its
// lifetime, the redirect URI (RFC 6749 §4.1.3: "ensure that the "redirect_uri" parameter is
// present ... and that their values are identical") and the PKCE challenge.
func checkCodeRedemption(code store.Code, grant store.Grant, clientID, redirectURI, verifier string, now time.Time) error {
	if grant.ClientID != clientID {
		return errInvalidGrant("the authorization code was issued to another client")
	}
	if !now.Before(code.ExpiresAt) {
		return errInvalidGrant("the authorization code has expired; codes live 60 seconds")
	}
	if !grant.RevokedAt.IsZero() {
		return errInvalidGrant("the grant behind this code was revoked; start a new authorization")
	}
	if redirectURI != code.RedirectURI {
		return errInvalidGrant("redirect_uri does not match the one in the authorization request")
	}
	if err := verifyPKCE(verifier, code.CodeChallenge); err != nil {
		return errInvalidGrant(err.Error())
	}
	return nil
}
