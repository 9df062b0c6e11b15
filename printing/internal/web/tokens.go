package web

// Keeping a user's tokens: refreshing the access token before it expires (RFC 6749 §6), one
// refresh at a time per user, saving the rotated refresh token with the new access token, and
// knowing when Accounts has stopped honouring them (RFC 9700 §4.14.2).

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

// refreshAhead is how long before expiry PrintShop refreshes, so that a token never expires on
// the way to Photos. For short-lived tokens it is a quarter of their lifetime instead, so that a
// token is not refreshed on every use.
const refreshAhead = 60 * time.Second

// refreshDue reports whether the access token should be refreshed before it is used.
func refreshDue(conn store.Connection, now time.Time) bool {
	received := conn.ConnectedAt
	if conn.RefreshedAt.After(received) {
		received = conn.RefreshedAt
	}
	ahead := min(refreshAhead, conn.ExpiresAt.Sub(received)/4)
	return !now.Add(ahead).Before(conn.ExpiresAt)
}

// tokenKeeper hands out a user's access token, refreshing it when needed.
type tokenKeeper struct {
	store *store.Store
	oauth *oauth.Client
	now   func() time.Time
	locks sync.Map // username → *sync.Mutex
}

// lock returns the user's mutex. Refreshes for one user are serialized: Accounts rotates
// refresh tokens and treats a second use of one as theft (RFC 9700 §4.14.2), so two tabs must
// never present the same refresh token.
func (k *tokenKeeper) lock(username string) *sync.Mutex {
	mu, _ := k.locks.LoadOrStore(username, &sync.Mutex{})
	return mu.(*sync.Mutex)
}

// accessToken returns a usable access token for the user, refreshing it first when refreshDue
// says so.
func (k *tokenKeeper) accessToken(ctx context.Context, username string) (string, error) {
	mu := k.lock(username)
	mu.Lock()
	defer mu.Unlock()
	conn, err := k.connection(ctx, username)
	if err != nil {
		return "", err
	}
	if !refreshDue(conn, k.now()) {
		return conn.AccessToken, nil
	}
	return k.refreshLocked(ctx, conn)
}

// connection loads the user's tokens, read again under the lock: another request may just
// have rotated them.
func (k *tokenKeeper) connection(ctx context.Context, username string) (store.Connection, error) {
	conn, err := k.store.Connection(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return store.Connection{}, errNotConnected()
	}
	if err != nil {
		return store.Connection{}, err
	}
	if !conn.Connected() {
		return store.Connection{}, errConnectionLost(conn.LostReason)
	}
	return conn, nil
}

// refreshLocked runs the refresh grant and saves the answer. The new access token and the
// rotated refresh token are saved in one statement: losing the new refresh token would leave
// only the old, now dead, one.
func (k *tokenKeeper) refreshLocked(ctx context.Context, conn store.Connection) (string, error) {
	ctx = flow.WithStep(ctx, conn.Username, "refresh", "Refresh: the refresh token for a new access token and a new refresh token", flow.Accounts)
	tok, err := k.oauth.Refresh(ctx, conn.RefreshToken)
	if errors.Is(err, oauth.ErrInvalidGrant) {
		reason := "Accounts no longer accepts PrintShop's refresh token (" + err.Error() + "). The grant was revoked, or it expired."
		if merr := k.store.MarkLost(ctx, conn.Username, reason); merr != nil {
			return "", merr
		}
		return "", errConnectionLost(reason)
	}
	if err != nil {
		return "", accountsDown(err)
	}
	now := k.now()
	next := store.Connection{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		ExpiresAt:    expiry(tok.ExpiresIn, tok.Expiry, now),
		Scope:        oauth.GrantedScope(tok, conn.Scope),
	}
	if next.RefreshToken == "" {
		next.RefreshToken = conn.RefreshToken // RFC 6749 §6: the server MAY keep the old one
	}
	if err := k.store.SaveRefresh(ctx, conn.Username, conn.RefreshToken, next, now); err != nil {
		if errors.Is(err, store.ErrStale) {
			return "", errNotConnected() // disconnected while the refresh ran
		}
		return "", err
	}
	return next.AccessToken, nil
}

// expiry turns expires_in into a time on PrintShop's own clock.
func expiry(expiresIn int64, fallback, now time.Time) time.Time {
	if expiresIn > 0 {
		return now.Add(time.Duration(expiresIn) * time.Second)
	}
	if !fallback.IsZero() {
		return fallback
	}
	return now.Add(time.Hour)
}

func errNotConnected() *pageError {
	return &pageError{Status: http.StatusConflict, Title: "Your Photos are not connected",
		Message: "PrintShop has no valet key for your Photos yet. Connect them first: you will sign in at Accounts, not here.", Connect: true}
}

func errConnectionLost(reason string) *pageError {
	return &pageError{Status: http.StatusConflict, Title: "PrintShop lost access to your Photos",
		Message: reason + " Connect your Photos again to carry on.", Connect: true}
}

// accountsDown explains that Accounts could not be reached or failed.
func accountsDown(err error) *pageError {
	return &pageError{Status: http.StatusServiceUnavailable, Title: "Accounts is not answering",
		Message: "PrintShop could not talk to Accounts, the authorization server (" + err.Error() + "). Nothing was changed. Try again in a moment."}
}

// photosError explains a failed call to Photos.
func photosError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, photosapi.ErrUnavailable):
		return &pageError{Status: http.StatusServiceUnavailable, Title: "Photos is not answering",
			Message: "PrintShop could not reach Photos, the resource server (" + err.Error() + "). Try again in a moment."}
	case errors.Is(err, photosapi.ErrForbidden):
		return &pageError{Status: http.StatusForbidden, Title: "The valet key does not open this",
			Message: "Photos says PrintShop's token lacks the scope for this (" + err.Error() + ")."}
	case errors.Is(err, photosapi.ErrNotFound):
		return &pageError{Status: http.StatusNotFound, Title: "No such photo",
			Message: "Photos has no such photo in your library. It may have been deleted."}
	}
	return err
}

// errPhotosRefusesFreshToken is the page for a second 401: Photos refused even the token fresh
// from a refresh, so only a new authorization can help.
func errPhotosRefusesFreshToken(err error) *pageError {
	return &pageError{Status: http.StatusUnauthorized, Title: "Photos no longer accepts PrintShop's key",
		Message: "Photos refused the access token even after PrintShop got a fresh one from Accounts (" + err.Error() +
			"). Connect your Photos again.", Connect: true}
}
