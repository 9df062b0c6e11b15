package web

// The authorization endpoint: RFC 6749 §4.1.1 (the request) and §4.1.2 (the response), with
// PKCE (RFC 7636), the iss parameter (RFC 9207) and the rules of RFC 9700 §2.1. When
// AUTHSERVER_ENABLE_IMPLICIT is on, also the implicit grant of RFC 6749 §4.2 (response_type=token)
// for clients registered for it: a museum piece, see issueImplicitToken.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

const (
	// codeTTL is the authorization code's lifetime. RFC 6749 §4.1.2: "A maximum authorization
	// code lifetime of 10 minutes is RECOMMENDED"; a code is redeemed within a second, so 60 s.
	codeTTL = 60 * time.Second
	// requestTTL is how long a user has to sign in and consent.
	requestTTL = 10 * time.Minute
)

// flow holds what the browser side of the authorization code flow needs: /authorize, /login
// and /consent share it.
type flow struct {
	store    *store.Store
	sessions *sessions
	pages    *renderer
	issuer   string
	now      func() time.Time
	// minter signs the access tokens of the implicit flow, which come from /authorize itself.
	minter *minter
	// enableImplicit opens response_type=token to clients registered for "implicit".
	enableImplicit bool
}

// authorizeError is an error sent back to the client's redirect URI (RFC 6749 §4.1.2.1). Only
// returned once the client and redirect URI are known to be genuine.
type authorizeError struct {
	code, description string
}

// handleAuthorize validates an authorization request, remembers it, and sends the browser on to
// login or consent, or straight back to the client with a code. The request comes in the query
// of a GET, or in the form body of a POST (OpenID Connect Core §3.1.2.1 asks for both).
func handleAuthorize(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		raw := c.Request().URL.RawQuery
		if c.Request().Method == http.MethodPost {
			var err error
			if raw, err = readBody(c.Request()); err != nil {
				return badAuthorizeRequest("The authorization request's form could not be read: " + err.Error())
			}
		}
		query, err := url.ParseQuery(raw)
		if err != nil {
			return badAuthorizeRequest("The authorization request is not valid form encoding: " + err.Error())
		}
		client, redirectURI, err := checkClientAndRedirect(ctx, f.store, query)
		if err != nil {
			return err
		}
		// From here on the redirect URI is safe: errors go back to the client (RFC 6749 §4.1.2.1).
		// Echo state only if it is one value of sane size: the request is refused otherwise,
		// and the redirect must not carry megabytes back.
		state := ""
		if len(query["state"]) == 1 && len(query.Get("state")) <= maxParamBytes {
			state = query.Get("state")
		}
		req, aerr := parseAuthorizeRequest(raw, client, f.enableImplicit)
		if aerr != nil {
			// RFC 6749 §4.2.2.1: errors of an implicit request go in the fragment, like its
			// answer. With the implicit flow off, response_type=token is just unsupported, and
			// the answer goes in the query like every other error.
			inFragment := f.enableImplicit && query.Get("response_type") == "token"
			return redirectError(c, f.issuer, redirectURI, state, aerr.code, aerr.description, inFragment)
		}
		sess, err := f.sessions.ensure(c)
		if err != nil {
			return err
		}
		now := f.now()
		req.SessionKey, req.CreatedAt, req.ExpiresAt = sess.Key, now, now.Add(requestTTL)
		id := randomToken()
		if err := f.store.SaveAuthorizationRequest(ctx, store.Hash(id), req); err != nil {
			return err
		}
		return f.continueAuthorization(c, id, req, client, sess)
	}
}

// checkClientAndRedirect verifies client_id and redirect_uri. RFC 6749 §4.1.2.1: if either is
// missing or invalid, "the authorization server SHOULD inform the resource owner of the error
// and MUST NOT automatically redirect the user-agent to the invalid redirection URI." So these
// errors are pages, never redirects.
func checkClientAndRedirect(ctx context.Context, st *store.Store, query url.Values) (store.Client, string, error) {
	if len(query["client_id"]) > 1 || len(query["redirect_uri"]) > 1 {
		return store.Client{}, "", badAuthorizeRequest("client_id or redirect_uri is repeated; RFC 6749 §3.1 allows each parameter once.")
	}
	id := query.Get("client_id")
	if id == "" {
		return store.Client{}, "", badAuthorizeRequest("The request has no client_id, so Accounts cannot tell which app is asking.")
	}
	client, err := st.Client(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Client{}, "", badAuthorizeRequest(fmt.Sprintf("No app is registered with client_id %s.", quote(id)))
	}
	if err != nil {
		return store.Client{}, "", err
	}
	redirectURI := query.Get("redirect_uri")
	if redirectURI == "" {
		return store.Client{}, "", badAuthorizeRequest("The request has no redirect_uri. Accounts requires it on every request, so the code can only go where the app registered.")
	}
	if !matchRedirectURI(client.RedirectURIs, redirectURI) {
		return store.Client{}, "", badAuthorizeRequest(fmt.Sprintf(
			"The redirect_uri %s is not registered for %s. Redirect URIs must match a registered one exactly (RFC 9700 §2.1), so Accounts will not send you there.",
			quote(redirectURI), client.Name))
	}
	return client, redirectURI, nil
}

