package web

// The end_session_endpoint: OpenID Connect RP-Initiated Logout 1.0 §2 and §3. A relying party
// such as Photos' web app sends the browser here to end the user's session at Accounts too,
// then gets it back at a post_logout_redirect_uri it registered.

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/store"
)

// endSessionRequest is a logout request (RP-Initiated Logout 1.0 §2).
type endSessionRequest struct {
	IDTokenHint           string
	ClientID              string
	PostLogoutRedirectURI string
	State                 string
}

// endSessionData is what the confirmation page shows and posts back.
type endSessionData struct {
	Request    endSessionRequest
	ClientName string
	HintError  string // why an id_token_hint was not accepted, if one was sent
}

// handleEndSession answers GET and POST /end-session (§2: "OPs MUST support the use of the HTTP
// GET and POST methods"). With a valid id_token_hint for the signed-in user it signs out at
// once; otherwise it asks the user first (§6: a logout request "could be forged", so "the OP
// SHOULD ask the End-User whether to log out"). An unregistered post_logout_redirect_uri is a
// 400 page: no redirect, and the session is not ended.
func handleEndSession(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, err := readEndSessionRequest(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		var hint jwt.Token
		hintError := ""
		if req.IDTokenHint != "" {
			if hint, err = f.minter.verifyIDTokenHint(ctx, req.IDTokenHint); err != nil {
				hintError = "The id_token_hint was not accepted: " + err.Error() + "."
			}
		}
		client, err := f.endSessionClient(c, req, hint)
		if err != nil {
			return err
		}
		sess, err := f.sessions.load(c)
		if errors.Is(err, store.ErrNotFound) || (err == nil && sess.Username == "") {
			// Nobody is signed in: there is no session to end, and nothing to ask.
			return f.afterLogout(c, req)
		}
		if err != nil {
			return err
		}
		if hint != nil && hint.Subject() == sess.Username {
			if err := f.sessions.end(c, sess); err != nil {
				return err
			}
			return f.afterLogout(c, req)
		}
		if hint != nil {
			hintError = "The id_token_hint names " + hint.Subject() + ", but " + sess.Username + " is signed in here."
		}
		// The form carries the client that was identified, by client_id or by the hint.
		req.ClientID, req.IDTokenHint = client.ID, ""
		data := endSessionData{Request: req, ClientName: client.Name, HintError: hintError}
		return f.pages.render(c, http.StatusOK, "end_session.html",
			pageData{Title: "Sign out?", User: sess.Username, CSRFToken: sess.CSRFToken, Data: data})
	}
}

// handleEndSessionConfirm is the confirmation page's form: the user chose to sign out.
func handleEndSessionConfirm(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := f.sessions.postedForm(c)
		if err != nil {
			return err
		}
		req := endSessionRequest{ClientID: form.Get("client_id"),
			PostLogoutRedirectURI: form.Get("post_logout_redirect_uri"), State: form.Get("state")}
		// The hidden fields came back through the browser: check the redirect URI again.
		if _, err := f.endSessionClient(c, req, nil); err != nil {
			return err
		}
		if err := f.sessions.end(c, sess); err != nil {
			return err
		}
		return f.afterLogout(c, req)
	}
}

// readEndSessionRequest reads the parameters from the query (GET) or the form body (POST).
func readEndSessionRequest(c echo.Context) (endSessionRequest, error) {
	raw := c.Request().URL.RawQuery
	if c.Request().Method == http.MethodPost {
		var err error
		if raw, err = readBody(c.Request()); err != nil {
			return endSessionRequest{}, badLogoutRequest("The logout request's form could not be read: " + err.Error())
		}
	}
	q, err := parseParams(raw)
	if err != nil {
		return endSessionRequest{}, badLogoutRequest("The logout request could not be read: " + err.Error())
	}
	return endSessionRequest{IDTokenHint: q.Get("id_token_hint"), ClientID: q.Get("client_id"),
		PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"), State: q.Get("state")}, nil
}

// endSessionClient finds the client the request comes from, by client_id or by the verified
// hint's aud, and checks the post_logout_redirect_uri against its registration. It returns the
// zero client when the request names none and asks for no redirect.
func (f *flow) endSessionClient(c echo.Context, req endSessionRequest, hint jwt.Token) (store.Client, error) {
	clientID := req.ClientID
	if hint != nil {
		hinted := hint.Audience()[0]
		// §2: "When both client_id and id_token_hint are present, the OP MUST verify that the
		// Client Identifier matches the one used when issuing the ID Token."
		if clientID != "" && clientID != hinted {
			return store.Client{}, badLogoutRequest("The client_id " + clientID + " is not the audience of the id_token_hint (" + hinted + ").")
		}
		clientID = hinted
	}
	if clientID == "" {
		if req.PostLogoutRedirectURI != "" {
			return store.Client{}, badLogoutRequest("A post_logout_redirect_uri needs a client_id or a valid id_token_hint, so that Accounts can check it was registered.")
		}
		return store.Client{}, nil
	}
	client, err := f.store.Client(c.Request().Context(), clientID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Client{}, badLogoutRequest("No app is registered with the client_id " + clientID + ".")
	}
	if err != nil {
		return store.Client{}, err
	}
	if req.PostLogoutRedirectURI != "" && !matchPostLogoutRedirectURI(client, req.PostLogoutRedirectURI) {
		return store.Client{}, badLogoutRequest("The post_logout_redirect_uri " + req.PostLogoutRedirectURI +
			" is not registered for " + client.Name + ", so Accounts will not send you there, and you are still signed in.")
	}
	return client, nil
}

// afterLogout sends the browser to the checked post_logout_redirect_uri with state (§3), or
// shows that the user is signed out.
func (f *flow) afterLogout(c echo.Context, req endSessionRequest) error {
	if req.PostLogoutRedirectURI == "" {
		return f.pages.render(c, http.StatusOK, "signed_out.html", pageData{Title: "Signed out"})
	}
	params := url.Values{}
	if req.State != "" {
		params.Set("state", req.State)
	}
	return c.Redirect(http.StatusSeeOther, authorizationResponseURL(req.PostLogoutRedirectURI, params))
}

func badLogoutRequest(msg string) *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "This sign-out request is not valid", Message: msg}
}
