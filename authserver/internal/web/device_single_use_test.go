package web

import (
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

// A device code gives tokens once (RFC 6749 §4.1.2's rule for codes, applied to RFC 8628 §3.4's
// device code).
func TestDeviceCodeSpent(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    store.DeviceCode
		want bool
	}{
		{"never redeemed: may give tokens", store.DeviceCode{}, false},
		{"already gave tokens: refused, and its grant revoked (RFC 6749 §4.1.2)", store.DeviceCode{UsedAt: time.Unix(1, 0)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deviceCodeSpent(tc.d); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
