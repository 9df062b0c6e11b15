package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/valet/printing/internal/flow"
)

// maxFlowEvents bounds one flow: a gallery of many thumbnails makes many Photos calls.
const maxFlowEvents = 200

// StartFlow begins a new flow for the user, forgetting the previous one.
func (s *Store) StartFlow(ctx context.Context, username string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM flows WHERE username = ?`, username); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO flows (username, started_at) VALUES (?, ?)`, username, at.Unix())
		return err
	})
}

// AddEvent appends an event to the user's latest flow, starting one if there is none. Past
// maxFlowEvents the oldest Photos calls give way, never the steps of the authorization.
func (s *Store) AddEvent(ctx context.Context, username string, e flow.Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO flows (username, started_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			username, e.At.Unix()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO flow_events (username, event) VALUES (?, ?)`, username, string(data)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			DELETE FROM flow_events WHERE id IN (
				SELECT id FROM flow_events WHERE username = ? AND json_extract(event, '$.kind') = 'photos'
				ORDER BY id LIMIT max(0, (SELECT count(*) FROM flow_events WHERE username = ?) - ?))`,
			username, username, maxFlowEvents)
		return err
	})
}

// Flow returns the events of the user's latest flow, oldest first, and when it started. A user
// with no flow gets none.
func (s *Store) Flow(ctx context.Context, username string) (time.Time, []flow.Event, error) {
	var started int64
	err := s.db.QueryRowContext(ctx, `SELECT started_at FROM flows WHERE username = ?`, username).Scan(&started)
	if err == sql.ErrNoRows {
		return time.Time{}, nil, nil
	}
	if err != nil {
		return time.Time{}, nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT event FROM flow_events WHERE username = ? ORDER BY id`, username)
	if err != nil {
		return time.Time{}, nil, err
	}
	defer rows.Close()
	var events []flow.Event
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return time.Time{}, nil, err
		}
		var e flow.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return time.Time{}, nil, err
		}
		events = append(events, e)
	}
	return time.Unix(started, 0), events, rows.Err()
}
