package web

// The implicit grant, RFC 6749 §4.2: a museum piece, answered only while
// AUTHSERVER_ENABLE_IMPLICIT=true. RFC 9700 §2.1.2 says clients "SHOULD NOT use the implicit
// grant", and OAuth 2.1 leaves it out; PrintShop's /legacy page shows why.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// implicitRefused is the error_description of response_type=token while the exhibit is off.
const implicitRefused = "the implicit flow (response_type=token) is not supported: RFC 9700 §2.1.2 says not to use it; use response_type=code with PKCE. " +
	"To see it as a museum piece, restart Accounts with AUTHSERVER_ENABLE_IMPLICIT=true and use the client legacy"

// implicitRequest reports whether a stored request asked for response_type=token. The request
// records its response type: it is never inferred from another parameter, so that no other
// check (PKCE's, say) can turn a code request into an implicit one.
func implicitRequest(req store.AuthorizationRequest) bool {
	return req.ResponseType == "token"
}

// issueImplicitToken answers an implicit request with an access token in the redirect URI's
// fragment (RFC 6749 §4.2.2): access_token, token_type, expires_in, scope, state, and iss
// (RFC 9207 §2 applies to every authorization response). The token is an ordinary RFC 9068
// access token, recorded with its grant so it can be introspected and revoked. No refresh
// token: RFC 6749 §4.2.2, "The authorization server MUST NOT issue a refresh token."
func (f *flow) issueImplicitToken(c echo.Context, id string, req store.AuthorizationRequest, sess store.Session, granted, consent []string) error {
	if !f.enableImplicit {
		// The request was stored while the exhibit was on, and Accounts restarted without it.
		return f.finishWithError(c, id, req, "unsupported_response_type", implicitRefused)
	}
	ctx := c.Request().Context()
	now := f.now()
	grant := store.Grant{
		ClientID:  req.ClientID,
		Username:  sess.Username,
		Scope:     granted,
		AuthTime:  sess.AuthTime,
		Nonce:     req.Nonce,
		CreatedAt: now,
	}
	token, rec, err := f.minter.accessToken(ctx, grant, granted, "")
	if err != nil {
		return err
	}
	err = f.store.IssueImplicitToken(ctx, store.Hash(id), grant, rec, consent)
	if errors.Is(err, store.ErrNotFound) {
		return requestGone()
	}
	if err != nil {
		return err
	}
	c.Set(logClientKey, req.ClientID)
	// The Location header carries the token: keep the redirect out of every cache.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusSeeOther, implicitResponseURL(req.RedirectURI, url.Values{
		"access_token": {token},
		"token_type":   {"Bearer"},
		"expires_in":   {strconv.FormatInt(int64(rec.ExpiresAt.Sub(now)/time.Second), 10)},
		"scope":        {joinScope(granted)},
		"state":        stateParam(req.State),
		"iss":          {f.issuer},
	}))
}

// implicitResponseURL puts the response parameters in the redirect URI's fragment, form-encoded
// (RFC 6749 §4.2.2 and Appendix B). Browsers never send the fragment to a server, which is all
// the protection the implicit flow has. Registered redirect URIs have no fragment (RFC 6749
// §3.1.2), so the answer is the whole fragment.
func implicitResponseURL(redirectURI string, params url.Values) string {
	return redirectURI + "#" + params.Encode()
}
