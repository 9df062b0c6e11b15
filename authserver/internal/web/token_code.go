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
// uses it up too, and a second attempt revokes everything issued from it (checkCodeUse).
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
	// The code is used up first, atomically, whatever the checks say: a code gets one attempt.
	first, err := t.store.UseCode(ctx, codeHash, now)
	if err != nil {
		return tokenResponse{}, err
	}
	bound := checkCodeRedemption(stored, grant, client.ID, redirectURI, form.Get("code_verifier"), now, t.insecurePKCEOptional)
	revoke, err := checkCodeUse(first, bound)
	if revoke {
		if rerr := t.store.RevokeGrant(ctx, grant.ID, now); rerr != nil {
			return tokenResponse{}, rerr
		}
	}
	if err != nil {
		return tokenResponse{}, err
	}

	jkt := boundKey(c)
	access, rec, err := t.accessTokenFor(ctx, grant, form.Get("resource"), jkt)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := t.response(access, rec, grant.Scope, jkt, now)
	var refresh *store.RefreshToken
	if client.AllowsGrant("refresh_token") {
		refresh = t.newRefreshToken(&resp, jkt, now)
	}
	if resp.IDToken, err = t.idTokenFor(ctx, grant); err != nil {
		return tokenResponse{}, err
	}
	// Recording the tokens checks the grant in the same transaction: if a replay of this code
	// revoked it meanwhile, nothing is issued.
	err = t.store.IssueTokens(ctx, grant.ID, rec, refresh, now)
	switch {
	case errors.Is(err, store.ErrRevoked):
		return tokenResponse{}, errInvalidGrant("the grant behind this code was revoked; start a new authorization")
	case err != nil:
		return tokenResponse{}, err
	}
	return resp, nil
}

// idTokenFor mints the ID token of a grant with scope openid (OpenID Connect Core §3.1.3.3: such
// a request also gets an ID token), and "" for any other grant.
func (t *tokenEndpoint) idTokenFor(ctx context.Context, grant store.Grant) (string, error) {
	if !slices.Contains(grant.Scope, "openid") {
		return "", nil
	}
	user, err := t.store.User(ctx, grant.Username)
	if err != nil {
		return "", err
	}
	return t.minter.idToken(ctx, grant, grant.Scope, user.Name)
}

// checkCodeRedemption enforces what a code is bound to: the client it was issued to, its
// lifetime, the redirect URI (RFC 6749 §4.1.3: "ensure that the "redirect_uri" parameter is
// present ... and that their values are identical") and the PKCE challenge.
func checkCodeRedemption(code store.Code, grant store.Grant, clientID, redirectURI, verifier string, now time.Time, insecurePKCEOptional bool) error {
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
	if insecurePKCEOptional && code.CodeChallenge == "" && verifier == "" {
		// INSECURE, the attack lab's AUTHSERVER_INSECURE_PKCE_OPTIONAL=true: a code issued
		// without code_challenge is redeemed without code_verifier, so whoever holds the code
		// can redeem it (RFC 9700 §4.5). A code_verifier sent for such a code is still refused
		// by verifyPKCE, as RFC 9700 §2.1.1 requires.
		return nil
	}
	if err := verifyPKCE(verifier, code.CodeChallenge); err != nil {
		return errInvalidGrant(err.Error())
	}
	return nil
}
