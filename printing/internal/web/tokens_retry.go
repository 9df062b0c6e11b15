//go:build !ex11

package web

// Workshop exercise 11 (workshop/11-refresh-on-401.md): the solution. Its twin,
// tokens_retry_ex11.go, is the student's starting file, built with -tags ex11.

import (
	"context"
	"errors"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/photosapi"
)

// withToken calls Photos through fn with the user's access token. A 401 from Photos (RFC 6750
// §3.1, invalid_token: expired early, or revoked) gets one refresh (RFC 6749 §6) and one retry;
// a second 401 asks the user to reconnect, since a loop would hammer Accounts for nothing. fn
// must make its calls with the context it is given, so they are recorded for /flow.
func (k *tokenKeeper) withToken(ctx context.Context, username string, fn func(ctx context.Context, token string) error) error {
	token, err := k.accessToken(ctx, username)
	if err != nil {
		return err
	}
	call := flow.WithStep(ctx, username, "photos", "A Photos API call with the access token", flow.Photos)
	err = fn(call, token)
	if !errors.Is(err, photosapi.ErrUnauthorized) {
		return photosError(err)
	}
	if token, err = k.refreshAfterUnauthorized(ctx, username, token); err != nil {
		return err
	}
	err = fn(call, token)
	if errors.Is(err, photosapi.ErrUnauthorized) {
		return errPhotosRefusesFreshToken(err)
	}
	return photosError(err)
}

// refreshAfterUnauthorized refreshes once after Photos refused the token stale, unless another
// request has already replaced it meanwhile. It holds the user's lock: Accounts rotates refresh
// tokens and revokes the whole grant when one is presented twice (RFC 9700 §4.14.2), so two
// requests refused at once must make one refresh, not two.
func (k *tokenKeeper) refreshAfterUnauthorized(ctx context.Context, username, stale string) (string, error) {
	mu := k.lock(username)
	mu.Lock()
	defer mu.Unlock()
	conn, err := k.connection(ctx, username)
	if err != nil {
		return "", err
	}
	if conn.AccessToken != stale {
		return conn.AccessToken, nil
	}
	return k.refreshLocked(ctx, conn)
}
