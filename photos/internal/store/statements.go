package store

// Prepared statements. SQLite compiles every statement before it runs it; database/sql with a
// bare query string compiles it anew on every call. On the hot path, GET /api/photos,
// compiling took as long as running the query, so the store prepares each query once, on first
// use, and reuses it: database/sql keeps one compiled copy per pooled connection. Every query is
// a constant in this package, so the cache holds a fixed, small set.

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
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, cache: map[string]*sql.Stmt{}}
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
