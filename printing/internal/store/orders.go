package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Order is a print order. Its proof is a JPEG that PrintShop rendered from the photos when the
// order was placed, and keeps even if the user disconnects.
type Order struct {
	ID        int64
	Username  string
	Size      string
	Copies    int
	Titles    []string
	CreatedAt time.Time
}

// AddOrder stores an order with its proof and returns its id.
func (s *Store) AddOrder(ctx context.Context, o Order, proof []byte) (int64, error) {
	titles, _ := json.Marshal(o.Titles)
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO orders (username, size, copies, titles, proof, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		o.Username, o.Size, o.Copies, string(titles), proof, o.CreatedAt.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Orders lists a user's orders, newest first.
func (s *Store) Orders(ctx context.Context, username string) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, username, size, copies, titles, created_at FROM orders WHERE username = ? ORDER BY created_at DESC, id DESC`, username)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var orders []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		orders = append(orders, o)
	}
	return orders, rows.Err()
}

// Order returns one of the user's orders, or ErrNotFound.
func (s *Store) Order(ctx context.Context, username string, id int64) (Order, error) {
	o, err := scanOrder(s.db.QueryRowContext(ctx, `
		SELECT id, username, size, copies, titles, created_at FROM orders WHERE id = ? AND username = ?`, id, username))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	return o, err
}

// Proof returns the proof JPEG of one of the user's orders, or ErrNotFound.
func (s *Store) Proof(ctx context.Context, username string, id int64) ([]byte, error) {
	var proof []byte
	err := s.db.QueryRowContext(ctx, `SELECT proof FROM orders WHERE id = ? AND username = ?`, id, username).Scan(&proof)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return proof, err
}

type scanner interface{ Scan(dest ...any) error }

func scanOrder(row scanner) (Order, error) {
	var o Order
	var titles string
	var created int64
	if err := row.Scan(&o.ID, &o.Username, &o.Size, &o.Copies, &titles, &created); err != nil {
		return Order{}, err
	}
	o.CreatedAt = time.Unix(created, 0)
	return o, json.Unmarshal([]byte(titles), &o.Titles)
}
