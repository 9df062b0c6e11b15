package web

// GET /callback: the redirect URI of Photos' web app, where Accounts sends the browser back
// with a code (RFC 6749 §4.1.2). The sign-in ends here: check the response, redeem the code,
// validate the ID token (OpenID Connect Core §3.1.3.7), start the session.

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/signin"
	"github.com/valet/photos/internal/store"
)

// handleCallback checks state (bound to this browser, single use), iss, redeems the code with
// the PKCE verifier, and validates the ID token claim by claim. Any refusal is a 400 page that
// names the check, and no session starts.
func handleCallback(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		q := c.QueryParams()
		req, sess, err := a.takeLoginRequest(c, q.Get("state"))
		if err != nil {
			return err
		}
		if err := checkResponseIssuer(q.Get("iss"), a.cfg.Issuer); err != nil {
			return refused("iss", err.Error())
		}
		if e := q.Get("error"); e != "" {
			return refused("error", "Accounts answered error="+e+": "+q.Get("error_description"))
		}
		if q.Get("code") == "" {
			return refused("code", "the response carries no code")
		}
		tok, err := a.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, a.backChannel), q.Get("code"),
			oauth2.VerifierOption(req.CodeVerifier))
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return refused("code", "Accounts' token endpoint refused the code: "+re.ErrorCode+" "+re.ErrorDescription)
		}
		if err != nil {
			return &pageError{Status: http.StatusBadGateway, Title: "Accounts cannot be reached",
				Message: "Photos could not redeem the code at Accounts' token endpoint. Is Accounts running? Then sign in again."}
		}
		raw, _ := tok.Extra("id_token").(string)
		if raw == "" {
			return refused("id_token", "the token response has no id_token; an OpenID Connect sign-in must return one")
		}
		claims, err := signin.ValidateIDToken(ctx, raw,
			signin.Expected{Issuer: a.cfg.Issuer, ClientID: a.cfg.WebClientID, Nonce: req.Nonce, Now: a.cfg.Now()},
			a.keys.SigningKey)
		if err != nil {
			return idTokenRefused(err)
		}
		if err := a.sessions.signIn(c, sess, claims.Subject, claims.Name, raw); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/")
	}
}

// takeLoginRequest finds the sign-in this browser started with this state, and uses it up.
// RFC 6749 §10.12: the client "MUST implement CSRF protection for its redirection URI", with a
// state bound to the user-agent's authenticated state; RFC 9700 §4.7.1 makes it single use.
func (a *webApp) takeLoginRequest(c echo.Context, state string) (store.LoginRequest, store.Session, error) {
	bad := refused("state", "the state is missing, unknown, already used, expired, or from another browser. Start again from Sign in.")
	if state == "" {
		return store.LoginRequest{}, store.Session{}, bad
	}
	sess, err := a.sessions.load(c)
	if errors.Is(err, store.ErrNotFound) {
		return store.LoginRequest{}, store.Session{}, bad
	}
	if err != nil {
		return store.LoginRequest{}, store.Session{}, err
	}
	req, err := a.store.TakeLoginRequest(c.Request().Context(), store.Hash(state), sess.Key, a.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return store.LoginRequest{}, store.Session{}, bad
	}
	return req, sess, err
}

// idTokenRefused turns a failed ID token check into its page.
func idTokenRefused(err error) error {
	var se *signin.Error
	var ae *access.Error
	switch {
	case errors.As(err, &se):
		return refused(se.Check, se.Reason)
	case access.IsUnavailable(err):
		return &pageError{Status: http.StatusServiceUnavailable, Title: "Accounts' keys are out of reach", Message: err.Error()}
	case errors.As(err, &ae):
		return refused("signature", ae.Description)
	}
	return err
}

// refused is the 400 page of a sign-in that failed the named check.
func refused(check, reason string) *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "Sign-in refused: the " + check + " check failed",
		Message: strings.TrimSuffix(reason, ".") + ". Photos started no session."}
}
