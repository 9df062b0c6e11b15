package web

// Connecting PrintShop to Photos: the client side of the authorization code flow, RFC 6749
// §4.1, with PKCE (RFC 7636) and the iss check of RFC 9207.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/store"
)

// attemptTTL is how long a user has between "Connect" and coming back to /callback.
const attemptTTL = 10 * time.Minute

// requestedScope is everything PrintShop asks for: to see photos. Not to upload, not to delete.
var requestedScope = []string{"photos.read"}

// handleConnect starts an authorization: a fresh state and PKCE verifier, remembered for this
// browser session, and a redirect to Accounts' authorization endpoint.
func handleConnect(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		if err := a.flows.Start(c.Request().Context(), sess.Username); err != nil {
			return err
		}
		discover := flow.WithStep(c.Request().Context(), sess.Username, "metadata",
			"PrintShop reads Accounts' metadata: where to send you, where to swap the code (RFC 8414)", flow.Accounts)
		start, err := a.oauth.StartAuthorization(discover)
		if err != nil {
			return discoveryFailed(err)
		}
		err = a.store.SaveAttempt(c.Request().Context(), store.Hash(start.State), store.Attempt{
			SessionKey: sess.Key, Username: sess.Username, Verifier: start.Verifier,
			Scope: requestedScope, CreatedAt: a.now(), ReturnTo: returnTo(c.QueryParam("next")),
		})
		if err != nil {
			return err
		}
		err = a.flows.Record(c.Request().Context(), sess.Username, flow.Event{
			Kind: "authorize", Title: "The authorization request: PrintShop sends your browser to Accounts",
			Channel: flow.Front, From: flow.PrintShop, To: flow.Accounts,
			Request: flow.Message{Method: http.MethodGet, URL: start.URL},
			Note: "PrintShop answered your browser's GET /connect with a 303 to this URL, and your browser followed it to Accounts. " +
				"Only the S256 hash of the PKCE verifier travels through your browser; the verifier itself stays at PrintShop.",
		})
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, start.URL)
	}
}

func discoveryFailed(err error) error {
	if errors.Is(err, oauth.ErrUnreachable) {
		return accountsDown(err)
	}
	return &pageError{Status: http.StatusBadGateway, Title: "PrintShop cannot trust this authorization server",
		Message: err.Error() + " Check PRINTING_ISSUER and PRINTING_AUTHSERVER_URL.", Retry: "/connect"}
}

// handleCallback is the redirect URI. It checks state, then iss, before anything else, and only
// then looks at the answer: an error, or a code to swap for tokens.
func handleCallback(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		query := c.QueryParams()
		sess, err := a.sessions.load(c)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		attempt, first, err := a.takeAttempt(ctx, query.Get("state"))
		if err != nil {
			return err
		}
		cb := callback{Query: query, Attempt: attempt, FirstTake: first,
			SessionKey: sess.Key, Issuer: a.oauth.Issuer(), Now: a.now()}
		foreign := false // an answer to no attempt of this browser, acted on: /flow's attacker lane
		if a.insecureSkipState {
			// INSECURE, the attack lab's PRINTING_INSECURE_SKIP_STATE=true: RFC 6749 §10.12 (the
			// client "MUST implement CSRF protection for its redirection URI") is switched off
			// here: any answer is taken as this browser's own. iss is still checked. See
			// workshop/attacks/02-login-csrf.md.
			foreign = sess.Username != "" && (attempt.CreatedAt.IsZero() || attempt.SessionKey != sess.Key)
			cb = ignoreState(cb, sess)
			attempt, first = cb.Attempt, cb.FirstTake
		}
		code, err := checkCallback(cb)
		var answer *pageError
		if err != nil && !errors.As(err, &answer) {
			known := store.Attempt{}
			if first && sess.Key != 0 && attempt.SessionKey == sess.Key {
				known = attempt // the state was good: the browser did go to Accounts
			}
			if foreign {
				a.recordForeignAnswer(c, sess, "PrintShop refused the answer: "+err.Error()+".", true)
			} else {
				a.recordCallback(c, sess, known, "PrintShop refused the answer: "+err.Error()+".", true)
			}
			return callbackRefused(err, query)
		}
		checked := "state and iss checked before anything else."
		if a.insecureSkipState {
			checked = "INSECURE: state was NOT checked (PRINTING_INSECURE_SKIP_STATE), so this answer may be an attacker's; iss was checked."
		}
		if foreign {
			a.recordForeignAnswer(c, sess, checked, false)
		} else {
			a.recordCallback(c, sess, attempt, checked, false)
		}
		if err != nil {
			return err // Accounts answered with an error (RFC 6749 §4.1.2.1), explained
		}
		return a.connectWithCode(c, sess, attempt, code)
	}
}

