package store

// The device authorization grant (RFC 8628). The store offers atomic primitives only; the web
// layer decides what a poll answers (pending, slow_down, denied, expired) and whether a device
// code may still give tokens.

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// DeviceCode is a device authorization request (RFC 8628 §3.1, §3.2) and what became of it.
type DeviceCode struct {
	Hash       []byte // SHA-256 of the device_code
	UserCode   string // normalized: 8 upper-case characters, no dash
	ClientID   string
	Scope      []string
	Interval   time.Duration // the least time between two polls
	CreatedAt  time.Time
	ExpiresAt  time.Time
	SessionKey int64     // the browser session that entered the user code; 0 until one does
	DeniedAt   time.Time // zero unless the user denied
	Grant      Grant     // ID 0 until the user allows
	UsedAt     time.Time // zero until tokens were issued
}

// ErrUserCodeTaken is returned by CreateDeviceCode when the user code is already in use; the
// caller draws another.
var ErrUserCodeTaken = errors.New("store: user code already in use")

// CreateDeviceCode stores a new device authorization request.
func (s *Store) CreateDeviceCode(ctx context.Context, d DeviceCode) error {
	res, err := s.q.ExecContext(ctx, `
		INSERT INTO device_codes (device_code_hash, user_code, client_id, scope, interval_seconds, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.Hash, d.UserCode, d.ClientID, joinScope(d.Scope), int64(d.Interval/time.Second),
		d.CreatedAt.Unix(), d.ExpiresAt.Unix())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUserCodeTaken
	}
	return nil
}

// PollDeviceCode records a poll of a device code and returns the code with the time of the
// previous poll (zero for the first), in one transaction, so two concurrent polls cannot both
// look like the first.
func (s *Store) PollDeviceCode(ctx context.Context, hash []byte, now time.Time) (DeviceCode, time.Time, error) {
	var d DeviceCode
	var previous sql.NullInt64
	err := s.inTx(ctx, func(tx txn) error {
		var err error
		if d, previous, err = deviceCodeWhere(ctx, tx, `device_code_hash = ?`, hash); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE device_codes SET last_poll_at = ? WHERE device_code_hash = ?`, now.Unix(), hash)
		return err
	})
	return d, unix(previous), err
}

// SlowDownDeviceCode adds step to a device code's polling interval and returns the new one.
func (s *Store) SlowDownDeviceCode(ctx context.Context, hash []byte, step time.Duration) (time.Duration, error) {
	var seconds int64
	err := s.q.QueryRowContext(ctx, `
		UPDATE device_codes SET interval_seconds = interval_seconds + ? WHERE device_code_hash = ?
		RETURNING interval_seconds`, int64(step/time.Second), hash).Scan(&seconds)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return time.Duration(seconds) * time.Second, err
}

// DeviceCodeByUserCode returns the device code with this (normalized) user code, or ErrNotFound.
func (s *Store) DeviceCodeByUserCode(ctx context.Context, userCode string) (DeviceCode, error) {
	d, _, err := deviceCodeWhere(ctx, s.db, `user_code = ?`, userCode)
	return d, err
}

// ClaimDeviceCode records that a browser session entered the device code's user code: only
// that session may then allow or deny it.
func (s *Store) ClaimDeviceCode(ctx context.Context, hash []byte, sessionKey int64) error {
	_, err := s.q.ExecContext(ctx, `UPDATE device_codes SET session_key = ? WHERE device_code_hash = ?`, sessionKey, hash)
	return err
}

// ClaimedDeviceCode returns the newest undecided device code that the session entered, or
// ErrNotFound.
func (s *Store) ClaimedDeviceCode(ctx context.Context, sessionKey int64) (DeviceCode, error) {
	d, _, err := deviceCodeWhere(ctx, s.db, `session_key = ? AND denied_at IS NULL AND grant_id IS NULL
		ORDER BY created_at DESC LIMIT 1`, sessionKey)
	return d, err
}

