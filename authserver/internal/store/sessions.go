package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Session is one browser's session at Accounts. Username is empty until the user signs in.
type Session struct {
	Key       int64 // stable for the life of the session, while the cookie id changes
	CSRFToken string
	Username  string
	AuthTime  time.Time
	ExpiresAt time.Time
}

// CreateSession stores a new anonymous session under the hash of its cookie id.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, csrfToken string, expiresAt time.Time) (Session, error) {
	res, err := s.q.ExecContext(ctx,
		`INSERT INTO sessions (id_hash, csrf_token, expires_at) VALUES (?, ?, ?)`,
		idHash, csrfToken, expiresAt.Unix())
	if err != nil {
		return Session{}, err
	}
	key, err := res.LastInsertId()
	return Session{Key: key, CSRFToken: csrfToken, ExpiresAt: expiresAt}, err
}

// Session returns the unexpired session whose cookie id hashes to idHash, or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash []byte, now time.Time) (Session, error) {
	var sess Session
	var user sql.NullString
	var authTime sql.NullInt64
	var expires int64
	err := s.q.QueryRowContext(ctx, `
		SELECT key, csrf_token, username, auth_time, expires_at FROM sessions
		WHERE id_hash = ? AND expires_at > ?`, idHash, now.Unix()).
		Scan(&sess.Key, &sess.CSRFToken, &user, &authTime, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	sess.Username, sess.AuthTime, sess.ExpiresAt = user.String, unix(authTime), time.Unix(expires, 0)
	return sess, err
}

// SignIn records a successful login on the session and gives it a new cookie id and CSRF token,
// so an id planted before login (session fixation) is worthless after it.
func (s *Store) SignIn(ctx context.Context, key int64, newIDHash []byte, newCSRF, username string, authTime, expiresAt time.Time) error {
	res, err := s.q.ExecContext(ctx, `
		UPDATE sessions SET id_hash = ?, csrf_token = ?, username = ?, auth_time = ?, expires_at = ?
		WHERE key = ?`, newIDHash, newCSRF, username, authTime.Unix(), expiresAt.Unix(), key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSession ends a session (logout), along with its pending authorization requests.
func (s *Store) DeleteSession(ctx context.Context, key int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE key = ?`, key)
	return err
}