// connectWithCode swaps a checked code for tokens (RFC 6749 §4.1.3, with the PKCE verifier) and
// keeps them as the user's connection.
func (a *app) connectWithCode(c echo.Context, sess store.Session, attempt store.Attempt, code string) error {
	ctx := flow.WithStep(c.Request().Context(), attempt.Username, "token", "The token request: the code and the PKCE verifier, for tokens", flow.Accounts)
	key, err := a.connectionKey()
	if err != nil {
		return err
	}
	if key != nil {
		ctx = dpop.WithKey(ctx, key) // the token request carries a proof: the tokens are bound to key
	}
	tok, err := a.oauth.Exchange(ctx, code, attempt.Verifier)
	switch {
	case errors.Is(err, oauth.ErrInvalidGrant):
		return &pageError{Status: http.StatusBadRequest, Title: "Accounts refused the code",
			Message: "PrintShop presented the authorization code, and Accounts said no (" + err.Error() + "). Codes live a minute and work once. Connect again.",
			Connect: true}
	case errors.Is(err, oauth.ErrUnreachable):
		return &pageError{Status: http.StatusServiceUnavailable, Title: "Accounts is not answering",
			Message: "PrintShop could not swap the code for a key (" + err.Error() + "). Connect again in a moment.", Retry: "/connect"}
	case err != nil:
		return &pageError{Status: http.StatusBadGateway, Title: "Accounts refused the code", Message: err.Error(), Connect: true}
	}
	granted := oauth.GrantedScope(tok, attempt.Scope)
	kept, err := keptKey(key, tok.TokenType)
	if err != nil {
		return err
	}
	err = a.store.SaveConnection(ctx, store.Connection{
		Username: attempt.Username, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		ExpiresAt: expiry(tok.ExpiresIn, tok.Expiry, a.now()), Scope: granted, ConnectedAt: a.now(),
		DPoPKey: kept,
	})
	if err != nil {
		return err
	}
	// The code is spent now; it is kept only for /flow's "Replay the code" experiment.
	if err := a.store.SaveUsedCode(ctx, attempt.Username, code, attempt.Verifier); err != nil {
		return err
	}
	if missing := missingScopes(attempt.Scope, granted); len(missing) > 0 {
		return a.pages.render(c, http.StatusOK, "narrowed.html", pageData{Title: "You allowed less", User: sess.Username,
			CSRFToken: sess.CSRFToken, Data: map[string]any{"Requested": attempt.Scope, "Granted": granted, "Missing": missing}})
	}
	if attempt.ReturnTo == "flow" {
		return c.Redirect(http.StatusSeeOther, "/flow?notice=reconnected#experiments")
	}
	return c.Redirect(http.StatusSeeOther, "/photos?notice=connected")
}

// returnTo keeps the page to come back to after connecting, from a fixed list: "flow" (the
// walkthrough, after an experiment ended PrintShop's access) or "" (the gallery). A link can
// name a page, never a URL, so /connect is no open redirect.
func returnTo(next string) string {
	if next == "flow" {
		return "flow"
	}
	return ""
}