func badAuthorizeRequest(msg string) *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "This sign-in link is not valid", Message: msg}
}

// parseAuthorizeRequest checks everything else in an authorization request for a known client
// and redirect URI, and returns the request to store. response_type=token is accepted only when
// enableImplicit is set and the client is registered for the implicit grant; such a request is
// stored with no code challenge (see implicitRequest).
func parseAuthorizeRequest(rawQuery string, client store.Client, enableImplicit bool) (store.AuthorizationRequest, *authorizeError) {
	query, err := parseParams(rawQuery)
	if err != nil {
		return store.AuthorizationRequest{}, &authorizeError{"invalid_request", err.Error()}
	}
	fail := func(code, desc string) (store.AuthorizationRequest, *authorizeError) {
		return store.AuthorizationRequest{}, &authorizeError{code, desc}
	}
	grantType := "authorization_code"
	switch rt := query.Get("response_type"); rt {
	case "code":
	case "":
		return fail("invalid_request", "response_type is missing; use response_type=code")
	case "token":
		if !enableImplicit {
			return fail("unsupported_response_type", implicitRefused)
		}
		grantType = "implicit"
	default:
		return fail("unsupported_response_type", "response_type "+quote(rt)+" is not supported; use response_type=code")
	}
	if !client.AllowsGrant(grantType) {
		return fail("unauthorized_client", "client "+quote(client.ID)+" is not registered for the "+grantType+" grant")
	}
	mode := query.Get("response_mode")
	switch {
	case grantType == "implicit" && mode != "" && mode != "fragment":
		// OAuth 2.0 Multiple Response Type Encoding Practices §2.1: a token answer is never
		// encoded in the query, where servers and proxies would log it.
		return fail("invalid_request", "response_mode "+quote(mode)+" is not supported with response_type=token; the token always comes in the fragment")
	case grantType == "authorization_code" && mode != "" && mode != "query":
		return fail("invalid_request", "response_mode "+quote(mode)+" is not supported; Accounts answers in the query")
	}
	scope, aerr := checkRequestedScope(query, client)
	if aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	codeChallenge := ""
	if grantType == "authorization_code" {
		if err := checkCodeChallenge(query.Get("code_challenge"), query.Get("code_challenge_method")); err != nil {
			return fail("invalid_request", err.Error())
		}
		codeChallenge = query.Get("code_challenge")
	}
	// The implicit flow has no PKCE: there is no code to bind a verifier to, since the token
	// itself comes back in the redirect. A code_challenge sent with it is ignored. That gap is
	// one reason RFC 9700 §2.1.2 says clients "SHOULD NOT use the implicit grant": nothing ties
	// the token to the client that asked, so a leaked or injected token cannot be detected.
	prompt, err := parsePrompt(query.Get("prompt"))
	if err != nil {
		return fail("invalid_request", err.Error())
	}
	maxAge := -1
	if raw := query.Get("max_age"); raw != "" {
		if maxAge, err = strconv.Atoi(raw); err != nil || maxAge < 0 {
			return fail("invalid_request", "max_age must be a whole number of seconds")
		}
	}
	if query.Get("request") != "" {
		return fail("request_not_supported", "request objects (the request parameter) are not supported; send the parameters in the query")
	}
	if query.Get("request_uri") != "" {
		return fail("request_uri_not_supported", "request_uri is not supported; send the parameters in the query")
	}
	nonce := query.Get("nonce")
	if slices.Contains(scope, "openid") && nonce == "" {
		// OpenID Connect makes nonce optional in the code flow; Accounts requires it so that an
		// ID token can always be tied to the sign-in that asked for it.
		return fail("invalid_request", "nonce is required with scope openid")
	}
	return store.AuthorizationRequest{
		ClientID:      client.ID,
		RedirectURI:   query.Get("redirect_uri"),
		Scope:         scope,
		State:         query.Get("state"),
		CodeChallenge: codeChallenge,
		Nonce:         nonce,
		Prompt:        prompt,
		MaxAge:        maxAge,
	}, nil
}

