package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"strings"
	"time"
)

// NewPhotoID returns a random photo id, unique across all users: 80 random bits in base32.
// Random rather than sequential, so an id says nothing about how many photos exist.
func NewPhotoID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "p" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Photo is one photo's metadata; the image bytes are read separately with Content.
type Photo struct {
	ID      string
	Owner   string
	Title   string
	Album   string
	Width   int
	Height  int
	TakenAt time.Time
}

// NewPhoto is a photo to add, with its JPEG bytes.
type NewPhoto struct {
	Photo
	JPEG []byte
}

// AddPhotos stores photos in one transaction.
func (s *Store) AddPhotos(ctx context.Context, photos []NewPhoto, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range photos {
			if err := addPhoto(ctx, tx, p, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func addPhoto(ctx context.Context, tx *sql.Tx, p NewPhoto, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO photos (id, owner, title, album, width, height, taken_at, jpeg, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Owner, p.Title, p.Album, p.Width, p.Height, p.TakenAt.Unix(), p.JPEG, now.Unix())
	return err
}

// Photos lists an owner's photos by album, then by the time they were taken.
func (s *Store) Photos(ctx context.Context, owner string) ([]Photo, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, owner, title, album, width, height, taken_at FROM photos
		WHERE owner = ? ORDER BY album, taken_at, id`, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	photos := []Photo{}
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, err
		}
		photos = append(photos, p)
	}
	return photos, rows.Err()
}

// Photo returns one of the owner's photos. Another owner's photo is ErrNotFound, exactly like a
// photo that does not exist: the answer must not reveal that the id is taken.
func (s *Store) Photo(ctx context.Context, owner, id string) (Photo, error) {
	p, err := scanPhoto(s.q.QueryRowContext(ctx, `
		SELECT id, owner, title, album, width, height, taken_at FROM photos
		WHERE id = ? AND owner = ?`, id, owner))
	if errors.Is(err, sql.ErrNoRows) {
		return Photo{}, ErrNotFound
	}
	return p, err
}

// Content returns the JPEG bytes of one of the owner's photos, or ErrNotFound.
func (s *Store) Content(ctx context.Context, owner, id string) ([]byte, error) {
	var jpeg []byte
	err := s.q.QueryRowContext(ctx, `SELECT jpeg FROM photos WHERE id = ? AND owner = ?`, id, owner).Scan(&jpeg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return jpeg, err
}

// DeletePhoto removes one of the owner's photos for good, or reports ErrNotFound.
func (s *Store) DeletePhoto(ctx context.Context, owner, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM photos WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Once runs fn the first time the named event happens in this database, in the same
// transaction that records it: the demo library is made on first start, and never again.
func (s *Store) Once(ctx context.Context, name string, now time.Time, fn func(add func(NewPhoto) error) error) (bool, error) {
	ran := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO events (name, happened_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, now.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ran = true
		return fn(func(p NewPhoto) error { return addPhoto(ctx, tx, p, now) })
	})
	return ran, err
}

type scanner interface{ Scan(dest ...any) error }

func scanPhoto(row scanner) (Photo, error) {
	var p Photo
	var taken int64
	err := row.Scan(&p.ID, &p.Owner, &p.Title, &p.Album, &p.Width, &p.Height, &taken)
	p.TakenAt = time.Unix(taken, 0).UTC()
	return p, err
}