// ApproveDeviceCode records the user's Allow: in one transaction it records the grant, ties it
// to the device code (only if that code is still undecided and claimed by the session), and
// remembers the consent. ErrNotFound means the code was decided already or is not the session's.
func (s *Store) ApproveDeviceCode(ctx context.Context, hash []byte, sessionKey int64, g Grant, consent []string) error {
	return s.inTx(ctx, func(tx txn) error {
		id, err := insertGrant(ctx, tx, g)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE device_codes SET grant_id = ?
			WHERE device_code_hash = ? AND session_key = ? AND grant_id IS NULL AND denied_at IS NULL`, id, hash, sessionKey)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO consents (username, client_id, scope, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (username, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at`,
			g.Username, g.ClientID, joinScope(consent), g.CreatedAt.Unix())
		return err
	})
}

// DenyDeviceCode records the user's Deny, if the code is still undecided and claimed by the
// session; otherwise ErrNotFound.
func (s *Store) DenyDeviceCode(ctx context.Context, hash []byte, sessionKey int64, now time.Time) error {
	res, err := s.q.ExecContext(ctx, `
		UPDATE device_codes SET denied_at = ?
		WHERE device_code_hash = ? AND session_key = ? AND grant_id IS NULL AND denied_at IS NULL`, now.Unix(), hash, sessionKey)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UseDeviceCode marks an approved device code used, atomically, and reports whether this call
// was its first use: of two polls collecting one code, exactly one gets first == true. It decides
// nothing: refusing the second and revoking the grant is the caller's decision (RFC 8628 §3.5,
// as for codes, RFC 6749 §4.1.2).
func (s *Store) UseDeviceCode(ctx context.Context, hash []byte, now time.Time) (first bool, err error) {
	res, err := s.q.ExecContext(ctx, `UPDATE device_codes SET used_at = ? WHERE device_code_hash = ? AND used_at IS NULL`,
		now.Unix(), hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UserCodeTries returns how many wrong user codes a browser session has entered, and when the
// last one was.
func (s *Store) UserCodeTries(ctx context.Context, sessionKey int64) (int, time.Time, error) {
	var wrong int
	var last int64
	err := s.q.QueryRowContext(ctx, `SELECT wrong, last_wrong_at FROM user_code_tries WHERE session_key = ?`, sessionKey).
		Scan(&wrong, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	return wrong, time.Unix(last, 0), err
}

// RecordWrongUserCode counts one more wrong user code for the session and returns the count.
func (s *Store) RecordWrongUserCode(ctx context.Context, sessionKey int64, now time.Time) (int, error) {
	var wrong int
	err := s.q.QueryRowContext(ctx, `
		INSERT INTO user_code_tries (session_key, wrong, last_wrong_at) VALUES (?, 1, ?)
		ON CONFLICT (session_key) DO UPDATE SET wrong = wrong + 1, last_wrong_at = excluded.last_wrong_at
		RETURNING wrong`, sessionKey, now.Unix()).Scan(&wrong)
	return wrong, err
}

// deviceCodeWhere reads one device code, with its grant when it has one.
func deviceCodeWhere(ctx context.Context, q queryer, where string, args ...any) (DeviceCode, sql.NullInt64, error) {
	var d DeviceCode
	var scope string
	var interval, created, expires int64
	var lastPoll, sessionKey, denied, grantID, used sql.NullInt64
	err := q.QueryRowContext(ctx, `
		SELECT device_code_hash, user_code, client_id, scope, interval_seconds, created_at, expires_at,
			last_poll_at, session_key, denied_at, grant_id, used_at
		FROM device_codes WHERE `+where, args...).
		Scan(&d.Hash, &d.UserCode, &d.ClientID, &scope, &interval, &created, &expires,
			&lastPoll, &sessionKey, &denied, &grantID, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return DeviceCode{}, lastPoll, ErrNotFound
	}
	if err != nil {
		return DeviceCode{}, lastPoll, err
	}
	d.Scope, d.Interval = splitScope(scope), time.Duration(interval)*time.Second
	d.CreatedAt, d.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	d.SessionKey, d.DeniedAt, d.UsedAt = sessionKey.Int64, unix(denied), unix(used)
	if grantID.Valid {
		if d.Grant, err = grantByID(ctx, q, grantID.Int64); err != nil {
			return DeviceCode{}, lastPoll, err
		}
	}
	return d, lastPoll, nil
}
