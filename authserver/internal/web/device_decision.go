package web

// What a poll answers before the user has allowed the device, RFC 8628 §3.5:
// authorization_pending while they have not decided, access_denied once they denied.

import (
	"net/http"

	"github.com/valet/authserver/internal/store"
)

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
