package web

// The device authorization endpoint, RFC 8628 §3.1 (the request) and §3.2 (the response): a
// device with no keyboard worth typing a password into, such as the photo kiosk, asks for a
// device code and a user code, and tells its user where to enter the user code.

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/store"
)

const (
	// deviceCodeTTL is how long the user has to enter the code and decide (expires_in).
	deviceCodeTTL = 10 * time.Minute
	// deviceInterval is the first polling interval. RFC 8628 §3.2: "If no value is provided,
	// clients MUST use 5 as the default."; Accounts sends it anyway.
	deviceInterval = 5 * time.Second
)

// deviceAuthorizationResponse is RFC 8628 §3.2's answer.
type deviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// handleDeviceAuthorization starts a device flow. RFC 8628 §3.1: "The client authentication
// requirements of Section 3.2.1 of [RFC6749] apply to requests on this endpoint", so a
// confidential client authenticates here as at /token, and a public one names itself.
func handleDeviceAuthorization(t *tokenEndpoint) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		form, err := readForm(c.Request())
		if err != nil {
			return errInvalidRequest(err.Error())
		}
		ctx := c.Request().Context()
		client, _, err := t.clients.authenticate(ctx, c.Request(), form)
		if err != nil {
			return err
		}
		if !client.AllowsGrant(deviceCodeGrantType) {
			return errUnauthorizedClient("client " + quote(client.ID) + " is not registered for the device code grant (" + deviceCodeGrantType + ")")
		}
		scope, err := parseScope(form.Get("scope"))
		if err != nil {
			return errInvalidScope(err.Error())
		}
		if len(scope) == 0 {
			return errInvalidScope("scope is missing; ask for at least one scope, such as photos.read")
		}
		if s := firstMissing(scope, client.Scopes); s != "" {
			return errInvalidScope("scope " + quote(s) + " is not registered for client " + quote(client.ID))
		}
		deviceCode, userCode, err := t.newDeviceCode(c, client.ID, scope)
		if err != nil {
			return err
		}
		verify := t.minter.issuer + "/device"
		c.Set(logClientKey, client.ID)
		return c.JSON(http.StatusOK, deviceAuthorizationResponse{
			DeviceCode:              deviceCode,
			UserCode:                formatUserCode(userCode),
			VerificationURI:         verify,
			VerificationURIComplete: verify + "?user_code=" + url.QueryEscape(formatUserCode(userCode)),
			ExpiresIn:               int64(deviceCodeTTL / time.Second),
			Interval:                int64(deviceInterval / time.Second),
		})
	}
}

// newDeviceCode stores a device code (256 random bits, kept only as a hash) with a fresh user
// code, drawing again in the rare case that the user code is taken.
func (t *tokenEndpoint) newDeviceCode(c echo.Context, clientID string, scope []string) (deviceCode, userCode string, err error) {
	now := t.now()
	for range 5 {
		deviceCode, userCode = randomToken(), newUserCode()
		err = t.store.CreateDeviceCode(c.Request().Context(), store.DeviceCode{
			Hash: store.Hash(deviceCode), UserCode: userCode, ClientID: clientID, Scope: scope,
			Interval: deviceInterval, CreatedAt: now, ExpiresAt: now.Add(deviceCodeTTL),
		})
		if !errors.Is(err, store.ErrUserCodeTaken) {
			return deviceCode, userCode, err
		}
	}
	return "", "", err
}
