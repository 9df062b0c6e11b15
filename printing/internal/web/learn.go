package web

// /learn: the words of OAuth 2.0 (RFC 6749 §1.1, "Roles") mapped to what the learner just saw
// on /flow, why OAuth is about authorization and not authentication, and why the authorization
// code travels the front channel while the tokens travel the back channel (RFC 6749 §1.3.1,
// RFC 7636).

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/store"
)

// learnData personalises the page: the owner's name, and whether they have a flow to look at.
type learnData struct {
	Owner   string // "Alice" when signed in as alice; Alice when nobody is
	HasFlow bool
	// PhotosURL is Photos' public URL, for the section on authentication beside authorization.
	PhotosURL string
}

// handleLearn explains the terms. It needs no sign-in; signed in, it speaks of the user's own
// photos and links to their flow.
func handleLearn(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		sess, err := a.sessions.load(c)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		data := learnData{Owner: "Alice", PhotosURL: a.photosPublicURL}
		if sess.Username != "" {
			data.Owner = sess.Username
			if user, err := a.store.User(ctx, sess.Username); err == nil && user.Name != "" {
				data.Owner = user.Name
			}
			_, events, err := a.store.Flow(ctx, sess.Username)
			if err != nil {
				return err
			}
			data.HasFlow = len(events) > 0
		}
		return a.pages.render(c, http.StatusOK, "learn.html", pageData{Title: "The words of OAuth", User: sess.Username,
			CSRFToken: sess.CSRFToken, Data: data})
	}
}
