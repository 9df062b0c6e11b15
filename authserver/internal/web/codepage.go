package web

// The code page (GET /code): the registered redirect URI of the demo client "curl", so that a person at a
// terminal can walk through the authorization code flow (RFC 6749 §4.1) while PrintShop runs.
// It is an ordinary redirect URI on Accounts' own origin, and weakens no rule: the redirect
// URI still matches exactly (RFC 9700 §4.1.3), PKCE is still required (RFC 7636), and the
// code still works once, for one minute (RFC 6749 §4.1.2). The page only shows what is already
// in its URL, the answer of RFC 6749 §4.1.2 or §4.1.2.1, and how long the code has left.

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

// codePage is what code.html shows.
type codePage struct {
	Code, State, Iss    string
	Error, Description  string // an error answer (RFC 6749 §4.1.2.1) instead of a code
	IssuerMatches       bool   // iss is this Accounts (RFC 9207 §2.4: the client must check it)
	SecondsLeft         int64
	ExpiresAt           string
	Used, Unknown       bool
	ClientID, TokenPath string
}

// handleCodePage shows the code in its redirect, ready to copy, with its time left.
func handleCodePage(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := c.QueryParams()
		data := codePage{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss"),
			Error: q.Get("error"), Description: q.Get("error_description"),
			IssuerMatches: q.Get("iss") == f.issuer, TokenPath: f.issuer + "/token"}
		status := http.StatusOK
		switch {
		case data.Error != "":
		case data.Code == "":
			status, data.Unknown = http.StatusBadRequest, true
		default:
			stored, grant, err := f.store.Code(c.Request().Context(), store.Hash(data.Code))
			switch {
			case errors.Is(err, store.ErrNotFound):
				status, data.Unknown = http.StatusBadRequest, true
			case err != nil:
				return err
			default:
				now := f.now()
				data.ClientID = grant.ClientID
				data.Used = !stored.UsedAt.IsZero()
				data.SecondsLeft = max(0, int64(stored.ExpiresAt.Sub(now)/time.Second))
				data.ExpiresAt = stored.ExpiresAt.UTC().Format("15:04:05 UTC")
			}
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return f.pages.render(c, status, "code.html", pageData{Title: "Your authorization code", Data: data})
	}
}
