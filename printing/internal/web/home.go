package web

// PrintShop's own accounts. Alice has an account here and one at Photos; the point of OAuth is
// that PrintShop never learns the Photos one.

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/printing/internal/store"
)

// notices are the one-line messages a redirect can ask a page to show. Only these: a link
// cannot put its own words on the page.
var notices = map[string]string{
	"signed-in":    "Welcome back.",
	"signed-out":   "You are signed out of PrintShop.",
	"connected":    "Your Photos are connected. PrintShop holds a valet key; it never saw your Photos password.",
	"disconnected": "Disconnected. PrintShop revoked its key at Accounts and forgot it. Your orders are still here.",
	"sign-in":      "Sign in to PrintShop first.",
	"reconnected":  "Connected again: PrintShop holds a new valet key, from a new grant. The experiments work again.",
}

type homeData struct {
	Connection *store.Connection
	Error      string
	Username   string
}

// handleHome tells the story and offers sign-in, or the "Connect your Photos" button.
func handleHome(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.sessions.ensure(c)
		if err != nil {
			return err
		}
		data := homeData{}
		if sess.Username != "" {
			conn, err := a.store.Connection(c.Request().Context(), sess.Username)
			if err == nil {
				data.Connection = &conn
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return a.pages.render(c, http.StatusOK, "home.html", pageData{Title: "PrintShop", User: sess.Username,
			CSRFToken: sess.CSRFToken, Notice: takeNotice(c, a.sessions.secure), Data: data})
	}
}

// handleLogin signs a PrintShop user in and answers 303 to the home page.
func handleLogin(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := a.sessions.postedForm(c)
		if err != nil {
			return err
		}
		username := form.Get("username")
		ok, err := a.passwords.checkPassword(c.Request().Context(), a.store, username, form.Get("password"))
		if err != nil {
			return err
		}
		if !ok {
			c.Set(logErrorKey, "login_failed")
			return a.pages.render(c, http.StatusUnauthorized, "home.html", pageData{Title: "PrintShop", CSRFToken: sess.CSRFToken,
				Data: homeData{Error: "Wrong username or password.", Username: username}})
		}
		if err := a.sessions.signIn(c, sess, username); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/?notice=signed-in")
	}
}

// handleLogout ends the PrintShop session. The tokens stay: they belong to the account, not
// to the browser.
func handleLogout(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, sess, err := a.sessions.postedForm(c)
		if err != nil {
			return err
		}
		if err := a.sessions.end(c, sess); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/?notice=signed-out")
	}
}

// dummyHash is compared against when the username is unknown, so that a wrong username takes as
// long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)
	return h
})

// checkPassword reports whether the password is the user's.
func checkPassword(ctx context.Context, st *store.Store, username, password string) bool {
	user, err := st.User(ctx, username)
	if err != nil {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(password)) == nil
}

// signedIn returns the signed-in user's session, or sends the browser to sign in.
func (a *app) signedIn(c echo.Context) (store.Session, error) {
	sess, err := a.sessions.load(c)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Session{}, err
	}
	if sess.Username == "" {
		return store.Session{}, &redirect{to: "/?notice=sign-in"}
	}
	return sess, nil
}

// handleHealth answers 200 when the database answers. It does not ask Accounts or Photos:
// PrintShop explains their absence page by page.
func handleHealth(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "database not reachable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	}
}
