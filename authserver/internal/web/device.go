package web

// The verification pages of the device flow, RFC 8628 §3.3: on their phone, the user enters the
// code the kiosk shows (or arrives with it filled in from verification_uri_complete, §3.3.1),
// signs in, compares the code, and allows or denies.

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

type deviceData struct {
	UserCode string // what to put in the input
	Error    string
}

type deviceConfirmData struct {
	ClientName string
	UserCode   string // XXXX-XXXX, to compare with the kiosk's screen
	Scopes     []Scope
}

type deviceDoneData struct {
	ClientName string
	Allowed    bool
}

// handleDevicePage shows the form for the user code. With ?user_code= (the QR code's
// verification_uri_complete) the code is filled in, but the user still presses Continue: a
// link alone must never approve anything.
func handleDevicePage(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := f.sessions.ensure(c)
		if err != nil {
			return err
		}
		return f.pages.render(c, http.StatusOK, "device.html", pageData{Title: "Connect a device",
			User: sess.Username, CSRFToken: sess.CSRFToken, Data: deviceData{UserCode: c.QueryParam("user_code")}})
	}
}

// handleDeviceCode checks a typed user code, under the guessing limit. A right code is tied to
// this browser session, which then signs in (if needed) and decides at /device/confirm.
func handleDeviceCode(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := f.sessions.postedForm(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		now := f.now()
		wrong, lastWrong, err := f.store.UserCodeTries(ctx, sess.Key)
		if err != nil {
			return err
		}
		if userCodeGuessLimited(wrong, lastWrong, now) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(lastWrong.Add(userCodeLockout).Sub(now).Seconds())+1))
			return &pageError{Status: http.StatusTooManyRequests, Title: "Too many wrong codes",
				Message: "This browser entered " + strconv.Itoa(wrong) + " wrong codes, so Accounts will not check another for a minute. " +
					"Codes are short, and this limit is what keeps anyone from guessing one (RFC 8628 §5.1). Wait a minute, then type the code the kiosk shows."}
		}
		typed := form.Get("user_code")
		d, problem, err := f.findUserCode(c, typed)
		if err != nil {
			return err
		}
		if problem != "" {
			if _, err := f.store.RecordWrongUserCode(ctx, sess.Key, now); err != nil {
				return err
			}
			c.Set(logErrorKey, "wrong_user_code")
			return f.pages.render(c, http.StatusBadRequest, "device.html", pageData{Title: "Connect a device",
				User: sess.Username, CSRFToken: sess.CSRFToken, Data: deviceData{UserCode: typed, Error: problem}})
		}
		if err := f.store.ClaimDeviceCode(ctx, d.Hash, sess.Key); err != nil {
			return err
		}
		if sess.Username == "" {
			return c.Redirect(http.StatusSeeOther, "/login?device=1")
		}
		return c.Redirect(http.StatusSeeOther, "/device/confirm")
	}
}

// findUserCode looks up a typed user code. problem, when not empty, says to the user why the
// code is not accepted; every such answer counts as a wrong try.
func (f *flow) findUserCode(c echo.Context, typed string) (store.DeviceCode, string, error) {
	const tryAgain = " Check the code on the kiosk's screen and type it again."
	code, ok := normalizeUserCode(typed)
	if !ok {
		return store.DeviceCode{}, "That is not a code: a code is 8 letters, like BCDF-GHJK." + tryAgain, nil
	}
	d, err := f.store.DeviceCodeByUserCode(c.Request().Context(), code)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return d, "No device is waiting for code " + formatUserCode(code) + "." + tryAgain, nil
	case err != nil:
		return d, "", err
	case deviceCodeExpired(d, f.now()):
		return d, "Code " + formatUserCode(code) + " has expired. Start again at the kiosk for a new code.", nil
	case !d.DeniedAt.IsZero() || d.Grant.ID != 0:
		return d, "Code " + formatUserCode(code) + " was already used. Start again at the kiosk for a new code.", nil
	}
	return d, "", nil
}