// recordCallback adds the steps the browser took at Accounts, and its return, to the flow.
// PrintShop does not see the sign-in and the consent: they are between the user and Accounts.
// It only knows when the browser left and when it came back. A refused callback is drawn in red,
// its note naming the check that refused it.
func (a *app) recordCallback(c echo.Context, sess store.Session, attempt store.Attempt, note string, refused bool) {
	if sess.Username == "" {
		return
	}
	ctx := c.Request().Context()
	now := a.now()
	if !attempt.CreatedAt.IsZero() {
		away := now.Sub(attempt.CreatedAt).Round(time.Second)
		for _, e := range []flow.Event{
			{Kind: "login", Title: "Sign-in at Accounts (if you were not signed in already)", From: flow.Browser, To: flow.Accounts,
				Note: "Your password goes to Accounts only. PrintShop never sees this step: your browser was away for " + away.String() + "."},
			{Kind: "consent", Title: "Consent at Accounts: you decide what PrintShop may do", From: flow.Browser, To: flow.Accounts,
				Note: "Accounts asked you, or remembered your earlier answer. PrintShop learns the result only from the token response's scope."},
		} {
			e.Channel, e.At = flow.Front, attempt.CreatedAt.Add(away/2)
			a.flows.Record(ctx, sess.Username, e)
		}
	}
	e := flow.Event{
		Kind: "callback", Title: "The redirect back: Accounts sends your browser to PrintShop with the code",
		Channel: flow.Front, From: flow.Accounts, To: flow.PrintShop,
		Request: flow.Message{Method: http.MethodGet, URL: a.publicURL + c.Request().URL.RequestURI()},
		Note:    note,
	}
	if refused {
		e.Refused = note
		e.Note = "Refused: " + note
	}
	a.flows.Record(ctx, sess.Username, e)
}

// callback is what PrintShop knows when an answer arrives at its redirect URI: what
// checkCallback decides on.
type callback struct {
	Query      url.Values    // the answer's query parameters
	Attempt    store.Attempt // the attempt the state named; zero if the state is unknown
	FirstTake  bool          // this callback took the attempt first (store.TakeAttempt)
	SessionKey int64         // the browser session the answer arrived in; 0 if none
	Issuer     string        // the issuer PrintShop sent the user to (PRINTING_ISSUER)
	Now        time.Time
}

// takeAttempt takes the attempt that state names (store.TakeAttempt): an unknown state gives a
// zero Attempt, which checkCallback refuses.
func (a *app) takeAttempt(ctx context.Context, state string) (store.Attempt, bool, error) {
	if state == "" {
		return store.Attempt{}, false, nil
	}
	attempt, first, err := a.store.TakeAttempt(ctx, store.Hash(state), a.now())
	if errors.Is(err, store.ErrNotFound) {
		return store.Attempt{}, false, nil
	}
	return attempt, first, err
}

// callbackRefused is the 400 page for an answer PrintShop will not act on. No token request is
// made. The description Accounts sent, if any, is shown as text (the template escapes it).
func callbackRefused(err error, query url.Values) error {
	msg := "PrintShop did not act on this answer: " + err.Error() + "."
	if d := query.Get("error_description"); d != "" {
		msg += " The answer also said: " + truncate(d, 300)
	}
	return &pageError{Status: http.StatusBadRequest, Title: "This answer from Accounts was refused", Message: msg, Connect: true}
}

// authorizationError explains an error answer (RFC 6749 §4.1.2.1) in plain words.
func authorizationError(code, description string) error {
	if code == "access_denied" {
		msg := "You did not allow PrintShop to see your photos, so it cannot. Nothing was shared. If you change your mind, connect again."
		if description != "" {
			// Unticking every scope and pressing Allow is a no too: Accounts says which.
			msg = "Accounts says: " + truncate(description, 300) + ". " + msg +
				" To allow, keep photos.read ticked on Accounts' consent page and press Allow."
		}
		return &pageError{Status: http.StatusOK, Title: "You said no", Message: msg, Connect: true}
	}
	words := map[string]string{
		"invalid_request":           "PrintShop's request was malformed.",
		"unauthorized_client":       "Accounts does not allow PrintShop to use this kind of request.",
		"unsupported_response_type": "Accounts does not support the kind of answer PrintShop asked for.",
		"invalid_scope":             "PrintShop asked for a permission Accounts does not know or allow.",
		"server_error":              "Accounts hit an internal error.",
		"temporarily_unavailable":   "Accounts is too busy or down for maintenance.",
		"login_required":            "You are not signed in at Accounts.",
		"consent_required":          "Accounts needs you to agree first.",
	}[code]
	if words == "" {
		words = "Accounts answered with an error PrintShop does not know."
	}
	msg := words + " (error: " + truncate(code, 60) + ")"
	if description != "" {
		msg += " Accounts says: " + truncate(description, 300)
	}
	return &pageError{Status: http.StatusBadRequest, Title: "Accounts did not give PrintShop a key", Message: msg, Connect: true}
}

// missingScopes lists what was asked for but not granted (RFC 6749 §3.3: the user may grant less).
func missingScopes(requested, granted []string) []string {
	var out []string
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
