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

// TakeAttempt finds the attempt whose state hashes to stateHash and marks it taken, in one
// transaction. first reports whether this call took it first: of two callbacks with one state,
// exactly one gets first == true. It reports ErrNotFound for a state PrintShop never issued (or
// one whose attempt expired or whose session ended). Whether a second take is refused is the
// web layer's decision (checkCallback).
func (s *Store) TakeAttempt(ctx context.Context, stateHash []byte, now time.Time) (a Attempt, first bool, err error) {
	var scope string
	var created int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT session_key, username, verifier, scope, created_at, return_to FROM authorization_attempts WHERE state_hash = ?`,
			stateHash).Scan(&a.SessionKey, &a.Username, &a.Verifier, &scope, &created, &a.ReturnTo)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE authorization_attempts SET taken_at = ? WHERE state_hash = ? AND taken_at IS NULL`,
			now.Unix(), stateHash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	a.Scope, a.CreatedAt = strings.Fields(scope), time.Unix(created, 0)
	return a, first, err
}