// checkRequestedScope enforces RFC 6749 §3.3: every scope must exist and be registered for the
// client, and a request must ask for something.
func checkRequestedScope(query url.Values, client store.Client) ([]string, *authorizeError) {
	raw := query.Get("scope")
	scope, err := parseScope(raw)
	if err != nil {
		return nil, &authorizeError{"invalid_scope", err.Error()}
	}
	if len(scope) == 0 {
		return nil, &authorizeError{"invalid_scope", "scope is missing; ask for at least one scope, such as photos.read"}
	}
	if s := firstMissing(scope, client.Scopes); s != "" {
		return nil, &authorizeError{"invalid_scope", "scope " + quote(s) + " is not registered for client " + quote(client.ID)}
	}
	return scope, nil
}

// parsePrompt accepts the OpenID Connect prompt values Accounts honours: "login" forces a fresh
// sign-in, "consent" forces the consent page, "none" forbids both.
func parsePrompt(raw string) (string, error) {
	switch raw {
	case "", "login", "consent", "none", "login consent", "consent login":
		return raw, nil
	}
	return "", fmt.Errorf("prompt %s is not supported; use login, consent, both, or none", quote(raw))
}

// continueAuthorization decides the next step of a stored request: login, consent, or the code.
func (f *flow) continueAuthorization(c echo.Context, id string, req store.AuthorizationRequest, client store.Client, sess store.Session) error {
	ctx := c.Request().Context()
	if needsLogin(req, sess, f.now()) {
		if req.Prompt == "none" {
			return f.finishWithError(c, id, req, "login_required", "the user is not signed in at Accounts and prompt=none forbids asking")
		}
		return c.Redirect(http.StatusSeeOther, "/login?request="+url.QueryEscape(id))
	}
	remembered, err := f.store.Consent(ctx, sess.Username, client.ID)
	if err != nil {
		return err
	}
	if needsConsent(req, client, remembered) {
		if req.Prompt == "none" {
			return f.finishWithError(c, id, req, "consent_required", "the user has not consented to these scopes and prompt=none forbids asking")
		}
		return c.Redirect(http.StatusSeeOther, "/consent?request="+url.QueryEscape(id))
	}
	return f.issueCode(c, id, req, sess, req.Scope, rememberConsent(remembered, req.Scope, req.Scope))
}

// needsLogin decides whether the user must sign in (again) before the request can go on: when
// no one is signed in, when prompt=login asks for a fresh sign-in, or when the last sign-in is
// older than max_age (OpenID Connect Core §3.1.2.1). A sign-in made for this request satisfies
// both.
func needsLogin(req store.AuthorizationRequest, sess store.Session, now time.Time) bool {
	switch {
	case sess.Username == "":
		return true
	case req.LoggedIn:
		return false
	case hasPrompt(req.Prompt, "login"), req.MaxAge == 0: // "max_age=0 is equivalent to prompt=login"
		return true
	case req.MaxAge > 0 && now.Sub(sess.AuthTime) > time.Duration(req.MaxAge)*time.Second:
		return true
	}
	return false
}

// needsConsent decides whether to show the consent page. It is skipped only for a first-party
// client, or for a confidential client asking for no more than the user already allowed.
// A public client is always asked: RFC 6749 §10.2 says the server "SHOULD NOT process repeated
// authorization requests automatically (without active resource owner interaction) without
// authenticating the client", and anyone can send a public client's client_id.
func needsConsent(req store.AuthorizationRequest, client store.Client, remembered []string) bool {
	switch {
	case hasPrompt(req.Prompt, "consent"):
		return true
	case client.FirstParty:
		return false
	case client.Public():
		return true
	}
	return !subsetOf(req.Scope, remembered)
}

func hasPrompt(prompt, value string) bool {
	return slices.Contains(strings.Fields(prompt), value)
}

// rememberConsent is what to remember after the user answered for the requested scopes: their
// latest answer for those, and what they allowed before for the rest.
func rememberConsent(before, requested, granted []string) []string {
	var out []string
	for _, s := range before {
		if !slices.Contains(requested, s) {
			out = append(out, s)
		}
	}
	return sortScopes(append(out, granted...))
}

// issueCode answers the request with an authorization code (RFC 6749 §4.1.2). The code is 256
// random bits (RFC 6749 §10.10 asks that guessing be infeasible), lives 60 seconds, and is bound
// to the client, redirect URI, PKCE challenge, user and granted scopes. An implicit request is
// answered with an access token instead, by issueImplicitToken.
func (f *flow) issueCode(c echo.Context, id string, req store.AuthorizationRequest, sess store.Session, granted, consent []string) error {
	if implicitRequest(req) {
		return f.issueImplicitToken(c, id, req, sess, granted, consent)
	}
	now := f.now()
	code := randomToken()
	grant := store.Grant{
		ClientID:  req.ClientID,
		Username:  sess.Username,
		Scope:     granted,
		AuthTime:  sess.AuthTime,
		Nonce:     req.Nonce,
		CreatedAt: now,
	}
	stored := store.Code{RedirectURI: req.RedirectURI, CodeChallenge: req.CodeChallenge, ExpiresAt: now.Add(codeTTL)}
	err := f.store.IssueCode(c.Request().Context(), store.Hash(id), grant, store.Hash(code), stored, consent)
	if errors.Is(err, store.ErrNotFound) {
		return requestGone()
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, authorizationResponseURL(req.RedirectURI, url.Values{
		"code":  {code},
		"state": stateParam(req.State),
		"iss":   {f.issuer},
	}))
}

