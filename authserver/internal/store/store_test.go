package store

// Tests of the store against real SQLite files in a temp dir: the per-connection pragmas, the
// private in-memory database, migrations, and the one-time and revocation rules of grants,
// codes and refresh tokens.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// storeTestOpen opens a new database file in a temp dir.
func storeTestOpen(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accounts.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

const storeTestRedirect = "http://localhost:9000/callback"

// storeTestFixture opens a database with two clients (printing, other) and two users (alice,
// bob), which grants refer to.
func storeTestFixture(t *testing.T) *Store {
	t.Helper()
	s, _ := storeTestOpen(t)
	ctx := context.Background()
	err := s.ReplaceClients(ctx, []Client{
		{ID: "printing", Name: "PrintShop", SecretHash: "$2a$04$x", RedirectURIs: []string{storeTestRedirect},
			GrantTypes: []string{"authorization_code", "refresh_token"}, Scopes: []string{"photos.read", "photos.write"}},
		{ID: "other", Name: "Other App", SecretHash: "$2a$04$y", RedirectURIs: []string{"http://localhost:9100/callback"},
			GrantTypes: []string{"authorization_code", "refresh_token"}, Scopes: []string{"photos.read"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		if err := s.SaveUser(ctx, User{Username: u, Name: u, PasswordHash: "$2a$04$z"}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// storeTestRequest stores a pending authorization request named name, in its own session, and
// returns its id hash.
func storeTestRequest(t *testing.T, s *Store, name, clientID string, now time.Time) []byte {
	t.Helper()
	ctx := context.Background()
	sess, err := s.CreateSession(ctx, Hash("session-"+name), "csrf-"+name, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	id := Hash("request-" + name)
	if err := s.SaveAuthorizationRequest(ctx, id, AuthorizationRequest{
		SessionKey: sess.Key, ClientID: clientID, RedirectURI: storeTestRedirect, Scope: []string{"photos.read"},
		State: "state-" + name, CodeChallenge: "challenge-" + name, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// storeTestGrant runs an authorization request named name through IssueCode and returns the
// grant id and the code's hash. The code expires at codeExpires.
func storeTestGrant(t *testing.T, s *Store, name, clientID, username string, now, codeExpires time.Time, consent []string) (int64, []byte) {
	t.Helper()
	ctx := context.Background()
	request := storeTestRequest(t, s, name, clientID, now)
	code := Hash("code-" + name)
	err := s.IssueCode(ctx, request, Grant{ClientID: clientID, Username: username, Scope: []string{"photos.read"},
		AuthTime: now, CreatedAt: now}, code, Code{RedirectURI: storeTestRedirect, CodeChallenge: "challenge-" + name, ExpiresAt: codeExpires}, consent)
	if err != nil {
		t.Fatalf("IssueCode %s: %v", name, err)
	}
	_, g, err := s.Code(ctx, code)
	if err != nil {
		t.Fatalf("Code %s: %v", name, err)
	}
	return g.ID, code
}

// storeTestTokens are an access token and a refresh token named name.
func storeTestTokens(name string, now time.Time) (AccessToken, *RefreshToken) {
	return AccessToken{JTI: "jti-" + name, ExpiresAt: now.Add(10 * time.Minute)},
		&RefreshToken{Hash: Hash("refresh-" + name), ExpiresAt: now.Add(24 * time.Hour)}
}

// storeTestRevoked reports whether a grant is revoked.
func storeTestRevoked(t *testing.T, s *Store, grantID int64) bool {
	t.Helper()
	g, err := grantByID(context.Background(), s.db, grantID)
	if err != nil {
		t.Fatal(err)
	}
	return !g.RevokedAt.IsZero()
}

// storeTestAccessRevoked reports whether the store counts an access token as revoked.
func storeTestAccessRevoked(t *testing.T, s *Store, jti string) bool {
	t.Helper()
	found, revoked, err := s.AccessTokenStatus(context.Background(), jti)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("access token %s has no row", jti)
	}
	return revoked
}

// storeTestCount counts the rows of a table that match a condition.
func storeTestCount(t *testing.T, s *Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM `+table+` WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOpenPragmasOnEveryConnection checks that each pooled connection to a database file has
// WAL, a 5 s busy timeout and foreign keys: SQLite pragmas are per connection, so one Exec at
// open would leave the next connection without them (STYLE.md, Storage: "Put per-connection
// pragmas in the DSN").
func TestOpenPragmasOnEveryConnection(t *testing.T) {
	s, _ := storeTestOpen(t)
	ctx := context.Background()
	// Holding three connections at once makes the pool open three different ones.
	var conns []*sql.Conn
	for range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if open := s.db.Stats().OpenConnections; open < 3 {
		t.Fatalf("got %d open connections, want at least 3", open)
	}
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			var journal string
			var busy, foreignKeys int
			if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
				t.Error(err)
				return
			}
			if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
				t.Error(err)
				return
			}
			if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil {
				t.Error(err)
				return
			}
			if journal != "wal" {
				t.Errorf("connection %d: got journal_mode %q, want wal", i, journal)
			}
			if busy != 5000 {
				t.Errorf("connection %d: got busy_timeout %d, want %d", i, busy, 5000)
			}
			if foreignKeys != 1 {
				t.Errorf("connection %d: got foreign_keys %d, want %d", i, foreignKeys, 1)
			}
		})
	}
	wg.Wait()
	// Foreign keys are enforced, not just switched on: a grant for an unknown client fails.
	_, err := s.db.ExecContext(ctx, `INSERT INTO grants (client_id, username, scope, created_at) VALUES ('nobody', 'nobody', '', 0)`)
	if err == nil {
		t.Errorf("inserted a grant for an unknown client and user; want a foreign key error")
	}
}

// TestOpenMemoryIsPrivate checks that ":memory:" gives a working database that keeps its
// tables across calls (one connection, migrations applied) and is not shared with another
// ":memory:" store (contract: ":memory: keeps nothing").
func TestOpenMemoryIsPrivate(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	// Many writers and readers at once must all use the same in-memory database: a second
	// connection would be a second, empty database.
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 20*20)
	for i := range 20 {
		wg.Go(func() {
			<-start
			for j := range 20 {
				name := fmt.Sprintf("user%d-%d", i, j)
				if err := a.SaveUser(ctx, User{Username: name, Name: "U", PasswordHash: "h"}); err != nil {
					errs <- err
					return
				}
				if _, err := a.User(ctx, name); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent use of a :memory: store: %v", err)
	}
	for i := range 10 {
		if _, err := a.User(ctx, fmt.Sprintf("user%d-0", i)); err != nil {
			t.Errorf("user%d-0 in the :memory: store: got %v, want it found", i, err)
		}
	}
	if _, err := b.User(ctx, "user0-0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another :memory: store sees user0-0: got %v, want ErrNotFound", err)
	}
	var foreignKeys int
	if err := a.db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil || foreignKeys != 1 {
		t.Errorf("got foreign_keys %d (%v) on :memory:, want 1", foreignKeys, err)
	}
}

// TestOpenMigrations checks that every embedded migration is recorded in schema_migrations,
// and that reopening the database applies none of them again and keeps the data (STYLE.md,
// Storage: migrations "applied in order in one transaction each, and recorded in a table").
func TestOpenMigrations(t *testing.T) {
	ctx := context.Background()
	s, path := storeTestOpen(t)
	want, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(want) == 0 {
		t.Fatalf("embedded migrations: %q, %v", want, err)
	}
	recorded := func(s *Store) (names []string, appliedAt []int64) {
		rows, err := s.db.QueryContext(ctx, `SELECT name, applied_at FROM schema_migrations ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var at int64
			if err := rows.Scan(&name, &at); err != nil {
				t.Fatal(err)
			}
			names, appliedAt = append(names, name), append(appliedAt, at)
		}
		return names, appliedAt
	}
	if names, _ := recorded(s); !slices.Equal(names, want) {
		t.Fatalf("got schema_migrations %q, want %q", names, want)
	}
	// Mark the records, so that a migration applied again would show.
	if _, err := s.db.ExecContext(ctx, `UPDATE schema_migrations SET applied_at = 1`); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveUser(ctx, User{Username: "alice", Name: "Alice", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	again, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	names, appliedAt := recorded(again)
	if !slices.Equal(names, want) {
		t.Errorf("after reopening: got schema_migrations %q, want %q", names, want)
	}
	for i, at := range appliedAt {
		if at != 1 {
			t.Errorf("migration %s was applied again on reopen (applied_at %d)", names[i], at)
		}
	}
	if _, err := again.User(ctx, "alice"); err != nil {
		t.Errorf("after reopening: alice: got %v, want her found", err)
	}
}

// TestIssueCodeAnswersOnce checks that a pending request can be answered with one code only,
// also when several answers race: IssueCode deletes the request in the same transaction
// (RFC 6749 §10.5: codes are single use; a double submit of the consent form must not make two).
func TestIssueCodeAnswersOnce(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now()
	t.Run("a second IssueCode for the same request gets ErrNotFound", func(t *testing.T) {
		request := storeTestRequest(t, s, "once", "printing", now)
		g := Grant{ClientID: "printing", Username: "alice", Scope: []string{"photos.read"}, AuthTime: now, CreatedAt: now}
		c := Code{RedirectURI: storeTestRedirect, CodeChallenge: "c", ExpiresAt: now.Add(time.Minute)}
		if err := s.IssueCode(ctx, request, g, Hash("once-1"), c, nil); err != nil {
			t.Fatalf("first IssueCode: %v", err)
		}
		if err := s.IssueCode(ctx, request, g, Hash("once-2"), c, nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("second IssueCode: got %v, want ErrNotFound", err)
		}
		if _, _, err := s.Code(ctx, Hash("once-2")); !errors.Is(err, ErrNotFound) {
			t.Errorf("the second code was stored: got %v, want ErrNotFound", err)
		}
	})
	t.Run("racing IssueCode calls make exactly one grant", func(t *testing.T) {
		request := storeTestRequest(t, s, "race", "other", now)
		before := storeTestCount(t, s, "grants", "client_id = ?", "other")
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.IssueCode(ctx, request, Grant{ClientID: "other", Username: "bob", Scope: []string{"photos.read"}, CreatedAt: now},
					Hash(fmt.Sprintf("race-%d", i)), Code{RedirectURI: storeTestRedirect, CodeChallenge: "c", ExpiresAt: now.Add(time.Minute)}, nil)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrNotFound):
				t.Errorf("IssueCode: got %v, want nil or ErrNotFound", err)
			}
		}
		if ok != 1 {
			t.Errorf("got %d successful IssueCode calls, want %d", ok, 1)
		}
		if n := storeTestCount(t, s, "grants", "client_id = ?", "other") - before; n != 1 {
			t.Errorf("got %d new grants, want %d", n, 1)
		}
	})
}

// storeTestRedeem redeems a code as the token endpoint does: use it (first use expected), then
// record the tokens.
func storeTestRedeem(t *testing.T, s *Store, code []byte, grantID int64, at AccessToken, rt *RefreshToken, now time.Time) {
	t.Helper()
	first, err := s.UseCode(context.Background(), code, now)
	if err != nil || !first {
		t.Fatalf("UseCode: got first %v, err %v; want true, nil", first, err)
	}
	if err := s.IssueTokens(context.Background(), grantID, at, rt, now); err != nil {
		t.Fatalf("IssueTokens: %v", err)
	}
}

// TestUseCodeOnce checks the atomic primitive behind RFC 6749 §4.1.2's single use: UseCode
// reports the first use of a code, and only the first, even when two requests race. The
// decision to refuse and revoke is the web layer's (checkCodeUse).
func TestUseCodeOnce(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now()
	t.Run("the second use is not the first", func(t *testing.T) {
		_, code := storeTestGrant(t, s, "use", "printing", "alice", now, now.Add(time.Minute), nil)
		if first, err := s.UseCode(ctx, code, now); err != nil || !first {
			t.Fatalf("first UseCode: got %v, %v; want true, nil", first, err)
		}
		if c, _, err := s.Code(ctx, code); err != nil || c.UsedAt.IsZero() {
			t.Errorf("after use: got UsedAt %v (%v), want it set", c.UsedAt, err)
		}
		if first, err := s.UseCode(ctx, code, now); err != nil || first {
			t.Errorf("second UseCode: got %v, %v; want false, nil", first, err)
		}
		if _, err := s.UseCode(ctx, Hash("never-issued"), now); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown code: got %v, want ErrNotFound", err)
		}
	})
	t.Run("racing uses: exactly one is first", func(t *testing.T) {
		_, code := storeTestGrant(t, s, "use-race", "printing", "alice", now, now.Add(time.Minute), nil)
		firsts := make([]bool, 4)
		errs := make([]error, len(firsts))
		var wg sync.WaitGroup
		for i := range firsts {
			wg.Go(func() { firsts[i], errs[i] = s.UseCode(ctx, code, now) })
		}
		wg.Wait()
		won := 0
		for i := range firsts {
			if errs[i] != nil {
				t.Errorf("UseCode: %v", errs[i])
			}
			if firsts[i] {
				won++
			}
		}
		if won != 1 {
			t.Errorf("got %d first uses, want 1", won)
		}
	})
	t.Run("tokens of a revoked grant are not issued", func(t *testing.T) {
		grantID, _ := storeTestGrant(t, s, "use-revoked", "printing", "alice", now, now.Add(time.Minute), nil)
		if err := s.RevokeGrant(ctx, grantID, now); err != nil {
			t.Fatal(err)
		}
		if err := s.IssueTokens(ctx, grantID, AccessToken{JTI: "late", ExpiresAt: now.Add(time.Minute)}, nil, now); !errors.Is(err, ErrRevoked) {
			t.Errorf("IssueTokens on the revoked grant: got %v, want ErrRevoked", err)
		}
	})
}

// TestRotateRefreshToken checks the primitives behind rotation (RFC 9700 §4.14.2):
// PresentedRefreshToken shows a token in every state, and RotateRefreshToken reports the first
// rotation only, even when two requests race. Reuse detection is the web layer's decision
// (checkRefreshToken).
func TestRotateRefreshToken(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now()
	issue := func(t *testing.T, name string) (int64, *RefreshToken) {
		t.Helper()
		grantID, code := storeTestGrant(t, s, name, "printing", "alice", now, now.Add(time.Minute), nil)
		at, rt := storeTestTokens(name, now)
		storeTestRedeem(t, s, code, grantID, at, rt, now)
		return grantID, rt
	}
	t.Run("a rotated token is shown rotated, and rotates only once", func(t *testing.T) {
		grantID, rt := issue(t, "rotate")
		tok, g, err := s.PresentedRefreshToken(ctx, rt.Hash)
		if err != nil || g.ID != grantID || !tok.RotatedAt.IsZero() || !tok.ExpiresAt.Equal(time.Unix(rt.ExpiresAt.Unix(), 0)) {
			t.Fatalf("before rotation: got %+v, grant %d, err %v", tok, g.ID, err)
		}
		if first, err := s.RotateRefreshToken(ctx, rt.Hash, now); err != nil || !first {
			t.Fatalf("first rotation: got %v, %v; want true, nil", first, err)
		}
		if tok, _, err := s.PresentedRefreshToken(ctx, rt.Hash); err != nil || tok.RotatedAt.IsZero() {
			t.Errorf("after rotation: got RotatedAt %v (%v), want it set", tok.RotatedAt, err)
		}
		if first, err := s.RotateRefreshToken(ctx, rt.Hash, now); err != nil || first {
			t.Errorf("second rotation: got %v, %v; want false, nil", first, err)
		}
		if _, _, err := s.PresentedRefreshToken(ctx, Hash("never-issued")); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown token: got %v, want ErrNotFound", err)
		}
	})
	t.Run("racing rotations: exactly one is first", func(t *testing.T) {
		_, rt := issue(t, "rotate-race")
		firsts := make([]bool, 4)
		var wg sync.WaitGroup
		for i := range firsts {
			wg.Go(func() {
				var err error
				if firsts[i], err = s.RotateRefreshToken(ctx, rt.Hash, now); err != nil {
					t.Errorf("RotateRefreshToken: %v", err)
				}
			})
		}
		wg.Wait()
		if won := len(slices.DeleteFunc(firsts, func(b bool) bool { return !b })); won != 1 {
			t.Errorf("got %d first rotations, want 1", won)
		}
	})
	t.Run("revoking the grant shows on the presented token's grant", func(t *testing.T) {
		grantID, rt := issue(t, "rotate-revoked")
		if err := s.RevokeGrant(ctx, grantID, now); err != nil {
			t.Fatal(err)
		}
		if _, g, err := s.PresentedRefreshToken(ctx, rt.Hash); err != nil || g.RevokedAt.IsZero() {
			t.Errorf("got grant RevokedAt %v (%v), want it set", g.RevokedAt, err)
		}
	})
}

// TestDisconnect checks that Disconnect ends what one user gave one client, the remembered
// consent and every grant with its tokens, and touches nothing else (RFC 7009 §2.1: revoking
// should invalidate "all access tokens based on the same authorization grant").
func TestDisconnect(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now()
	redeem := func(name, clientID, username string) (int64, AccessToken, *RefreshToken) {
		grantID, code := storeTestGrant(t, s, name, clientID, username, now, now.Add(time.Minute), []string{"photos.read"})
		at, rt := storeTestTokens(name, now)
		storeTestRedeem(t, s, code, grantID, at, rt, now)
		return grantID, at, rt
	}
	g1, at1, rt1 := redeem("alice-printing-1", "printing", "alice")
	g2, at2, _ := redeem("alice-printing-2", "printing", "alice")
	gOther, atOther, _ := redeem("alice-other", "other", "alice")
	gBob, atBob, _ := redeem("bob-printing", "printing", "bob")

	if scope, _ := s.Consent(ctx, "alice", "printing"); !slices.Equal(scope, []string{"photos.read"}) {
		t.Fatalf("got consent %q, want [photos.read]", scope)
	}
	if err := s.Disconnect(ctx, "alice", "printing", now); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if scope, err := s.Consent(ctx, "alice", "printing"); err != nil || scope != nil {
		t.Errorf("after Disconnect: got consent %q (%v), want none", scope, err)
	}
	apps, err := s.ConnectedApps(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(apps, func(a ConnectedApp) bool { return a.ClientID == "printing" }) {
		t.Errorf("after Disconnect: alice's connected apps still list printing: %v", apps)
	}
	for _, id := range []int64{g1, g2} {
		if !storeTestRevoked(t, s, id) {
			t.Errorf("after Disconnect: grant %d is not revoked", id)
		}
	}
	for _, jti := range []string{at1.JTI, at2.JTI} {
		if !storeTestAccessRevoked(t, s, jti) {
			t.Errorf("after Disconnect: access token %s is active", jti)
		}
	}
	if _, g, err := s.PresentedRefreshToken(ctx, rt1.Hash); err != nil || g.RevokedAt.IsZero() {
		t.Errorf("after Disconnect: the refresh token's grant: got RevokedAt %v (%v), want it set", g.RevokedAt, err)
	}
	for _, other := range []struct {
		grant int64
		jti   string
		who   string
	}{{gOther, atOther.JTI, "alice's grant to other"}, {gBob, atBob.JTI, "bob's grant to printing"}} {
		if storeTestRevoked(t, s, other.grant) || storeTestAccessRevoked(t, s, other.jti) {
			t.Errorf("Disconnect of alice from printing revoked %s", other.who)
		}
	}
	if scope, _ := s.Consent(ctx, "bob", "printing"); scope == nil {
		t.Errorf("Disconnect of alice from printing deleted bob's consent")
	}
	if err := s.Disconnect(ctx, "alice", "printing", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Disconnect: got %v, want ErrNotFound", err)
	}
}

// TestDeleteExpired checks that DeleteExpired removes rows that can never be used again and
// keeps the rest, including used codes for an hour past their expiry, so that a late replay is
// still recognised and revokes the grant (RFC 6749 §4.1.2).
func TestDeleteExpired(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now().Truncate(time.Second)
	past := now.Add(-3 * time.Hour)

	// Sessions.
	if _, err := s.CreateSession(ctx, Hash("dead-session"), "c", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSession(ctx, Hash("live-session"), "c", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Pending requests, both in a live session.
	live, err := s.CreateSession(ctx, Hash("request-session"), "c", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for name, expires := range map[string]time.Time{"dead-request": now.Add(-time.Second), "live-request": now.Add(time.Minute)} {
		if err := s.SaveAuthorizationRequest(ctx, Hash(name), AuthorizationRequest{SessionKey: live.Key, ClientID: "printing",
			RedirectURI: storeTestRedirect, Scope: []string{"photos.read"}, CreatedAt: now, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	// Codes: issued in the past with the given expiry, some used.
	type code struct {
		name    string
		expires time.Time
		used    bool
	}
	codes := []code{
		{"code-used-expired-30m", now.Add(-30 * time.Minute), true},
		{"code-unused-expired-30m", now.Add(-30 * time.Minute), false},
		{"code-used-expired-61m", now.Add(-61 * time.Minute), true},
		{"code-unused-expired-2h", now.Add(-2 * time.Hour), false},
		{"code-live", now.Add(time.Minute), false},
	}
	hashes := map[string][]byte{}
	grants := map[string]int64{}
	for _, c := range codes {
		grantID, hash := storeTestGrant(t, s, c.name, "printing", "alice", past, c.expires, nil)
		hashes[c.name], grants[c.name] = hash, grantID
		if c.used {
			storeTestRedeem(t, s, hash, grantID, AccessToken{JTI: "at-" + c.name, ExpiresAt: past.Add(time.Minute)}, nil, past)
		}
	}
	// Tokens, on a grant of their own.
	grantID, _ := storeTestGrant(t, s, "tokens", "printing", "alice", now, now.Add(time.Minute), nil)
	if err := s.IssueTokens(ctx, grantID, AccessToken{JTI: "dead-access", ExpiresAt: now.Add(-time.Second)},
		&RefreshToken{Hash: Hash("dead-refresh"), ExpiresAt: now.Add(-time.Second)}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueTokens(ctx, grantID, AccessToken{JTI: "live-access", ExpiresAt: now.Add(time.Minute)},
		&RefreshToken{Hash: Hash("live-refresh"), ExpiresAt: now.Add(time.Hour)}, now); err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteExpired(ctx, now); err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}

	cases := []struct {
		name     string
		table    string
		where    string
		arg      any
		wantKept bool
	}{
		{"an expired session is deleted", "sessions", "id_hash = ?", Hash("dead-session"), false},
		{"a live session is kept", "sessions", "id_hash = ?", Hash("live-session"), true},
		{"an expired request is deleted", "authorization_requests", "id_hash = ?", Hash("dead-request"), false},
		{"a live request is kept", "authorization_requests", "id_hash = ?", Hash("live-request"), true},
		{"a used code 30 minutes past expiry is kept, to catch a replay (RFC 6749 §4.1.2)", "authorization_codes", "code_hash = ?", hashes["code-used-expired-30m"], true},
		{"an unused code 30 minutes past expiry is kept", "authorization_codes", "code_hash = ?", hashes["code-unused-expired-30m"], true},
		{"a used code 61 minutes past expiry is deleted", "authorization_codes", "code_hash = ?", hashes["code-used-expired-61m"], false},
		{"an unused code 2 hours past expiry is deleted", "authorization_codes", "code_hash = ?", hashes["code-unused-expired-2h"], false},
		{"a live code is kept", "authorization_codes", "code_hash = ?", hashes["code-live"], true},
		{"an expired access token is deleted", "access_tokens", "jti = ?", "dead-access", false},
		{"a live access token is kept", "access_tokens", "jti = ?", "live-access", true},
		{"an expired refresh token is deleted", "refresh_tokens", "token_hash = ?", Hash("dead-refresh"), false},
		{"a live refresh token is kept", "refresh_tokens", "token_hash = ?", Hash("live-refresh"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := storeTestCount(t, s, tc.table, tc.where, tc.arg)
			want := 0
			if tc.wantKept {
				want = 1
			}
			if got != want {
				t.Errorf("got %d rows, want %d", got, want)
			}
		})
	}
	t.Run("a late replay of a kept used code is still seen as a reuse (RFC 6749 §4.1.2)", func(t *testing.T) {
		name := "code-used-expired-30m"
		if first, err := s.UseCode(ctx, hashes[name], now); err != nil || first {
			t.Fatalf("got first %v, err %v; want false, nil", first, err)
		}
	})
}

// TestAuthorizationRequestKeepsItsResponseType checks that a pending request comes back with
// the response type it was stored with, "code" or "token": the implicit exhibit is never
// inferred from another field (RFC 6749 §3.1.1 names the response type).
func TestAuthorizationRequestKeepsItsResponseType(t *testing.T) {
	ctx := context.Background()
	s := storeTestFixture(t)
	now := time.Now()
	sess, err := s.CreateSession(ctx, Hash("session-rt"), "csrf-rt", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range []string{"code", "token"} {
		id := Hash("request-rt-" + rt)
		want := AuthorizationRequest{SessionKey: sess.Key, ClientID: "printing", ResponseType: rt, RedirectURI: storeTestRedirect,
			Scope: []string{"photos.read"}, MaxAge: -1, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.SaveAuthorizationRequest(ctx, id, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.AuthorizationRequest(ctx, id, sess.Key, now)
		if err != nil || got.ResponseType != rt || got.RedirectURI != storeTestRedirect {
			t.Errorf("response type %s: got %q, redirect %q, err %v", rt, got.ResponseType, got.RedirectURI, err)
		}
	}
}
