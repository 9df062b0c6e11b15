package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// AuthorizationRequest is a validated /authorize request (RFC 6749 §4.1.1) that waits for the
// user to sign in and consent. It belongs to the browser session that made it.
type AuthorizationRequest struct {
	SessionKey    int64
	ClientID      string
	ResponseType  string // "code", or "token" for the implicit exhibit (RFC 6749 §4.2)
	RedirectURI   string
	Scope         []string
	State         string
	CodeChallenge string
	Nonce         string
	Prompt        string
	MaxAge        int  // seconds since sign-in that are acceptable; -1 when not asked
	LoggedIn      bool // the user signed in after this request was made, as prompt=login demands
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// SaveAuthorizationRequest stores a pending request under the hash of its id.
func (s *Store) SaveAuthorizationRequest(ctx context.Context, idHash []byte, r AuthorizationRequest) error {
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO authorization_requests (id_hash, session_key, client_id, response_type, redirect_uri, scope, state,
			code_challenge, nonce, prompt, max_age, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		idHash, r.SessionKey, r.ClientID, r.ResponseType, r.RedirectURI, joinScope(r.Scope), r.State,
		r.CodeChallenge, r.Nonce, r.Prompt, r.MaxAge, r.CreatedAt.Unix(), r.ExpiresAt.Unix())
	return err
}

// AuthorizationRequest returns the unexpired pending request with the given id hash that
// belongs to the session, or ErrNotFound.
func (s *Store) AuthorizationRequest(ctx context.Context, idHash []byte, sessionKey int64, now time.Time) (AuthorizationRequest, error) {
	var r AuthorizationRequest
	var scope string
	var created, expires int64
	err := s.q.QueryRowContext(ctx, `
		SELECT session_key, client_id, response_type, redirect_uri, scope, state, code_challenge, nonce, prompt, max_age, logged_in, created_at, expires_at
		FROM authorization_requests WHERE id_hash = ? AND session_key = ? AND expires_at > ?`,
		idHash, sessionKey, now.Unix()).
		Scan(&r.SessionKey, &r.ClientID, &r.ResponseType, &r.RedirectURI, &scope, &r.State, &r.CodeChallenge,
			&r.Nonce, &r.Prompt, &r.MaxAge, &r.LoggedIn, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return AuthorizationRequest{}, ErrNotFound
	}
	r.Scope, r.CreatedAt, r.ExpiresAt = splitScope(scope), time.Unix(created, 0), time.Unix(expires, 0)
	return r, err
}

// DeleteAuthorizationRequest removes a pending request once it has been answered. It reports
// ErrNotFound if the request was already answered, so a double submit cannot issue two codes.
func (s *Store) DeleteAuthorizationRequest(ctx context.Context, idHash []byte) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM authorization_requests WHERE id_hash = ?`, idHash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MarkRequestLoggedIn records that the user signed in for this pending request.
func (s *Store) MarkRequestLoggedIn(ctx context.Context, idHash []byte, sessionKey int64) error {
	_, err := s.q.ExecContext(ctx, `UPDATE authorization_requests SET logged_in = 1 WHERE id_hash = ? AND session_key = ?`,
		idHash, sessionKey)
	return err
}
