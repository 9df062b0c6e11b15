package store

// Prepared statements. SQLite compiles every statement before it runs it; database/sql with a
// bare query string compiles it anew on every call. On the hot paths (introspection, the token
// endpoint, /authorize with a session) compiling took more time than running the query, so
// the store prepares each query once, on first use, and reuses it: database/sql keeps one
// compiled copy per pooled connection. Every query is a constant in this package, so the cache
// holds a fixed, small set.

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// statements has the query methods of *sql.DB, each running a cached prepared statement.
type statements struct {
	db    *sql.DB
	mu    sync.Mutex
	cache map[string]*sql.Stmt
	// single is set when the pool holds one connection (":memory:"): a transaction then holds
	// it, and preparing a statement, which needs a connection of its own, would wait forever.
	// Transactions then run their queries unprepared.
	single bool
}

func newStatements(db *sql.DB, single bool) *statements {
	return &statements{db: db, cache: map[string]*sql.Stmt{}, single: single}
}

// prepare returns the prepared statement for query, preparing it the first time.
func (s *statements) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.cache[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.cache[query] = st
	return st, nil
}

// QueryRowContext is (*sql.DB).QueryRowContext with a prepared statement.
func (s *statements) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepare(ctx, query)
	if err != nil {
		return s.db.QueryRowContext(ctx, query, args...) // carries the same error to Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext is (*sql.DB).QueryContext with a prepared statement.
func (s *statements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// ExecContext is (*sql.DB).ExecContext with a prepared statement.
func (s *statements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// Close closes every prepared statement.
func (s *statements) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for q, st := range s.cache {
		errs = append(errs, st.Close())
		delete(s.cache, q)
	}
	return errors.Join(errs...)
}

// txn is a transaction whose queries run as the store's cached prepared statements, bound to
// the transaction's connection (database/sql keeps the compiled copy for the next one there).
type txn struct {
	*sql.Tx
	s *statements
}

// ExecContext is (*sql.Tx).ExecContext with a prepared statement. Only for one statement: a
// prepared statement runs the first statement of a longer text and ignores the rest.
func (t txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.s.single {
		return t.Tx.ExecContext(ctx, query, args...)
	}
	st, err := t.s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// QueryRowContext is (*sql.Tx).QueryRowContext with a prepared statement.
func (t txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t.s.single {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	st, err := t.s.prepare(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // carries the same error to Scan
	}
	return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// QueryContext is (*sql.Tx).QueryContext with a prepared statement.
func (t txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.s.single {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	st, err := t.s.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}
