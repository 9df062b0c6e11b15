package web

// The authorization_code grant, RFC 6749 §4.1.3, with PKCE (RFC 7636 §4.5, §4.6) and the
// single-use rule of RFC 6749 §4.1.2 and RFC 9700 §4.2.1.

import (
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// authorizationCode redeems a code. The code is consumed before it is checked, so whatever the
// outcome, it cannot be tried twice.
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
	stored, grant, err := t.store.RedeemCode(ctx, store.Hash(code), now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return tokenResponse{}, errInvalidGrant("the authorization code is unknown or has expired")
	case errors.Is(err, store.ErrReused):
		// RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
		// server MUST deny the request and SHOULD revoke (when possible) all tokens previously
		// issued based on that authorization code."
		return tokenResponse{}, errInvalidGrant("the authorization code was already used; every token issued from it is now revoked")
	case err != nil:
		return tokenResponse{}, err
	}
	if err := checkCodeRedemption(stored, grant, client.ID, redirectURI, form.Get("code_verifier"), now); err != nil {
		// The code is spent; make sure nothing can ever be issued from its grant.
		if rerr := t.store.RevokeGrant(ctx, grant.ID, now); rerr != nil {
			return tokenResponse{}, rerr
		}
		return tokenResponse{}, err
	}
	resp, err := t.issue(c, grant, grant.Scope, client.AllowsGrant("refresh_token"))
	if err != nil || !slices.Contains(grant.Scope, "openid") {
		return resp, err
	}
	// OpenID Connect Core §3.1.3.3: a request with scope openid also gets an ID token.
	user, err := t.store.User(ctx, grant.Username)
	if err != nil {
		return tokenResponse{}, err
	}
	resp.IDToken, err = t.minter.idToken(ctx, grant, grant.Scope, user.Name)
	return resp, err
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
	if redirectURI != code.RedirectURI {
		return errInvalidGrant("redirect_uri does not match the one in the authorization request")
	}
	if err := verifyPKCE(verifier, code.CodeChallenge); err != nil {
		return errInvalidGrant(err.Error())
	}
	return nil
}
