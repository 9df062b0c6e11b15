//go:build ex11

package web

// Workshop exercise 11: refresh once on a 401, serialized per connection
// (workshop/11-refresh-on-401.md).
//
// Goal: PrintShop calls Photos with the valet key (the access token). Photos may refuse it with
// 401 invalid_token before PrintShop expected: revoked, or expired early. Then PrintShop should
// get a fresh key with its refresh token and try once more. Many pages call Photos at once
// (the gallery loads a dozen thumbnails), so many 401s can arrive together.
//
// The rules:
//   - RFC 6750 §3.1: 401 invalid_token means this token no longer works. RFC 6749 §6: the
//     refresh token gets a new access token.
//   - Once: if the fresh token is refused too, stop and ask the user to reconnect
//     (errPhotosRefusesFreshToken). Never loop.
//   - RFC 9700 §4.14.2: Accounts rotates refresh tokens, and a refresh token presented twice
//     revokes the whole grant. Twelve thumbnails refused at once must make ONE refresh.
//
// What you have (tokens.go): k.lock(username) is the user's mutex; k.connection(ctx, username)
// reads the stored tokens; k.refreshLocked(ctx, conn) refreshes and saves (call it holding the
// lock); k.accessToken gives the current token; photosapi.ErrUnauthorized is Photos' 401.
//
// Hints:
//  1. withToken: call fn; on ErrUnauthorized get a new token from refreshAfterUnauthorized and
//     call fn once more.
//  2. refreshAfterUnauthorized: take the lock, then read the connection again. If its access
//     token is no longer the stale one, another request has refreshed already: use it.
//
// Check: make exercise N=11. Run it live: make run TAGS=ex11, and /flow's "Refresh" experiment.

import (
	"context"

	"github.com/valet/printing/internal/flow"
)

// withToken calls Photos through fn with the user's access token.
func (k *tokenKeeper) withToken(ctx context.Context, username string, fn func(ctx context.Context, token string) error) error {
	token, err := k.accessToken(ctx, username)
	if err != nil {
		return err
	}
	call := flow.WithStep(ctx, username, "photos", "A Photos API call with the access token", flow.Photos)
	// The starting point gives up at the first 401. Replace this.
	return photosError(fn(call, token))
}

// refreshAfterUnauthorized gets a fresh access token after Photos refused stale.
func (k *tokenKeeper) refreshAfterUnauthorized(ctx context.Context, username, stale string) (string, error) {
	// The starting point refreshes every time, with no lock. Replace this.
	conn, err := k.connection(ctx, username)
	if err != nil {
		return "", err
	}
	return k.refreshLocked(ctx, conn)
}
