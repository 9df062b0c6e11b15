package web

// Signing in and out at Accounts. The resource owner authenticates here, at the authorization
// server, and never at the client: that is the point of OAuth (RFC 6749 §1, and step (B) of
// §4.1), and why RFC 9700 §2.4 says the password grant "MUST NOT be used".

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/store"
)

// requestView is the pending authorization request as the login and consent pages explain it.
type requestView struct {
	ClientName  string
	RedirectURI string
	Scopes      []Scope
	PKCE        bool // a code_challenge was sent; an implicit request has none
}

func newRequestView(req store.AuthorizationRequest, client store.Client) *requestView {
	v := &requestView{ClientName: client.Name, RedirectURI: req.RedirectURI, PKCE: req.CodeChallenge != ""}
	for _, s := range req.Scope {
		v.Scopes = append(v.Scopes, describeScope(s))
	}
	return v
}

type loginData struct {
	Error     string
	Username  string
	RequestID string
	Request   *requestView
	// Device is set when the sign-in is for the device flow: it goes on to /device/confirm.
	Device bool
}

// handleLoginPage shows the sign-in form, with the pending request (if any) explained beside it.
func handleLoginPage(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := f.sessions.ensure(c)
		if err != nil {
			return err
		}
		data := loginData{Device: c.QueryParam("device") != ""}
		if id := c.QueryParam("request"); id != "" {
			req, err := f.store.AuthorizationRequest(c.Request().Context(), store.Hash(id), sess.Key, f.now())
			if errors.Is(err, store.ErrNotFound) {
				return requestGone()
			}
			if err != nil {
				return err
			}
			client, err := f.store.Client(c.Request().Context(), req.ClientID)
			if err != nil {
				return err
			}
			data.RequestID, data.Request = id, newRequestView(req, client)
		}
		return f.pages.render(c, http.StatusOK, "login.html", pageData{Title: "Sign in", User: sess.Username, CSRFToken: sess.CSRFToken, Data: data})
	}
}

// handleLogin checks the username and password, signs the session in under a new id, and
// answers 303: on to the pending request, or to the account page.
func handleLogin(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := f.sessions.postedForm(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		username := form.Get("username")
		id := form.Get("request")
		ok, err := f.passwords.checkPassword(ctx, f.store, username, form.Get("password"))
		if err != nil {
			return err
		}
		if !ok {
			data := loginData{Error: "Wrong username or password.", Username: username, Device: form.Get("device") != ""}
			if req, err := f.store.AuthorizationRequest(ctx, store.Hash(id), sess.Key, f.now()); err == nil {
				if client, err := f.store.Client(ctx, req.ClientID); err == nil {
					data.RequestID, data.Request = id, newRequestView(req, client)
				}
			}
			c.Set(logErrorKey, "login_failed")
			return f.pages.render(c, http.StatusUnauthorized, "login.html", pageData{Title: "Sign in", CSRFToken: sess.CSRFToken, Data: data})
		}
		if err := f.sessions.signIn(c, sess, username); err != nil {
			return err
		}
		if form.Get("device") != "" {
			return c.Redirect(http.StatusSeeOther, deviceLoginNext)
		}
		if id == "" {
			return c.Redirect(http.StatusSeeOther, "/account")
		}
		if err := f.store.MarkRequestLoggedIn(ctx, store.Hash(id), sess.Key); err != nil {
			return err
		}
		// Only ever a path on Accounts itself: no return-to URL, so no open redirect.
		return c.Redirect(http.StatusSeeOther, "/authorize/continue?request="+url.QueryEscape(id))
	}
}

// dummyHash is compared against when the username is unknown, so that a wrong username takes as
// long as a wrong password and does not reveal which users exist.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)
	return h
})

// checkPassword reports whether the password is the user's, comparing bcrypt hashes.
func checkPassword(ctx context.Context, st *store.Store, username, password string) bool {
	user, err := st.User(ctx, username)
	if err != nil {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(password)) == nil
}

// handleLogout ends the session.
func handleLogout(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, sess, err := f.sessions.postedForm(c)
		if err != nil {
			return err
		}
		if err := f.sessions.end(c, sess); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login")
	}
}