// handleDeviceConfirmPage is the device flow's consent page: it names the client, shows the
// code to compare with the kiosk's screen, and warns against remote phishing (RFC 8628 §5.4).
func handleDeviceConfirmPage(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, d, client, err := f.claimedDeviceCode(c)
		if err != nil || d.ClientID == "" {
			return err
		}
		scopes := make([]Scope, len(d.Scope))
		for i, s := range d.Scope {
			scopes[i] = describeScope(s)
		}
		return f.pages.render(c, http.StatusOK, "device_confirm.html", pageData{Title: "Allow " + client.Name + "?",
			User: sess.Username, CSRFToken: sess.CSRFToken,
			Data: deviceConfirmData{ClientName: client.Name, UserCode: formatUserCode(d.UserCode), Scopes: scopes}})
	}
}

// handleDeviceConfirm records the decision. Deny reaches the kiosk as access_denied; Allow
// records a grant for the ticked scopes, which the kiosk collects with its next poll.
func handleDeviceConfirm(f *flow) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, _, err := f.sessions.postedForm(c, "scope")
		if err != nil {
			return err
		}
		sess, d, client, err := f.claimedDeviceCode(c)
		if err != nil || d.ClientID == "" {
			return err
		}
		// The form names the code it showed: if another tab entered a newer code meanwhile, this
		// Allow must not approve a code the user never saw.
		if typed, _ := normalizeUserCode(form.Get("user_code")); typed != d.UserCode {
			return deviceGone()
		}
		ctx := c.Request().Context()
		now := f.now()
		granted := grantedScopes(d.Scope, form["scope"])
		switch form.Get("decision") {
		case "allow":
		case "deny":
			granted = nil
		default:
			return &pageError{Status: http.StatusBadRequest, Title: "No decision was sent",
				Message: "The form must be submitted with its Allow or Deny button."}
		}
		if len(granted) == 0 {
			err = f.store.DenyDeviceCode(ctx, d.Hash, sess.Key, now)
		} else {
			remembered, cerr := f.store.Consent(ctx, sess.Username, client.ID)
			if cerr != nil {
				return cerr
			}
			grant := store.Grant{ClientID: client.ID, Username: sess.Username, Scope: granted, AuthTime: sess.AuthTime, CreatedAt: now}
			err = f.store.ApproveDeviceCode(ctx, d.Hash, sess.Key, grant, rememberConsent(remembered, d.Scope, granted))
		}
		if errors.Is(err, store.ErrNotFound) {
			return deviceGone()
		}
		if err != nil {
			return err
		}
		return f.pages.render(c, http.StatusOK, "device_done.html", pageData{Title: "Done",
			User: sess.Username, CSRFToken: sess.CSRFToken, Data: deviceDoneData{ClientName: client.Name, Allowed: len(granted) > 0}})
	}
}

// claimedDeviceCode finds the device code this browser entered. It redirects to sign-in when
// no one is signed in, and back to the code form when there is no code to decide; in both
// cases the returned device code is empty and the error is the redirect's.
func (f *flow) claimedDeviceCode(c echo.Context) (store.Session, store.DeviceCode, store.Client, error) {
	sess, err := f.sessions.load(c)
	if errors.Is(err, store.ErrNotFound) {
		return sess, store.DeviceCode{}, store.Client{}, c.Redirect(http.StatusSeeOther, "/device")
	}
	if err != nil {
		return sess, store.DeviceCode{}, store.Client{}, err
	}
	if sess.Username == "" {
		return sess, store.DeviceCode{}, store.Client{}, c.Redirect(http.StatusSeeOther, "/login?device=1")
	}
	ctx := c.Request().Context()
	d, err := f.store.ClaimedDeviceCode(ctx, sess.Key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && deviceCodeExpired(d, f.now())) {
		return sess, store.DeviceCode{}, store.Client{}, deviceGone()
	}
	if err != nil {
		return sess, store.DeviceCode{}, store.Client{}, err
	}
	client, err := f.store.Client(ctx, d.ClientID)
	return sess, d, client, err
}

func deviceGone() *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "No device is waiting for you",
		Message: "The code was already answered, it expired (codes live 10 minutes), or it was entered in another browser. " +
			"Enter the code the kiosk shows at /device, or start again at the kiosk."}
}

// deviceLoginNext is where sign-in continues for the device flow: only ever this fixed path,
// so the login form's device field cannot become an open redirect.
const deviceLoginNext = "/device/confirm"
