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
	// insecureRedirectPrefix and insecurePKCEOptional are the attack lab's switches
	// (AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix, AUTHSERVER_INSECURE_PKCE_OPTIONAL=true).
	insecureRedirectPrefix bool
	insecurePKCEOptional   bool
	// passwords runs the sign-in's bcrypt comparisons, one per core at a time.
	passwords passwordGate
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
		// The request is parsed once, here; every check below reads these values.
		query, err := url.ParseQuery(raw)
		if err != nil {
			return badAuthorizeRequest("The authorization request is not valid form encoding: " + err.Error())
		}
		client, redirectURI, err := checkClientAndRedirect(ctx, f.store, query, f.insecureRedirectPrefix)
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
		req, aerr := parseAuthorizeRequest(query, client, redirectURI, f.enableImplicit, f.insecurePKCEOptional)
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

// checkClientAndRedirect verifies client_id and redirect_uri, before anything else in the
// request: until both are known to be genuine, an error is a page for the user, never a
// redirect (checkRedirectURI).
func checkClientAndRedirect(ctx context.Context, st *store.Store, query url.Values, insecurePrefix bool) (store.Client, string, error) {
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
	if insecurePrefix {
		// INSECURE, the attack lab's AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix: the exact match
		// of RFC 9700 §2.1 ("MUST utilize exact string matching") is switched off here, and only
		// here. See workshop/attacks/01-loose-redirect.md.
		if err := checkRedirectURIPrefix(client, redirectURI); err != nil {
			return store.Client{}, "", err
		}
		return client, redirectURI, nil
	}
	if err := checkRedirectURI(client, redirectURI); err != nil {
		return store.Client{}, "", err
	}
	return client, redirectURI, nil
}

// badAuthorizeRequest is the error page for a request Accounts cannot answer at the client's
// redirect URI.
func badAuthorizeRequest(msg string) *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "This sign-in link is not valid", Message: msg}
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
