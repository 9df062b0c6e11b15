package web

// A device code gives tokens once. RFC 8628 §3.4 makes the device code a grant like an
// authorization code, and RFC 6749 §4.1.2 says of those: "If an authorization code is used
// more than once, the authorization server MUST deny the request and SHOULD revoke (when
// possible) all tokens previously issued based on that authorization code." A second redemption
// means the device code leaked (or a client is broken), so Accounts revokes the grant too.

import "github.com/valet/authserver/internal/store"

// deviceCodeSpent reports whether the device code already gave tokens, in which case the poll
// is refused and the grant revoked.
func deviceCodeSpent(d store.DeviceCode) bool {
	return !d.UsedAt.IsZero()
}
