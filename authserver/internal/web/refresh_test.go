package web

// Tests of refresh tokens (RFC 6749 §6, RFC 9700 §4.14): opaque and stored hashed, rotated on
// every use with reuse detection, bound to their client, narrowed but never widened, and
// expiring.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	_ "modernc.org/sqlite"
)

// refreshTestRequest asks /token for a refresh as the printing client with client_secret_basic.
// A nil scope sends no scope parameter.
func refreshTestRequest(t *testing.T, srv *testServer, refreshToken string, scope *string) (*http.Response, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if scope != nil {
		form.Set("scope", *scope)
	}
	return tokenRequest(t, srv, "/token", form, "printing", printingSecret)
}

// refreshTestRotate refreshes as printing, expecting success, and returns the new tokens.
func refreshTestRotate(t *testing.T, srv *testServer, refreshToken, wantScope string) (access, refresh string) {
	t.Helper()
	resp, body := refreshTestRequest(t, srv, refreshToken, nil)
	return tokenTestCheckSuccess(t, resp, body, wantScope, true)
}

// refreshTestWantInactive fails unless introspection says the token is not active.
func refreshTestWantInactive(t *testing.T, srv *testServer, what, token string) {
	t.Helper()
	if got := introspect(t, srv, token)["active"]; got != false {
		t.Errorf("%s introspects as active=%v, want false", what, got)
	}
}

// refreshTestDBValues returns every value of every row of every table in the SQLite file, read
// through a separate read-only connection.
func refreshTestDBValues(t *testing.T, path string) (values map[string][][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	values = map[string][][]byte{}
	for _, table := range tables {
		rows, err := db.Query(fmt.Sprintf(`SELECT * FROM "%s"`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			cells := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range cells {
				ptrs[i] = &cells[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cells {
				key := table + "." + cols[i]
				switch v := c.(type) {
				case string:
					values[key] = append(values[key], []byte(v))
				case []byte:
					values[key] = append(values[key], v)
				}
			}
		}
		rows.Close()
	}
	return values
}

// refreshTestFileBytes returns the bytes of the SQLite file and of its write-ahead log, if any.
func refreshTestFileBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[p] = data
	}
	return out
}

// TestRefreshTokenOpaqueAndHashed checks that a refresh token is an opaque string, not a JWT,
// and that Accounts keeps only its SHA-256 (RFC 6749 §10.4, RFC 9700 §4.14.2): neither the
// token nor its decoded bytes appear anywhere in the database file or its WAL.
func TestRefreshTokenOpaqueAndHashed(t *testing.T) {
	srv := newTestServer(t)
	_, first := tokenTestIssue(t, srv, "photos.read")
	_, rotated := refreshTestRotate(t, srv, first, "photos.read")
	tests := []struct {
		name  string
		token string
	}{
		{"refresh token from a code (RFC 6749 §4.1.4, §10.4)", first},
		{"refresh token from a rotation (RFC 6749 §6, §10.4)", rotated},
	}
	values := refreshTestDBValues(t, srv.DBPath)
	files := refreshTestFileBytes(t, srv.DBPath)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := strings.Count(tc.token, "."); n >= 2 {
				t.Errorf("the refresh token has %d dots, like a JWT; want an opaque string: %s", n, tc.token)
			}
			if _, err := jws.Parse([]byte(tc.token)); err == nil {
				t.Errorf("the refresh token parses as a JWS; want an opaque string")
			}
			secrets := [][]byte{[]byte(tc.token)}
			if raw, err := base64.RawURLEncoding.DecodeString(tc.token); err == nil && len(raw) >= 16 {
				secrets = append(secrets, raw)
			}
			for column, cells := range values {
				for _, cell := range cells {
					for _, secret := range secrets {
						if bytes.Contains(cell, secret) {
							t.Errorf("column %s holds the refresh token in the clear", column)
						}
					}
				}
			}
			for file, data := range files {
				for _, secret := range secrets {
					if bytes.Contains(data, secret) {
						t.Errorf("file %s holds the refresh token in the clear", file)
					}
				}
			}
			sum := sha256.Sum256([]byte(tc.token))
			found := false
			for _, cell := range values["refresh_tokens.token_hash"] {
				if bytes.Equal(cell, sum[:]) {
					found = true
				}
			}
			if !found {
				t.Errorf("refresh_tokens.token_hash has no row with the SHA-256 of the token")
			}
		})
	}
}

