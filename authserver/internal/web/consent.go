package web

// The consent page: the resource owner decides what the client may do (RFC 6749 §4.1, step (B)
// of Figure 3: "the resource owner grants or denies the client's access request"). The user
// may grant fewer scopes than were asked for (RFC 6749 §3.3).

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"
)

type consentData struct {
	RequestID string
	Request   *requestView
}

// handleConsentPage shows what the client asks for, one checkbox per scope, all ticked.
func handleConsentPage(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, req, client, sess, err := f.loadRequest(c, c.QueryParam("request"))
		if err != nil {
			return err
		}
		if needsLogin(req, sess, f.now()) {
			return c.Redirect(http.StatusSeeOther, "/login?request="+url.QueryEscape(id))
		}
		// Back after answering fetches the page again, which then says the request has ended,
		// instead of showing a stale form.
		c.Response().Header().Set("Cache-Control", "no-store")
		return f.pages.render(c, http.StatusOK, "consent.html", pageData{
			Title: "Allow " + client.Name + "?", User: sess.Username, CSRFToken: sess.CSRFToken,
			Data: consentData{RequestID: id, Request: newRequestView(req, client)},
		})
	}
}

// handleConsent records the user's answer. Deny sends access_denied back to the client; Allow
// issues a code for the ticked scopes and remembers them for next time.
func handleConsent(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, _, err := f.sessions.postedForm(c, "scope")
		if err != nil {
			return err
		}
		id, req, _, sess, err := f.loadRequest(c, form.Get("request"))
		if err != nil {
			return err
		}
		if needsLogin(req, sess, f.now()) {
			// Not signed in, or prompt=login / max_age asks for a fresh sign-in first.
			return c.Redirect(http.StatusSeeOther, "/login?request="+url.QueryEscape(id))
		}
		switch form.Get("decision") {
		case "deny":
			return f.finishWithError(c, id, req, "access_denied", "the user denied the request")
		case "allow":
		default:
			return &pageError{Status: http.StatusBadRequest, Title: "No decision was sent",
				Message: "The consent form must be submitted with its Allow or Deny button."}
		}
		granted := grantedScopes(req.Scope, form["scope"])
		if len(granted) == 0 {
			return f.finishWithError(c, id, req, "access_denied", "the user allowed none of the requested scopes")
		}
		remembered, err := f.store.Consent(c.Request().Context(), sess.Username, req.ClientID)
		if err != nil {
			return err
		}
		return f.issueCode(c, id, req, sess, granted, rememberConsent(remembered, req.Scope, granted))
	}
}

// grantedScopes is what the user ticked, limited to what was asked for: a forged form cannot add
// a scope the client never requested.
func grantedScopes(requested, ticked []string) []string {
	var out []string
	for _, s := range requested {
		if slices.Contains(ticked, s) {
			out = append(out, s)
		}
	}
	return out
}
