package web

// expired_token, RFC 8628 §3.5: a device code lives deviceCodeTTL (600 s); after that the kiosk
// must start again.

import (
	"net/http"
	"time"

	"github.com/valet/authserver/internal/store"
)

// deviceCodeExpired decides expired_token. RFC 8628 §3.5: "The "device_code" has expired, and
// the device authorization session has concluded." The client must start again.
func deviceCodeExpired(d store.DeviceCode, now time.Time) bool {
	return !now.Before(d.ExpiresAt)
}

// errExpiredToken is RFC 8628 §3.5's expired_token.
func errExpiredToken() *oauthError {
	return &oauthError{Code: "expired_token", Status: http.StatusBadRequest,
		Description: "the device code has expired; start again with a new device authorization request"}
}
