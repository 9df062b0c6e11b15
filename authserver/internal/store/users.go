package store

import (
	"context"
	"database/sql"
	"errors"
)

// User is a resource owner who can sign in at Accounts. The username is the `sub` claim.
type User struct {
	Username     string
	Name         string
	PasswordHash string // bcrypt
}

// SaveUser inserts or updates a user.
func (s *Store) SaveUser(ctx context.Context, u User) error {
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO users (username, name, password_hash) VALUES (?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET name = excluded.name, password_hash = excluded.password_hash`,
		u.Username, u.Name, u.PasswordHash)
	return err
}

// User returns the user with the given username, or ErrNotFound.
func (s *Store) User(ctx context.Context, username string) (User, error) {
	var u User
	err := s.q.QueryRowContext(ctx, `SELECT username, name, password_hash FROM users WHERE username = ?`, username).
		Scan(&u.Username, &u.Name, &u.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}
