package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ConnectedApp is a client a user has let in, as listed on /account.
type ConnectedApp struct {
	ClientID   string
	ClientName string
	Scope      []string
	GrantedAt  time.Time
}

// Consent returns the scopes a user has agreed to give a client, or nil if none.
func (s *Store) Consent(ctx context.Context, username, clientID string) ([]string, error) {
	var scope string
	err := s.q.QueryRowContext(ctx, `SELECT scope FROM consents WHERE username = ? AND client_id = ?`,
		username, clientID).Scan(&scope)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return splitScope(scope), err
}

// ConnectedApps lists the clients a user has consented to, newest first.
func (s *Store) ConnectedApps(ctx context.Context, username string) ([]ConnectedApp, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT c.id, c.name, k.scope, k.granted_at FROM consents k JOIN clients c ON c.id = k.client_id
		WHERE k.username = ? ORDER BY k.granted_at DESC, c.name`, username)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var apps []ConnectedApp
	for rows.Next() {
		var a ConnectedApp
		var scope string
		var granted int64
		if err := rows.Scan(&a.ClientID, &a.ClientName, &scope, &granted); err != nil {
			return nil, err
		}
		a.Scope, a.GrantedAt = splitScope(scope), time.Unix(granted, 0)
		apps = append(apps, a)
	}
	return apps, rows.Err()
}

// Disconnect ends everything a user gave a client: the remembered consent, and every grant with
// its refresh tokens and access tokens. It reports ErrNotFound if there was nothing to end.
func (s *Store) Disconnect(ctx context.Context, username, clientID string, now time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE username = ? AND client_id = ?`, username, clientID)
		if err != nil {
			return err
		}
		deleted, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `
			UPDATE grants SET revoked_at = ? WHERE username = ? AND client_id = ? AND revoked_at IS NULL`,
			now.Unix(), username, clientID)
		if err != nil {
			return err
		}
		revoked, _ := res.RowsAffected()
		if deleted == 0 && revoked == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ForgetConsent forgets what a user allowed a client, so that the next request asks again.
func (s *Store) ForgetConsent(ctx context.Context, username, clientID string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM consents WHERE username = ? AND client_id = ?`, username, clientID)
	return err
}