// finishWithError ends a stored request with an error at the client's redirect URI.
func (f *flow) finishWithError(c echo.Context, id string, req store.AuthorizationRequest, code, desc string) error {
	err := f.store.DeleteAuthorizationRequest(c.Request().Context(), store.Hash(id))
	if errors.Is(err, store.ErrNotFound) {
		return requestGone()
	}
	if err != nil {
		return err
	}
	return redirectError(c, f.issuer, req.RedirectURI, req.State, code, desc, implicitRequest(req))
}

// redirectError sends an error response to the client (RFC 6749 §4.1.2.1), with state echoed
// and iss added (RFC 9207 §2: on error responses too). For an implicit request the parameters
// go in the fragment instead of the query (RFC 6749 §4.2.2.1).
func redirectError(c echo.Context, issuer, redirectURI, state, code, desc string, inFragment bool) error {
	c.Set(logErrorKey, code)
	params := url.Values{
		"error":             {code},
		"error_description": {desc},
		"state":             stateParam(state),
		"iss":               {issuer},
	}
	if inFragment {
		return c.Redirect(http.StatusSeeOther, implicitResponseURL(redirectURI, params))
	}
	return c.Redirect(http.StatusSeeOther, authorizationResponseURL(redirectURI, params))
}

// stateParam echoes state only if the client sent one: RFC 6749 §4.1.2 requires it back
// "if the "state" parameter was present in the client authorization request".
func stateParam(state string) []string {
	if state == "" {
		return nil
	}
	return []string{state}
}

func requestGone() *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "This sign-in request has ended",
		Message: "It was already answered (if you pressed Back after allowing or denying, your answer has already gone to the app), it expired (you have 10 minutes), or it was started in another browser. Go back to the app and start again from there."}
}

// handleAuthorizeContinue resumes a stored request after login.
func handleAuthorizeContinue(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, req, client, sess, err := f.loadRequest(c, c.QueryParam("request"))
		if err != nil {
			return err
		}
		return f.continueAuthorization(c, id, req, client, sess)
	}
}

// loadRequest finds a pending request by id, for the browser session that made it.
func (f *flow) loadRequest(c echo.Context, id string) (string, store.AuthorizationRequest, store.Client, store.Session, error) {
	var none store.AuthorizationRequest
	sess, err := f.sessions.load(c)
	if errors.Is(err, store.ErrNotFound) || id == "" {
		return "", none, store.Client{}, store.Session{}, requestGone()
	}
	if err != nil {
		return "", none, store.Client{}, store.Session{}, err
	}
	ctx := c.Request().Context()
	req, err := f.store.AuthorizationRequest(ctx, store.Hash(id), sess.Key, f.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", none, store.Client{}, sess, requestGone()
	}
	if err != nil {
		return "", none, store.Client{}, sess, err
	}
	client, err := f.store.Client(ctx, req.ClientID)
	if err != nil {
		return "", none, store.Client{}, sess, err
	}
	return id, req, client, sess, nil
}

// The implicit grant, RFC 6749 §4.2: a museum piece, answered only while
// AUTHSERVER_ENABLE_IMPLICIT=true. RFC 9700 §2.1.2 says clients "SHOULD NOT use the implicit
// grant", and OAuth 2.1 leaves it out; PrintShop's /legacy page shows why.

// implicitRefused is the error_description of response_type=token while the exhibit is off.
const implicitRefused = "the implicit flow (response_type=token) is not supported: RFC 9700 §2.1.2 says not to use it; use response_type=code with PKCE. " +
	"To see it as a museum piece, restart Accounts with AUTHSERVER_ENABLE_IMPLICIT=true and use the client legacy"

// implicitRequest reports whether a stored request asked for response_type=token. Every code
// request carries a PKCE challenge (checkCodeChallenge refuses one without), and an implicit
// request never does, so an empty challenge marks the implicit flow.
func implicitRequest(req store.AuthorizationRequest) bool {
	return req.CodeChallenge == ""
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
	token, rec, err := f.minter.accessToken(ctx, grant, granted)
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
