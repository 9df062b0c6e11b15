package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/valet/printing/internal/flow"
)

// KioskVisit is one user's latest visit to the photo kiosk: the recorded device flow and the
// proof it printed.
type KioskVisit struct {
	Username string
	Started  time.Time
	Events   []flow.Event
	Proof    []byte
}

// SaveKioskVisit keeps a visit, replacing the user's previous one.
func (s *Store) SaveKioskVisit(ctx context.Context, v KioskVisit) error {
	events, err := json.Marshal(v.Events)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO kiosk_visits (username, started_at, events, proof) VALUES (?, ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET started_at = excluded.started_at, events = excluded.events, proof = excluded.proof`,
		v.Username, v.Started.Unix(), string(events), v.Proof)
	return err
}

// KioskVisit returns the user's latest kiosk visit, or ErrNotFound.
func (s *Store) KioskVisit(ctx context.Context, username string) (KioskVisit, error) {
	v := KioskVisit{Username: username}
	var started int64
	var events string
	err := s.db.QueryRowContext(ctx, `SELECT started_at, events, proof FROM kiosk_visits WHERE username = ?`, username).
		Scan(&started, &events, &v.Proof)
	if errors.Is(err, sql.ErrNoRows) {
		return KioskVisit{}, ErrNotFound
	}
	if err != nil {
		return KioskVisit{}, err
	}
	v.Started = time.Unix(started, 0)
	return v, json.Unmarshal([]byte(events), &v.Events)
}
