package web

// What one poll of the token endpoint with a device code answers, RFC 8628 §3.5. Each rule is
// a pure function of the stored device code and the clock; token_device.go applies them in
// order.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/valet/authserver/internal/store"
)

// deviceCodeGrantType is the grant_type of RFC 8628 §3.4.
const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// slowDownStep is what each slow_down adds to the interval. RFC 8628 §3.5: "the interval MUST
// be increased by 5 seconds for this and all subsequent requests."
const slowDownStep = 5 * time.Second

// deviceCodeExpired decides expired_token. RFC 8628 §3.5: "The "device_code" has expired, and
// the device authorization session has concluded." The client must start again.
func deviceCodeExpired(d store.DeviceCode, now time.Time) bool {
	return !now.Before(d.ExpiresAt)
}

// deviceDecision answers a device code the user has not allowed: access_denied once they
// denied, authorization_pending while they have not decided. It returns nil once they allowed.
func deviceDecision(d store.DeviceCode) error {
	switch {
	case !d.DeniedAt.IsZero():
		// RFC 8628 §3.5, access_denied: "The authorization request was denied."
		return &oauthError{Code: "access_denied", Status: http.StatusBadRequest,
			Description: "the user denied the request on their phone; show a message and stop polling"}
	case d.Grant.ID == 0:
		// RFC 8628 §3.5, authorization_pending: "the end user hasn't yet completed the
		// user-interaction steps". The client polls again after the interval.
		return &oauthError{Code: "authorization_pending", Status: http.StatusBadRequest,
			Description: "the user has not yet entered the code and decided; poll again after the interval"}
	}
	return nil
}

// pollTooFast decides slow_down: a poll that comes sooner than the interval after the previous
// poll of the same device code. The first poll may come at once. RFC 8628 §3.2: interval is
// "the minimum amount of time in seconds that the client SHOULD wait between polling requests".
func pollTooFast(previousPoll, now time.Time, interval time.Duration) bool {
	return !previousPoll.IsZero() && now.Sub(previousPoll) < interval
}

// errSlowDown is RFC 8628 §3.5's slow_down, naming the new interval.
func errSlowDown(interval time.Duration) *oauthError {
	return &oauthError{Code: "slow_down", Status: http.StatusBadRequest,
		Description: "polled sooner than the interval; wait at least " + strconv.Itoa(int(interval/time.Second)) +
			" seconds between polls from now on (RFC 8628 §3.5: the interval grows by 5 seconds)"}
}

// errExpiredToken is RFC 8628 §3.5's expired_token.
func errExpiredToken() *oauthError {
	return &oauthError{Code: "expired_token", Status: http.StatusBadRequest,
		Description: "the device code has expired; start again with a new device authorization request"}
}
