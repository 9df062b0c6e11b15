//go:build ex10

package web

// Workshop exercise 10: refresh token rotation and reuse detection
// (workshop/10-refresh-rotation.md).
//
// Goal: PrintShop holds a refresh token, a long-lived spare valet key it trades at Accounts for
// a fresh access token. Every trade also gives a new refresh token, and the old one is spent
// (rotation). If a spent one is ever presented again, two parties hold copies of it: one is a
// thief. Decide whether the presented token may be exchanged by clientID (err nil), and whether
// to revoke the whole grant (revokeGrant).
//
// What you get: token.RotatedAt is zero until the token was exchanged; token.ExpiresAt; the
// grant it belongs to (grant.ClientID, grant.RevokedAt); the authenticated client; the time.
// The store marks the token rotated afterwards, atomically; if another request rotated it
// first, this function is called again with RotatedAt set.
//
// The rules:
//   - RFC 6749 §6: the token must have been issued to this client. Refuse another client's
//     token, and leave it usable: the honest client still holds it.
//   - A revoked grant's tokens are dead; an expired token is dead.
//   - RFC 9700 §4.14.2: a rotated token presented again means it was stolen. Refuse, and
//     revoke the grant, so the thief's tokens die too.
//   - Refuse with errInvalidGrant("...") (RFC 6749 §5.2), saying which rule failed.
//
// Hints:
//  1. Order matters: check the client first, so that another client cannot burn (revoke) a
//     grant that is not its own by presenting a stolen, rotated token.
//  2. Expired means !now.Before(token.ExpiresAt).
//
// Check: make exercise N=10. Run it live: make run TAGS=ex10 and /flow's "Refresh" experiment.

import (
	"time"

	"github.com/valet/authserver/internal/store"
)

// checkRefreshToken decides whether a presented refresh token may be exchanged by clientID.
func checkRefreshToken(token store.RefreshToken, grant store.Grant, clientID string, now time.Time) (revokeGrant bool, err error) {
	// The starting point only checks who holds the token. Replace this.
	if grant.ClientID != clientID {
		return false, errInvalidGrant("the refresh token was issued to another client")
	}
	return false, nil
}
