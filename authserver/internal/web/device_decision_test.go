package web

import (
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

// RFC 8628 §3.5: authorization_pending until the user decides, access_denied once they deny.
func TestDeviceDecision(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name string
		d    store.DeviceCode
		want string // the error code, "" for none
	}{
		{"undecided: authorization_pending (RFC 8628 §3.5)", store.DeviceCode{}, "authorization_pending"},
		{"denied: access_denied (RFC 8628 §3.5)", store.DeviceCode{DeniedAt: now}, "access_denied"},
		{"allowed: tokens", store.DeviceCode{Grant: store.Grant{ID: 7}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := deviceDecision(tc.d); err != nil {
				got = err.(*oauthError).Code
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
