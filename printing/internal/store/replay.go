package store

import (
	"context"
	"database/sql"
	"errors"
)

// UsedCode is the last authorization code PrintShop redeemed for a user, with the PKCE verifier
// it was redeemed with. RFC 6749 §4.1.2 makes a code single use, so it is worth nothing now;
// the walkthrough's "Replay the code" experiment presents it again to show Accounts refusing it.
type UsedCode struct {
	Code     string
	Verifier string
}

// SaveUsedCode remembers the code PrintShop just redeemed for a user, replacing the one before.
func (s *Store) SaveUsedCode(ctx context.Context, username, code, verifier string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO used_codes (username, code, verifier) VALUES (?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET code = excluded.code, verifier = excluded.verifier`,
		username, code, verifier)
	return err
}

// UsedCode returns the last code PrintShop redeemed for a user, or ErrNotFound.
func (s *Store) UsedCode(ctx context.Context, username string) (UsedCode, error) {
	var u UsedCode
	err := s.db.QueryRowContext(ctx, `SELECT code, verifier FROM used_codes WHERE username = ?`, username).
		Scan(&u.Code, &u.Verifier)
	if errors.Is(err, sql.ErrNoRows) {
		return UsedCode{}, ErrNotFound
	}
	return u, err
}
