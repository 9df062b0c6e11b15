package web

// The token endpoint, RFC 6749 §3.2: it authenticates the client (§2.3), dispatches on
// grant_type, and answers with tokens (§5.1) or an error (§5.2). Every answer carries
// Cache-Control: no-store.

import (
	"errors"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/dpop"
	"github.com/valet/authserver/internal/store"
)

// tokenResponse is the successful answer, RFC 6749 §5.1. expires_in and scope are always sent.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// tokenEndpoint holds what the grants need.
type tokenEndpoint struct {
	store      *store.Store
	clients    *clientAuthenticator
	minter     *minter
	refreshTTL time.Duration
	now        func() time.Time
	// proofs checks DPoP proofs (RFC 9449), whose htu must be tokenURL: the metadata's
	// token_endpoint.
	proofs   *dpop.Verifier
	tokenURL string
	// nonces, when set, are required in every proof (RFC 9449 §8, AUTHSERVER_DPOP_NONCE).
	nonces *dpopNonces
	// insecurePKCEOptional redeems a code issued without code_challenge with no code_verifier
	// (AUTHSERVER_INSECURE_PKCE_OPTIONAL, the attack lab).
	insecurePKCEOptional bool
	// labResource is the attack lab's second resource server (AUTHSERVER_LAB_RESOURCE), or "".
	labResource string
}

// handleToken authenticates the client and runs the grant it asks for.
func handleToken(t *tokenEndpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		form, err := readForm(c.Request())
		if err != nil {
			return errInvalidRequest(err.Error())
		}
		client, authenticated, err := t.clients.authenticate(c.Request().Context(), c.Request(), form)
		if err != nil {
			return err
		}
		if err := t.checkTokenRequestProof(c); err != nil {
			return err
		}
		grantType := form.Get("grant_type")
		var grant func(echo.Context, store.Client, url.Values) (tokenResponse, error)
		switch grantType {
		case "":
			return errInvalidRequest("grant_type is missing")
		case "authorization_code":
			grant = t.authorizationCode
		case "refresh_token":
			grant = t.refreshToken
		case deviceCodeGrantType:
			grant = t.deviceCode
		case "client_credentials":
			if !authenticated {
				return errUnauthorizedClient("client_credentials needs a confidential client that authenticates; " + quote(client.ID) + " is public")
			}
			grant = t.clientCredentials
		default:
			return errUnsupportedGrantType("grant_type " + quote(grantType) + " is not supported; use authorization_code, refresh_token or client_credentials")
		}
		if !client.AllowsGrant(grantType) {
			return errUnauthorizedClient("client " + quote(client.ID) + " is not registered for the " + grantType + " grant")
		}
		resp, err := grant(c, client, form)
		if err != nil {
			return err
		}
		c.Set(logClientKey, client.ID)
		return c.JSON(200, resp)
	}
}

// issue mints the access token (and, when asked, a refresh token) for a grant, records them,
// and builds the response.
func (t *tokenEndpoint) issue(c echo.Context, g store.Grant, scope []string, withRefresh bool) (tokenResponse, error) {
	ctx := c.Request().Context()
	now := t.now()
	jkt := boundKey(c)
	access, rec, err := t.minter.accessToken(ctx, g, scope, jkt)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := t.response(access, rec, scope, jkt, now)
	var refresh *store.RefreshToken
	if withRefresh {
		refresh = t.newRefreshToken(&resp, jkt, now)
	}
	err = t.store.IssueTokens(ctx, g.ID, rec, refresh, now)
	if errors.Is(err, store.ErrRevoked) {
		return tokenResponse{}, errInvalidGrant("the grant was revoked while its tokens were being issued; start a new authorization")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	return resp, nil
}

// response is the RFC 6749 §5.1 answer for an access token.
func (t *tokenEndpoint) response(access string, rec store.AccessToken, scope []string, jkt string, now time.Time) tokenResponse {
	return tokenResponse{
		AccessToken: access,
		TokenType:   tokenType(jkt),
		ExpiresIn:   int64(rec.ExpiresAt.Sub(now).Seconds()),
		Scope:       joinScope(scope),
	}
}

// newRefreshToken adds a fresh refresh token to the response and returns the record to store:
// 256 random bits, opaque, kept only as a hash, and bound to the DPoP key jkt when it is set.
func (t *tokenEndpoint) newRefreshToken(resp *tokenResponse, jkt string, now time.Time) *store.RefreshToken {
	resp.RefreshToken = randomToken()
	return &store.RefreshToken{Hash: store.Hash(resp.RefreshToken), ExpiresAt: now.Add(t.refreshTTL), JKT: jkt}
}
