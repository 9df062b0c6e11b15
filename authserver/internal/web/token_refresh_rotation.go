//go:build !ex10

package web

// Workshop exercise 10 (workshop/10-refresh-rotation.md): the solution. Its twin,
// token_refresh_rotation_ex10.go, is the student's starting file, built with -tags ex10.

import (
	"time"

	"github.com/valet/authserver/internal/store"
)

// checkRefreshToken decides whether a presented refresh token may be exchanged by clientID,
// and whether its grant must be revoked. It runs before the token is rotated, and again if the
// store reports that another request rotated it first.
//
// RFC 6749 §6: the server MUST "validate the refresh token" and that it was issued to the
// authenticated client; a token presented by another client is refused and left as it is.
// RFC 9700 §4.14.2, rotation: a refresh token is exchanged once. "If a refresh token is
// compromised and subsequently used by both the attacker and the legitimate client, one of them
// will present an invalidated refresh token, which will inform the authorization server of the
// breach." The server cannot tell which one is the attacker, so it revokes the whole grant.
func checkRefreshToken(token store.RefreshToken, grant store.Grant, clientID string, now time.Time) (revokeGrant bool, err error) {
	switch {
	case grant.ClientID != clientID:
		return false, errInvalidGrant("the refresh token was issued to another client")
	case !grant.RevokedAt.IsZero():
		return false, errInvalidGrant("the refresh token was revoked; the user must authorize the app again")
	case !token.RotatedAt.IsZero():
		return true, errInvalidGrant("the refresh token was already used once; it may have been stolen, so the whole grant is now revoked (RFC 9700 §4.14.2)")
	case !now.Before(token.ExpiresAt):
		return false, errInvalidGrant("the refresh token is unknown or has expired")
	}
	return false, nil
}