// TestRefreshTokenRotation checks rotation with reuse detection (RFC 9700 §4.14.2, RFC 6749 §6,
// §10.4): every refresh returns a new refresh token, the old one stops working, and presenting a
// rotated-out one revokes the whole grant, so the newest refresh token fails too and the
// newest access token introspects as inactive.
func TestRefreshTokenRotation(t *testing.T) {
	srv := newTestServer(t)

	t.Run("every refresh returns a new, different refresh token (RFC 9700 §4.14.2)", func(t *testing.T) {
		access, refresh := tokenTestIssue(t, srv, "photos.read")
		seen := map[string]bool{refresh: true}
		seenAccess := map[string]bool{access: true}
		for i := range 4 {
			newAccess, newRefresh := refreshTestRotate(t, srv, refresh, "photos.read")
			if newRefresh == "" {
				t.Fatalf("refresh %d: no refresh token", i+1)
			}
			if seen[newRefresh] {
				t.Fatalf("refresh %d: got a refresh token issued before, want a new one", i+1)
			}
			if seenAccess[newAccess] {
				t.Fatalf("refresh %d: got an access token issued before, want a new one", i+1)
			}
			seen[newRefresh], seenAccess[newAccess] = true, true
			refresh = newRefresh
		}
	})

	replays := []struct {
		name   string
		replay int // which refresh token of the chain to present again: 0 is the first
	}{
		{"the first, long rotated-out refresh token revokes the grant (RFC 9700 §4.14.2)", 0},
		{"the refresh token rotated out just before revokes the grant (RFC 9700 §4.14.2)", 1},
	}
	for _, tc := range replays {
		t.Run(tc.name, func(t *testing.T) {
			access0, refresh0 := tokenTestIssue(t, srv, "photos.read")
			access1, refresh1 := refreshTestRotate(t, srv, refresh0, "photos.read")
			access2, refresh2 := refreshTestRotate(t, srv, refresh1, "photos.read")
			chain := []string{refresh0, refresh1}

			// The old token no longer works.
			resp, body := refreshTestRequest(t, srv, chain[tc.replay], nil)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")

			// And the whole grant is gone.
			resp, body = refreshTestRequest(t, srv, refresh2, nil)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")
			refreshTestWantInactive(t, srv, "the newest refresh token", refresh2)
			refreshTestWantInactive(t, srv, "the newest access token", access2)
			refreshTestWantInactive(t, srv, "an earlier access token of the grant", access1)
			refreshTestWantInactive(t, srv, "the first access token of the grant", access0)
		})
	}

	t.Run("the grant of another authorization is untouched by a replay (RFC 9700 §4.14.2)", func(t *testing.T) {
		keepAccess, keepRefresh := tokenTestIssue(t, srv, "photos.read")
		_, refresh0 := tokenTestIssue(t, srv, "photos.read")
		refreshTestRotate(t, srv, refresh0, "photos.read")
		resp, body := refreshTestRequest(t, srv, refresh0, nil)
		tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		if got := introspect(t, srv, keepAccess)["active"]; got != true {
			t.Errorf("another grant's access token introspects as active=%v, want true", got)
		}
		refreshTestRotate(t, srv, keepRefresh, "photos.read")
	})
}

