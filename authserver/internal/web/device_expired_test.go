package web

import (
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

// RFC 8628 §3.5: expired_token once the device code's lifetime is over.
func TestDeviceCodeExpired(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    bool
	}{
		{"a second left: not expired", now.Add(time.Second), false},
		{"at the expiry: expired_token (RFC 8628 §3.5)", now, true},
		{"past the expiry: expired_token (RFC 8628 §3.5)", now.Add(-time.Second), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deviceCodeExpired(store.DeviceCode{ExpiresAt: tc.expires}, now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
