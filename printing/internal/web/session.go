package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/store"
)

// sessionCookie names PrintShop's session cookie. Cookies ignore ports, so the three services
// on localhost share one cookie jar; each service prefixes its cookies with its own name.
const sessionCookie = "printshop_session"

const (
	// sessionTTL is how long a browser stays signed in at PrintShop.
	sessionTTL = 12 * time.Hour
	// anonymousTTL is how long a session lives before anyone signs in: long enough to find a
	// password, short enough that bots hitting /login do not fill the database.
	anonymousTTL = time.Hour
)

// sessions reads and writes browser sessions: the cookie, the row behind it, and its CSRF token.
type sessions struct {
	store  *store.Store
	now    func() time.Time
	secure bool // set the Secure attribute: the public URL is https
}

// load returns the browser's session, or store.ErrNotFound if it has none.
func (s *sessions) load(c echo.Context) (store.Session, error) {
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return store.Session{}, store.ErrNotFound
	}
	return s.store.Session(c.Request().Context(), store.Hash(cookie.Value), s.now())
}

// ensure returns the browser's session, starting an anonymous one if it has none, so that a
// login form has a CSRF token to carry.
func (s *sessions) ensure(c echo.Context) (store.Session, error) {
	sess, err := s.load(c)
	if !errors.Is(err, store.ErrNotFound) {
		return sess, err
	}
	id := randomToken()
	sess, err = s.store.CreateSession(c.Request().Context(), store.Hash(id), randomToken(), s.now().Add(anonymousTTL))
	if err != nil {
		return store.Session{}, err
	}
	s.setCookie(c, id, sessionTTL)
	return sess, nil
}

// signIn records the login and gives the session a new id and CSRF token: an id an attacker
// planted before login must not become a signed-in session (session fixation).
func (s *sessions) signIn(c echo.Context, sess store.Session, username string) error {
	id := randomToken()
	if err := s.store.SignIn(c.Request().Context(), sess.Key, store.Hash(id), randomToken(), username, s.now().Add(sessionTTL)); err != nil {
		return err
	}
	s.setCookie(c, id, sessionTTL)
	return nil
}

// end deletes the session and its cookie (logout).
func (s *sessions) end(c echo.Context, sess store.Session) error {
	s.setCookie(c, "", -time.Second) // Max-Age=0: the browser deletes it
	return s.store.DeleteSession(c.Request().Context(), sess.Key)
}

func (s *sessions) setCookie(c echo.Context, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// postedForm reads a form posted from one of PrintShop's pages, with the browser's session, and
// checks the form's CSRF token against that session.
func (s *sessions) postedForm(c echo.Context, repeatable ...string) (url.Values, store.Session, error) {
	form, err := readForm(c.Request(), repeatable...)
	if err != nil {
		return nil, store.Session{}, &pageError{Status: http.StatusBadRequest, Title: "The form could not be read", Message: err.Error()}
	}
	sess, err := s.load(c)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Session{}, errCSRF()
	}
	if err != nil {
		return nil, store.Session{}, err
	}
	return form, sess, checkCSRF(form, sess)
}

// checkCSRF compares the form's csrf_token with the session's, in constant time. Every form
// at PrintShop posts one, so another site cannot submit a form in the user's name.
func checkCSRF(form url.Values, sess store.Session) error {
	got := form.Get("csrf_token")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
		return errCSRF()
	}
	return nil
}

func errCSRF() *pageError {
	return &pageError{Status: http.StatusForbidden, Title: "This form has expired",
		Message: "The form's CSRF token is missing or does not belong to your session, so PrintShop did not act on it. " +
			"Go back, reload the page and submit it again."}
}

// randomToken returns 256 random bits, base64url-encoded: for session ids and CSRF tokens.
func randomToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return b
}
