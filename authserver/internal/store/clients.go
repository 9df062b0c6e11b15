package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Client is a registered OAuth client (RFC 6749 §2).
type Client struct {
	ID   string
	Name string
	// SecretHash is the bcrypt hash of the client secret; empty for a public client.
	SecretHash   string
	RedirectURIs []string
	GrantTypes   []string
	Scopes       []string
	// FirstParty clients belong to Photos itself and skip the consent page.
	FirstParty bool
	// PostLogoutRedirectURIs are where /end-session may send the browser back to, matched
	// exactly (OpenID Connect RP-Initiated Logout 1.0 §3.1).
	PostLogoutRedirectURIs []string
}

// Public reports whether the client has no secret (RFC 6749 §2.1): it must use PKCE and cannot
// authenticate.
func (c Client) Public() bool { return c.SecretHash == "" }

// AllowsGrant reports whether the client registered the grant type.
func (c Client) AllowsGrant(grantType string) bool { return slices.Contains(c.GrantTypes, grantType) }

// ReplaceClients makes the given clients the complete set: each is inserted or updated, and any
// client no longer listed is deleted together with its grants and tokens.
func (s *Store) ReplaceClients(ctx context.Context, clients []Client) error {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	s.clients = nil
	return s.inTx(ctx, func(tx txn) error {
		ids := make([]any, 0, len(clients))
		for _, c := range clients {
			uris, _ := json.Marshal(c.RedirectURIs)
			grants, _ := json.Marshal(c.GrantTypes)
			postLogout, _ := json.Marshal(c.PostLogoutRedirectURIs)
			if c.PostLogoutRedirectURIs == nil {
				postLogout = []byte("[]")
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO clients (id, name, secret_hash, redirect_uris, grant_types, scopes, first_party, post_logout_redirect_uris)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,
					redirect_uris = excluded.redirect_uris, grant_types = excluded.grant_types,
					scopes = excluded.scopes, first_party = excluded.first_party,
					post_logout_redirect_uris = excluded.post_logout_redirect_uris`,
				c.ID, c.Name, sql.NullString{String: c.SecretHash, Valid: c.SecretHash != ""},
				string(uris), string(grants), joinScope(c.Scopes), c.FirstParty, string(postLogout)); err != nil {
				return fmt.Errorf("save client %q: %w", c.ID, err)
			}
			ids = append(ids, c.ID)
		}
		q := `DELETE FROM clients`
		if len(ids) > 0 {
			q += ` WHERE id NOT IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		}
		_, err := tx.ExecContext(ctx, q, ids...)
		return err
	})
}

// ClientSecretHash returns the stored bcrypt hash of a client's secret, so that a restart can
// keep a hash whose secret has not changed instead of computing a new one.
func (s *Store) ClientSecretHash(ctx context.Context, id string) (string, error) {
	var h sql.NullString
	err := s.q.QueryRowContext(ctx, `SELECT secret_hash FROM clients WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return h.String, err
}

// Client returns the client with the given id, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (Client, error) {
	s.clientsMu.RLock()
	c, ok := s.clients[id]
	s.clientsMu.RUnlock()
	if ok {
		return c, nil
	}
	c, err := s.loadClient(ctx, id)
	if err != nil {
		return Client{}, err
	}
	s.clientsMu.Lock()
	if s.clients == nil {
		s.clients = map[string]Client{}
	}
	s.clients[id] = c
	s.clientsMu.Unlock()
	return c, nil
}

func (s *Store) loadClient(ctx context.Context, id string) (Client, error) {
	row := s.q.QueryRowContext(ctx, `
		SELECT id, name, secret_hash, redirect_uris, grant_types, scopes, first_party, post_logout_redirect_uris
		FROM clients WHERE id = ?`, id)
	var c Client
	var secret sql.NullString
	var uris, grants, scopes, postLogout string
	err := row.Scan(&c.ID, &c.Name, &secret, &uris, &grants, &scopes, &c.FirstParty, &postLogout)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, ErrNotFound
	}
	if err != nil {
		return Client{}, err
	}
	c.SecretHash = secret.String
	c.Scopes = splitScope(scopes)
	if err := json.Unmarshal([]byte(uris), &c.RedirectURIs); err != nil {
		return Client{}, fmt.Errorf("client %q redirect_uris: %w", id, err)
	}
	if err := json.Unmarshal([]byte(grants), &c.GrantTypes); err != nil {
		return Client{}, fmt.Errorf("client %q grant_types: %w", id, err)
	}
	if err := json.Unmarshal([]byte(postLogout), &c.PostLogoutRedirectURIs); err != nil {
		return Client{}, fmt.Errorf("client %q post_logout_redirect_uris: %w", id, err)
	}
	return c, nil
}
