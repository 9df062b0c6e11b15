// Package store keeps Accounts' state in SQLite: clients, users, signing keys, sessions,
// pending authorization requests, consents, grants, codes and tokens.
//
// Every method takes the current time from its caller, so tests can move the clock. Codes,
// tokens and session ids arrive here already hashed by the caller (see Hash); client secrets and
// passwords are bcrypt hashes. The private signing keys are stored as they are, so the database
// file must be readable by Accounts alone (the authserver command creates it with mode 0600).
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// ErrNotFound is returned when the row asked for does not exist (or has expired).
var ErrNotFound = errors.New("store: not found")

//go:embed migrations/*.sql
var migrations embed.FS

// Store is Accounts' SQLite database.
type Store struct {
	db *sql.DB
	// q runs the queries outside transactions as prepared statements (statements.go).
	q *statements

	// clients caches Client lookups: the token endpoint reads a client on every request, and
	// clients change only when ReplaceClients runs at start.
	clientsMu sync.RWMutex
	clients   map[string]Client
}

// Open opens (creating if needed) the SQLite database at path and applies any pending
// migrations. The path ":memory:" gives a private database that is gone when closed.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if path == ":memory:" {
		// Every connection to :memory: is a different database, so keep exactly one.
		db.SetMaxOpenConns(1)
	}
	s := &Store{db: db, q: newStatements(db, path == ":memory:")}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return s, nil
}

// dsn puts the per-connection pragmas in the connection string, so that every connection the
// pool opens gets them, not just the first.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.q.Close(), s.db.Close()) }

// Ping reports whether the database answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// migrate applies each embedded migration not yet recorded, in name order, each in its own
// transaction, as benbjohnson/wtf does.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	return s.inTx(ctx, func(tx txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		// A migration holds many statements: run it unprepared, as one script.
		if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().Unix())
		return err
	})
}

// inTx runs fn in one transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(txn{Tx: tx, s: s.q}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Hash is how every bearer secret (code, refresh token, session id, request id) is stored:
// its SHA-256. These values carry 256 random bits, so a fast hash is enough; a slow one
// would only slow down every request.
func Hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// DeleteExpired removes rows that can never be used again. It is safe to call at any time.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) error {
	t := now.Unix()
	return s.inTx(ctx, func(tx txn) error {
		for _, q := range []string{
			`DELETE FROM authorization_requests WHERE expires_at <= ?`,
			`DELETE FROM sessions WHERE expires_at <= ?`,
			// Keep codes an hour past expiry, so a late replay is still recognised and revokes.
			`DELETE FROM authorization_codes WHERE expires_at <= ? - 3600`,
			// Device codes too: a replay after expiry is still recognised for an hour.
			`DELETE FROM device_codes WHERE expires_at <= ? - 3600`,
			`DELETE FROM access_tokens WHERE expires_at <= ?`,
			`DELETE FROM refresh_tokens WHERE expires_at <= ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// unix turns a nullable Unix time into a time.Time (zero when NULL).
func unix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0)
}

// joinScope and splitScope convert between a scope list and its RFC 6749 §3.3 string form.
func joinScope(scopes []string) string { return strings.Join(scopes, " ") }

func splitScope(s string) []string { return strings.Fields(s) }
