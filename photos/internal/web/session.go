package web

// Browser sessions of Photos' web app: the photos_session cookie, the row behind it, and its
// CSRF token. Pages never see a bearer token: the cookie is the browser's only credential here.

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

// sessionCookie names Photos' session cookie. Cookies ignore ports, so the three services on
// localhost share one cookie jar; each prefixes its cookies with its own name.
const sessionCookie = "photos_session"

const (
	// sessionTTL is how long a browser stays signed in at Photos.
	sessionTTL = 12 * time.Hour
	// anonymousTTL is how long a session lives before anyone signs in.
	anonymousTTL = time.Hour
	// loginTTL is how long a sign-in may take at Accounts before its state expires.
	loginTTL = 10 * time.Minute
)

// sessions reads and writes browser sessions.
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

// user returns the signed-in session, or ok false when nobody is signed in.
func (s *sessions) user(c echo.Context) (store.Session, bool, error) {
	sess, err := s.load(c)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, false, nil
	}
	if err != nil {
		return store.Session{}, false, err
	}
	return sess, sess.Username != "", nil
}

// ensure returns the browser's session, starting an anonymous one if it has none, so that a
// sign-in can be bound to it.
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

// signIn records who signed in, under a new session id and CSRF token (session fixation).
func (s *sessions) signIn(c echo.Context, sess store.Session, username, name, idToken string) error {
	id := randomToken()
	if err := s.store.SignIn(c.Request().Context(), sess.Key, store.Hash(id), randomToken(), username, name, idToken, s.now().Add(sessionTTL)); err != nil {
		return err
	}
	s.setCookie(c, id, sessionTTL)
	return nil
}

// end deletes the session and its cookie.
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

// checkCSRF compares a form's csrf_token with the session's, in constant time. Every form at
// Photos posts one, so another site cannot submit a form in the user's name.
func checkCSRF(got string, sess store.Session) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
		return &pageError{Status: http.StatusForbidden, Title: "This form has expired",
			Message: "The form's csrf_token is missing or does not belong to your session, so Photos did not act on it. Go back, reload the page and try again."}
	}
	return nil
}

// randomToken returns 256 random bits, base64url-encoded: session ids, CSRF tokens, states,
// nonces.
func randomToken() string {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
