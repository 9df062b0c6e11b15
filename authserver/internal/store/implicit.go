package store

import (
	"context"
	"database/sql"
)

// IssueImplicitToken answers a pending implicit request (RFC 6749 §4.2, response_type=token)
// with an access token, in one transaction: it deletes the request (so it can be answered only
// once), records the grant and the access token, and, when consent is non-nil, remembers the
// user's consent. The token gets a row like any other user's token, so introspection, /revoke
// and the Revoke button on /account work on it. There is no code and no refresh token: RFC 6749
// §4.2.2 says the server "MUST NOT issue a refresh token".
func (s *Store) IssueImplicitToken(ctx context.Context, requestIDHash []byte, g Grant, at AccessToken, consent []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM authorization_requests WHERE id_hash = ?`, requestIDHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		id, err := insertGrant(ctx, tx, g)
		if err != nil {
			return err
		}
		if err := issueTokens(ctx, tx, id, at, nil, g.CreatedAt); err != nil {
			return err
		}
		if consent == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO consents (username, client_id, scope, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (username, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at`,
			g.Username, g.ClientID, joinScope(consent), g.CreatedAt.Unix())
		return err
	})
}
