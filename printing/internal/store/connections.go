package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Connection is what PrintShop holds for a user at Photos: the access token, the refresh
// token, and what they open. LostReason is set once Accounts stopped honouring them.
type Connection struct {
	Username     string
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	Scope        []string
	ConnectedAt  time.Time
	RefreshedAt  time.Time
	LostReason   string
	// DPoPKey is the private JWK the tokens are bound to (RFC 9449), or "" for bearer tokens.
	// It is kept with them, so that a restart keeps them usable.
	DPoPKey string
}

// Connected reports whether the tokens are usable (not lost).
func (c Connection) Connected() bool { return c.LostReason == "" }

// SaveConnection stores a user's new tokens after a successful authorization.
func (s *Store) SaveConnection(ctx context.Context, c Connection) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO connections (username, access_token, refresh_token, expires_at, scope, connected_at, lost_reason, dpop_key)
		VALUES (?, ?, ?, ?, ?, ?, '', ?)
		ON CONFLICT (username) DO UPDATE SET access_token = excluded.access_token,
			refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, scope = excluded.scope,
			connected_at = excluded.connected_at, refreshed_at = NULL, lost_reason = '', dpop_key = excluded.dpop_key`,
		c.Username, c.AccessToken, c.RefreshToken, c.ExpiresAt.Unix(), strings.Join(c.Scope, " "), c.ConnectedAt.Unix(), c.DPoPKey)
	return err
}

// Connection returns a user's connection, or ErrNotFound if they never connected or
// disconnected.
func (s *Store) Connection(ctx context.Context, username string) (Connection, error) {
	var c Connection
	var scope string
	var expires, connected int64
	var refreshed sql.NullInt64
	err := s.db.QueryRowContext(ctx, `
		SELECT username, access_token, refresh_token, expires_at, scope, connected_at, refreshed_at, lost_reason, dpop_key
		FROM connections WHERE username = ?`, username).
		Scan(&c.Username, &c.AccessToken, &c.RefreshToken, &expires, &scope, &connected, &refreshed, &c.LostReason, &c.DPoPKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, ErrNotFound
	}
	c.Scope, c.ExpiresAt, c.ConnectedAt = strings.Fields(scope), time.Unix(expires, 0), time.Unix(connected, 0)
	if refreshed.Valid {
		c.RefreshedAt = time.Unix(refreshed.Int64, 0)
	}
	return c, err
}

// ErrStale is returned when a refresh result is saved over tokens that changed meanwhile.
var ErrStale = errors.New("store: the tokens changed meanwhile")

// SaveRefresh replaces a user's tokens after a refresh, in one statement, only if the refresh
// token is still the one that was presented: the rotated refresh token and the new access token
// are saved together or not at all.
func (s *Store) SaveRefresh(ctx context.Context, username, presented string, c Connection, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE connections SET access_token = ?, refresh_token = ?, expires_at = ?, scope = ?, refreshed_at = ?
		WHERE username = ? AND refresh_token = ? AND lost_reason = ''`,
		c.AccessToken, c.RefreshToken, c.ExpiresAt.Unix(), strings.Join(c.Scope, " "), now.Unix(), username, presented)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	return nil
}

// MarkLost records that Accounts no longer honours a user's tokens: the user must reconnect.
func (s *Store) MarkLost(ctx context.Context, username, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE connections SET lost_reason = ? WHERE username = ?`, reason, username)
	return err
}

// DeleteConnection forgets a user's tokens and the thumbnails fetched with them.
func (s *Store) DeleteConnection(ctx context.Context, username string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM connections WHERE username = ?`, username); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM thumbnails WHERE username = ?`, username)
		return err
	})
}

// Thumbnail returns a cached thumbnail, or ErrNotFound.
func (s *Store) Thumbnail(ctx context.Context, username, photoID string) ([]byte, error) {
	var jpeg []byte
	err := s.db.QueryRowContext(ctx, `SELECT jpeg FROM thumbnails WHERE username = ? AND photo_id = ?`, username, photoID).Scan(&jpeg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return jpeg, err
}

// SaveThumbnail caches a thumbnail.
func (s *Store) SaveThumbnail(ctx context.Context, username, photoID string, jpeg []byte, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO thumbnails (username, photo_id, jpeg, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (username, photo_id) DO UPDATE SET jpeg = excluded.jpeg, created_at = excluded.created_at`,
		username, photoID, jpeg, now.Unix())
	return err
}