// TestRefreshTokenScope checks the scope parameter of a refresh (RFC 6749 §6): a narrower scope
// narrows only the new access token, leaving the grant's full scope for later refreshes; a
// scope not originally granted, or unknown, is invalid_scope.
func TestRefreshTokenScope(t *testing.T) {
	srv := newTestServer(t)

	t.Run("a narrower scope narrows the access token, not the grant (RFC 6749 §6)", func(t *testing.T) {
		_, refresh := tokenTestIssue(t, srv, "photos.read photos.write")
		narrow := "photos.read"
		resp, body := refreshTestRequest(t, srv, refresh, &narrow)
		access, refresh := tokenTestCheckSuccess(t, resp, body, "photos.read", true)
		if access == "" || refresh == "" {
			t.FailNow()
		}
		if _, claims := tokenTestClaims(t, srv, access); claims["scope"] != "photos.read" {
			t.Errorf("got access token scope %v, want %q", claims["scope"], "photos.read")
		}
		if got := introspect(t, srv, access)["scope"]; got != "photos.read" {
			t.Errorf("got introspected scope %v, want %q", got, "photos.read")
		}
		// RFC 6749 §6: an omitted scope "is treated as equal to the scope originally granted".
		access, _ = refreshTestRotate(t, srv, refresh, "photos.read photos.write")
		if access == "" {
			t.FailNow()
		}
		if _, claims := tokenTestClaims(t, srv, access); claims["scope"] != "photos.read photos.write" {
			t.Errorf("got access token scope %v after a refresh without scope, want %q", claims["scope"], "photos.read photos.write")
		}
	})

	refused := []struct {
		name  string
		scope string
	}{
		{"a scope registered for the client but not granted is invalid_scope (RFC 6749 §6)", "photos.read photos.write"},
		{"a scope neither granted nor registered is invalid_scope (RFC 6749 §6)", "photos.delete"},
		{"an unknown scope is invalid_scope (RFC 6749 §6, §5.2)", "admin"},
		{"openid, never granted, is invalid_scope (RFC 6749 §6)", "openid photos.read"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			access, refresh := tokenTestIssue(t, srv, "photos.read")
			scope := tc.scope
			resp, body := refreshTestRequest(t, srv, refresh, &scope)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_scope")
			if got := introspect(t, srv, access)["active"]; got != true {
				t.Errorf("the grant's access token introspects as active=%v after a refused scope, want true", got)
			}
		})
	}

	// A refused request issues nothing, so it must not spend the refresh token either:
	// otherwise the client is left without one, and its next try looks like token theft and
	// revokes the user's grant (RFC 9700 §4.14.2).
	for _, tc := range refused {
		t.Run("a refused scope does not spend the refresh token: "+tc.name, func(t *testing.T) {
			_, refresh := tokenTestIssue(t, srv, "photos.read")
			scope := tc.scope
			resp, body := refreshTestRequest(t, srv, refresh, &scope)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_scope")
			resp, body = refreshTestRequest(t, srv, refresh, nil)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("the refresh token after a refused scope: got status %d, want 200: %v", resp.StatusCode, body)
			}
		})
	}
}

// TestRefreshTokenBoundToClient checks that a refresh token works only for the client it was
// issued to (RFC 6749 §6: "validate the refresh token and ensure that it was issued to the
// authenticated client"; §10.4), and that another client's attempt does not spend it.
func TestRefreshTokenBoundToClient(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name       string
		form       func(refresh string) url.Values
		id, secret string
	}{
		{"another confidential client gets invalid_grant (RFC 6749 §6, §5.2)",
			func(refresh string) url.Values {
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
			}, "other", otherSecret},
		{"another confidential client with client_secret_post gets invalid_grant (RFC 6749 §6, §5.2)",
			func(refresh string) url.Values {
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh},
					"client_id": {"other"}, "client_secret": {otherSecret}}
			}, "", ""},
		{"a public client naming itself gets invalid_grant (RFC 6749 §6, §5.2)",
			func(refresh string) url.Values {
				return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"public-app"}}
			}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			access, refresh := tokenTestIssue(t, srv, "photos.read")
			resp, body := tokenRequest(t, srv, "/token", tc.form(refresh), tc.id, tc.secret)
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, "invalid_grant")
			if got := introspect(t, srv, access)["active"]; got != true {
				t.Errorf("the owner's access token introspects as active=%v, want true", got)
			}
			// Still good for its own client.
			refreshTestRotate(t, srv, refresh, "photos.read")
		})
	}
}

// TestRefreshTokenExpires checks that a refresh token stops working after its lifetime (24 h
// in the test server): RFC 6749 §5.2 invalid_grant for an "expired" refresh token.
func TestRefreshTokenExpires(t *testing.T) {
	srv := newTestServer(t)
	_, early := tokenTestIssue(t, srv, "photos.read")
	_, late := tokenTestIssue(t, srv, "photos.read")

	steps := []struct {
		name      string
		advance   time.Duration
		token     string
		wantError string
	}{
		{"a refresh token is still good before its lifetime ends (RFC 6749 §6)", 23 * time.Hour, early, ""},
		{"a refresh token past its lifetime is invalid_grant (RFC 6749 §5.2)", 2 * time.Hour, late, "invalid_grant"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			srv.Clock.Advance(step.advance)
			resp, body := refreshTestRequest(t, srv, step.token, nil)
			if step.wantError == "" {
				tokenTestCheckSuccess(t, resp, body, "photos.read", true)
				return
			}
			tokenTestCheckError(t, resp, body, http.StatusBadRequest, step.wantError)
			refreshTestWantInactive(t, srv, "the expired refresh token", step.token)
		})
	}
}
