package store

import (
	"context"
	"database/sql"
	"time"
)

// SigningKey is one private signing key, as a JWK in JSON.
type SigningKey struct {
	KID        string
	Alg        string
	PrivateJWK string
	CreatedAt  time.Time
	RetiredAt  time.Time // zero while it is the key that signs
}

// AddSigningKey stores a new key and retires the other keys of its algorithm as of now: from
// now on the new key signs, and the old ones are only published for verification.
func (s *Store) AddSigningKey(ctx context.Context, k SigningKey, now time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		if _, err := tx.ExecContext(ctx,
			`UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND alg = ?`, now.Unix(), k.Alg); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)`,
			k.KID, k.Alg, k.PrivateJWK, now.Unix())
		return err
	})
}

// SigningKeys returns the keys retired after retiredAfter, and the current one, newest first.
func (s *Store) SigningKeys(ctx context.Context, retiredAfter time.Time) ([]SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT kid, alg, private_jwk, created_at, retired_at FROM signing_keys
		WHERE retired_at IS NULL OR retired_at > ?
		ORDER BY created_at DESC, rowid DESC`, retiredAfter.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []SigningKey
	for rows.Next() {
		var k SigningKey
		var created int64
		var retired sql.NullInt64
		if err := rows.Scan(&k.KID, &k.Alg, &k.PrivateJWK, &created, &retired); err != nil {
			return nil, err
		}
		k.CreatedAt, k.RetiredAt = time.Unix(created, 0), unix(retired)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
