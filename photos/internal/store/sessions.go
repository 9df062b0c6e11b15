package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"
)

// Hash is how session ids and states are stored: their SHA-256. They carry 256 random bits, so
// a fast hash is enough.
func Hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// Session is a browser session of Photos' web app.
type Session struct {
	Key       int64
	CSRFToken string
	Username  string // "" until the user signs in
	Name      string
	IDToken   string // the ID token of the sign-in, as Accounts issued it
}

// LoginRequest is a sign-in in progress: what /callback needs to check Accounts' answer.
type LoginRequest struct {
	Nonce        string
	CodeVerifier string
}

// CreateSession starts an anonymous session.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, csrfToken string, expiresAt time.Time) (Session, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO web_sessions (id_hash, csrf_token, expires_at) VALUES (?, ?, ?)`,
		idHash, csrfToken, expiresAt.Unix())
	if err != nil {
		return Session{}, err
	}
	key, err := res.LastInsertId()
	return Session{Key: key, CSRFToken: csrfToken}, err
}

// Session returns the live session with this id hash, or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash []byte, now time.Time) (Session, error) {
	var sess Session
	var username sql.NullString
	err := s.q.QueryRowContext(ctx, `
		SELECT key, csrf_token, username, name, id_token FROM web_sessions
		WHERE id_hash = ? AND expires_at > ?`, idHash, now.Unix()).
		Scan(&sess.Key, &sess.CSRFToken, &username, &sess.Name, &sess.IDToken)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	sess.Username = username.String
	return sess, err
}

// SignIn records who signed in, under a new session id and CSRF token, so that an id planted
// before sign-in does not become a signed-in session (session fixation).
func (s *Store) SignIn(ctx context.Context, key int64, newIDHash []byte, csrfToken, username, name, idToken string, expiresAt time.Time) error {
	res, err := s.q.ExecContext(ctx, `
		UPDATE web_sessions SET id_hash = ?, csrf_token = ?, username = ?, name = ?, id_token = ?, expires_at = ?
		WHERE key = ?`, newIDHash, csrfToken, username, name, idToken, expiresAt.Unix(), key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSession ends a session, and any sign-in it had started.
func (s *Store) DeleteSession(ctx context.Context, key int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM web_sessions WHERE key = ?`, key)
	return err
}

// SaveLoginRequest remembers a sign-in started by the session, under its state's hash.
func (s *Store) SaveLoginRequest(ctx context.Context, stateHash []byte, sessionKey int64, req LoginRequest, expiresAt time.Time) error {
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO login_requests (state_hash, session_key, nonce, code_verifier, expires_at) VALUES (?, ?, ?, ?, ?)`,
		stateHash, sessionKey, req.Nonce, req.CodeVerifier, expiresAt.Unix())
	return err
}

// TakeLoginRequest returns the sign-in with this state started by this session, and deletes it
// in the same statement: a state can be taken once. A state that is unknown, expired, already
// taken or started by another session is ErrNotFound.
func (s *Store) TakeLoginRequest(ctx context.Context, stateHash []byte, sessionKey int64, now time.Time) (LoginRequest, error) {
	var req LoginRequest
	err := s.q.QueryRowContext(ctx, `
		DELETE FROM login_requests WHERE state_hash = ? AND session_key = ? AND expires_at > ?
		RETURNING nonce, code_verifier`, stateHash, sessionKey, now.Unix()).Scan(&req.Nonce, &req.CodeVerifier)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginRequest{}, ErrNotFound
	}
	return req, err
}

// DeleteExpiredSessions removes sessions and sign-ins that can never be used again.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM login_requests WHERE expires_at <= ?`,
			`DELETE FROM web_sessions WHERE expires_at <= ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, now.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}
