package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ErrRevoked is returned when the grant behind a credential has been revoked.
var ErrRevoked = errors.New("store: grant revoked")

// Grant is one authorization: what a user let a client do. Every code and token issued for it
// points here, so revoking it revokes them all. A client_credentials token has a Grant only in
// memory, with no ID and no Username: the client acts for itself.
type Grant struct {
	ID        int64
	ClientID  string
	Username  string
	Scope     []string
	AuthTime  time.Time
	Nonce     string
	CreatedAt time.Time
	RevokedAt time.Time
}

// Code is a stored authorization code (RFC 6749 §4.1.2), bound to what it may be redeemed for.
type Code struct {
	GrantID       int64
	RedirectURI   string
	CodeChallenge string
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until redeemed
}

// AccessToken is what is remembered of an issued JWT access token.
type AccessToken struct {
	JTI       string
	ExpiresAt time.Time
}

// RefreshToken is a stored refresh token (RFC 6749 §1.5), kept only as a hash.
type RefreshToken struct {
	Hash      []byte
	ExpiresAt time.Time
	RotatedAt time.Time // zero until exchanged; presenting it again is reuse
	// JKT is the thumbprint of the DPoP key the token is bound to (RFC 9449 §5), or "".
	JKT string
}

// IssueCode answers a pending authorization request with a code: in one transaction it deletes
// the request (so it can be answered only once), records the grant and the code, and, when
// consent is non-nil, remembers the user's consent.
func (s *Store) IssueCode(ctx context.Context, requestIDHash []byte, g Grant, codeHash []byte, c Code, consent []string) error {
	return s.inTx(ctx, func(tx txn) error {
		id, err := answerRequest(ctx, tx, requestIDHash, g, consent)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO authorization_codes (code_hash, grant_id, redirect_uri, code_challenge, expires_at)
			VALUES (?, ?, ?, ?, ?)`, codeHash, id, c.RedirectURI, c.CodeChallenge, c.ExpiresAt.Unix())
		return err
	})
}

// answerRequest is what every answer to a pending authorization request does first: delete the
// request (ErrNotFound if it was answered already), record the grant, and remember the consent
// when it is non-nil. It returns the grant's id.
func answerRequest(ctx context.Context, tx txn, requestIDHash []byte, g Grant, consent []string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM authorization_requests WHERE id_hash = ?`, requestIDHash)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, ErrNotFound
	}
	id, err := insertGrant(ctx, tx, g)
	if err != nil || consent == nil {
		return id, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO consents (username, client_id, scope, granted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (username, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at`,
		g.Username, g.ClientID, joinScope(consent), g.CreatedAt.Unix())
	return id, err
}

func insertGrant(ctx context.Context, tx txn, g Grant) (int64, error) {
	var authTime sql.NullInt64
	if !g.AuthTime.IsZero() {
		authTime = sql.NullInt64{Int64: g.AuthTime.Unix(), Valid: true}
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO grants (client_id, username, scope, auth_time, nonce, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		g.ClientID, g.Username, joinScope(g.Scope),
		authTime, g.Nonce, g.CreatedAt.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Code returns an authorization code with its grant, without using it up; UseCode does that.
// UsedAt is set if the code was redeemed before.
func (s *Store) Code(ctx context.Context, codeHash []byte) (Code, Grant, error) {
	var c Code
	var g Grant
	var scope string
	var expires, created int64
	var used, authTime, revoked sql.NullInt64
	err := s.q.QueryRowContext(ctx, `
		SELECT c.redirect_uri, c.code_challenge, c.expires_at, c.used_at,
			g.id, g.client_id, g.username, g.scope, g.auth_time, g.nonce, g.created_at, g.revoked_at
		FROM authorization_codes c JOIN grants g ON g.id = c.grant_id WHERE c.code_hash = ?`, codeHash).
		Scan(&c.RedirectURI, &c.CodeChallenge, &expires, &used,
			&g.ID, &g.ClientID, &g.Username, &scope, &authTime, &g.Nonce, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Code{}, Grant{}, ErrNotFound
	}
	if err != nil {
		return Code{}, Grant{}, err
	}
	c.GrantID, c.ExpiresAt, c.UsedAt = g.ID, time.Unix(expires, 0), unix(used)
	g.Scope, g.AuthTime, g.CreatedAt, g.RevokedAt = splitScope(scope), unix(authTime), time.Unix(created, 0), unix(revoked)
	return c, g, nil
}

// UseCode marks an authorization code used, atomically, and reports whether this call was its
// first use: of two requests presenting one code, exactly one gets first == true. It reports
// ErrNotFound for an unknown code. It decides nothing: refusing a reuse and revoking the grant
// is the caller's decision (RFC 6749 §4.1.2).
func (s *Store) UseCode(ctx context.Context, codeHash []byte, now time.Time) (first bool, err error) {
	err = s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL`,
			now.Unix(), codeHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			first = true
			return nil
		}
		var exists int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM authorization_codes WHERE code_hash = ?`, codeHash).Scan(&exists)
		if err == nil && exists == 0 {
			return ErrNotFound
		}
		return err
	})
	return first, err
}

// IssueTokens records the tokens issued for a grant: an access token, and a refresh token if
// refresh is non-nil. It returns ErrRevoked if the grant was revoked meanwhile.
func (s *Store) IssueTokens(ctx context.Context, grantID int64, at AccessToken, refresh *RefreshToken, now time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		return issueTokens(ctx, tx, grantID, at, refresh, now)
	})
}

func issueTokens(ctx context.Context, tx txn, grantID int64, at AccessToken, refresh *RefreshToken, now time.Time) error {
	var revoked sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM grants WHERE id = ?`, grantID).Scan(&revoked); err != nil {
		return err
	}
	if revoked.Valid {
		return ErrRevoked
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO access_tokens (jti, grant_id, expires_at) VALUES (?, ?, ?)`,
		at.JTI, grantID, at.ExpiresAt.Unix()); err != nil {
		return err
	}
	if refresh == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at, jkt) VALUES (?, ?, ?, ?, ?)`,
		refresh.Hash, grantID, now.Unix(), refresh.ExpiresAt.Unix(), refresh.JKT)
	return err
}

// PresentedRefreshToken returns a refresh token with its grant, whatever its state: rotated,
// expired, or revoked through its grant. ErrNotFound means no such token was ever issued. The
// web layer decides what a presented token may do (checkRefreshToken).
func (s *Store) PresentedRefreshToken(ctx context.Context, hash []byte) (RefreshToken, Grant, error) {
	var grantID, expires int64
	var rotated sql.NullInt64
	var jkt string
	err := s.q.QueryRowContext(ctx, `
		SELECT grant_id, expires_at, rotated_at, jkt FROM refresh_tokens WHERE token_hash = ?`, hash).
		Scan(&grantID, &expires, &rotated, &jkt)
	if errors.Is(err, sql.ErrNoRows) {
		return RefreshToken{}, Grant{}, ErrNotFound
	}
	if err != nil {
		return RefreshToken{}, Grant{}, err
	}
	g, err := grantByID(ctx, s.q, grantID)
	if err != nil {
		return RefreshToken{}, Grant{}, err
	}
	return RefreshToken{Hash: hash, ExpiresAt: time.Unix(expires, 0), RotatedAt: unix(rotated), JKT: jkt}, g, nil
}

// RotateRefreshToken marks a refresh token rotated (RFC 6749 §6, RFC 9700 §4.14.2), atomically,
// and reports whether this call rotated it first: of two requests presenting one token, exactly
// one gets first == true. It decides nothing: treating a second rotation as reuse, and revoking
// the grant for it, is the caller's decision.
func (s *Store) RotateRefreshToken(ctx context.Context, hash []byte, now time.Time) (first bool, err error) {
	res, err := s.q.ExecContext(ctx, `UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL`,
		now.Unix(), hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AccessTokenStatus reports what the store knows of an access token: whether it has a row, and
// whether it (or its grant) is revoked. Introspection (RFC 7662) uses it: this is the check that
// a resource server validating JWTs on its own cannot make.
func (s *Store) AccessTokenStatus(ctx context.Context, jti string) (found, revoked bool, err error) {
	err = s.q.QueryRowContext(ctx, `
		SELECT a.revoked_at IS NOT NULL OR IFNULL(g.revoked_at IS NOT NULL, 0)
		FROM access_tokens a LEFT JOIN grants g ON g.id = a.grant_id WHERE a.jti = ?`, jti).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	return err == nil, revoked, err
}

// RevokeAccessToken revokes one access token by its jti (RFC 7009 §2.1). A client_credentials
// token has no row until now; one is made so the revocation is remembered until it expires.
func (s *Store) RevokeAccessToken(ctx context.Context, jti string, expiresAt, now time.Time) error {
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO access_tokens (jti, expires_at, revoked_at) VALUES (?, ?, ?)
		ON CONFLICT (jti) DO UPDATE SET revoked_at = excluded.revoked_at WHERE revoked_at IS NULL`,
		jti, expiresAt.Unix(), now.Unix())
	return err
}

// RevokeGrant revokes a grant and with it every code and token issued for it.
func (s *Store) RevokeGrant(ctx context.Context, grantID int64, now time.Time) error {
	return s.inTx(ctx, func(tx txn) error { return revokeGrant(ctx, tx, grantID, now) })
}

func revokeGrant(ctx context.Context, tx txn, grantID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now.Unix(), grantID)
	return err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func grantByID(ctx context.Context, q queryer, id int64) (Grant, error) {
	var g Grant
	var scope string
	var authTime, revoked sql.NullInt64
	var created int64
	err := q.QueryRowContext(ctx, `
		SELECT id, client_id, username, scope, auth_time, nonce, created_at, revoked_at FROM grants WHERE id = ?`, id).
		Scan(&g.ID, &g.ClientID, &g.Username, &scope, &authTime, &g.Nonce, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, ErrNotFound
	}
	g.Scope, g.AuthTime = splitScope(scope), unix(authTime)
	g.CreatedAt, g.RevokedAt = time.Unix(created, 0), unix(revoked)
	return g, err
}
