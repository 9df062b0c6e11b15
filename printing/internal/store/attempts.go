package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Attempt is one "Connect your Photos" attempt: what PrintShop must remember between sending
// the browser to Accounts and the browser coming back to /callback.
type Attempt struct {
	SessionKey int64
	Username   string
	Verifier   string // the PKCE code_verifier; only its S256 hash went through the browser
	Scope      []string
	CreatedAt  time.Time
	// ReturnTo names the page the browser goes to after connecting: "" (the gallery) or "flow".
	ReturnTo string
}

// SaveAttempt stores an attempt under the hash of its state.
func (s *Store) SaveAttempt(ctx context.Context, stateHash []byte, a Attempt) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO authorization_attempts (state_hash, session_key, username, verifier, scope, created_at, return_to)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		stateHash, a.SessionKey, a.Username, a.Verifier, strings.Join(a.Scope, " "), a.CreatedAt.Unix(), a.ReturnTo)
	return err
}

// TakeAttempt returns the attempt whose state hashes to stateHash and deletes it in the same
// transaction, so a state can be used once. It reports ErrNotFound for an unknown or used state.
func (s *Store) TakeAttempt(ctx context.Context, stateHash []byte) (Attempt, error) {
	var a Attempt
	var scope string
	var created int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			DELETE FROM authorization_attempts WHERE state_hash = ?
			RETURNING session_key, username, verifier, scope, created_at, return_to`, stateHash).
			Scan(&a.SessionKey, &a.Username, &a.Verifier, &scope, &created, &a.ReturnTo)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	a.Scope, a.CreatedAt = strings.Fields(scope), time.Unix(created, 0)
	return a, err
}
