package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/store"
)

// handleHome explains what Accounts is.
func handleHome(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		data := pageData{Title: "Accounts"}
		if sess, err := f.sessions.load(c); err == nil {
			data.User, data.CSRFToken = sess.Username, sess.CSRFToken
		}
		return f.pages.render(c, http.StatusOK, "home.html", data)
	}
}

// handleHealth answers 200 when the database and the signing keys are usable.
func handleHealth(st *store.Store, k *keys.Keyring, algs []jwa.SignatureAlgorithm) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "database not reachable\n")
		}
		for _, alg := range algs {
			if _, err := k.Signing(ctx, alg); err != nil {
				return c.String(http.StatusServiceUnavailable, "no "+alg.String()+" signing key\n")
			}
		}
		return c.String(http.StatusOK, "ok\n")
	}
}
