package web

// Nothing is lost on restart: clients, signing keys, grants, refresh tokens, consent and
// sessions live in SQLite, so a second server on the same database file carries on where the
// first left off.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/registry"
	"github.com/valet/authserver/internal/store"
)

// restartServer starts a second Accounts on an existing database file, the way main does on
// start (open the store, save the registry, open the keyring), with the given issuer: a
// restarted server keeps its public URL even though this one listens on a new port. Its URL is
// where it listens, so that base() reaches it.
func restartServer(t *testing.T, dbPath, issuer string) *testServer {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := registry.Save(ctx, st, testClients(), registry.DemoUsers(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now().Truncate(time.Second)}
	keyring, err := keys.Open(ctx, st, keys.InUse(jwa.RS256), 11*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	handler, err := NewServer(slog.New(slog.NewTextHandler(logs, nil)), st, keyring, Config{
		Issuer: issuer, Audience: "http://localhost:9002", SigningAlg: jwa.RS256,
		AccessTokenTTL: 10 * time.Minute, RefreshTokenTTL: 24 * time.Hour, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{URL: "http://" + ln.Addr().String(), Store: st, Clock: clk, Keys: keyring, Logs: logs, Handler: handler, DBPath: dbPath}
}

// restartKIDs returns the kids published at /.well-known/jwks.json.
func restartKIDs(t *testing.T, srv *testServer) []string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.base() + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KID)
	}
	slices.Sort(kids)
	return kids
}

// restartTokenKID returns the kid in a JWT's header.
func restartTokenKID(t *testing.T, token string) string {
	t.Helper()
	header, _, _ := strings.Cut(token, ".")
	data, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		t.Fatalf("token header: %v", err)
	}
	var h struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	return h.KID
}

// TestRestartNothingIsLost runs a flow on one server, starts a second server on the same
// database file, and shows that the client registration, the signing key, the grant, the
// refresh token, the consent and the browser session all survive. STYLE.md, Storage; RFC 6749
// §6 (a refresh token outlives the access token it came with, so it must outlive a restart).
func TestRestartNothingIsLost(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accounts.db")
	first := newTestServer(t, withDB(path))
	b := newBrowser(t, first)
	tok := exchange(t, first, b.code("photos.read"))
	kidsBefore := restartKIDs(t, first)
	kid := restartTokenKID(t, tok.AccessToken)
	hashBefore, err := first.Store.ClientSecretHash(ctx, "printing")
	if err != nil {
		t.Fatal(err)
	}

	second := restartServer(t, path, first.URL)

	t.Run("the client registration survives: same stored secret hash, and it authenticates", func(t *testing.T) {
		hashAfter, err := second.Store.ClientSecretHash(ctx, "printing")
		if err != nil {
			t.Fatal(err)
		}
		if hashAfter != hashBefore {
			t.Errorf("the printing client's secret hash changed on restart: got %q, want %q", hashAfter, hashBefore)
		}
		resp, body := tokenRequest(t, second, "/introspect", url.Values{"token": {"x"}}, "printing", printingSecret)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("printing authenticates after restart: got status %d, want %d: %v", resp.StatusCode, http.StatusOK, body)
		}
	})
	t.Run("the signing key survives: same kid in the JWKS, and new tokens are signed with it (RFC 7517 §4.5)", func(t *testing.T) {
		if got := restartKIDs(t, second); !slices.Equal(got, kidsBefore) {
			t.Errorf("got JWKS kids %q after restart, want %q", got, kidsBefore)
		}
		access, _ := protectionClientCredentials(t, second)
		if got := restartTokenKID(t, access); got != kid {
			t.Errorf("got kid %q on a token minted after restart, want %q", got, kid)
		}
	})
	t.Run("the grant survives: the access token introspects active (RFC 7662 §2.2)", func(t *testing.T) {
		if got := introspect(t, second, tok.AccessToken); got["active"] != true {
			t.Errorf("introspection after restart: got %v, want active true", got)
		}
	})
	t.Run("the refresh token survives: refresh works on the second server (RFC 6749 §6)", func(t *testing.T) {
		resp, body := tokenRequest(t, second, "/token", url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		}, "printing", printingSecret)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh after restart: got status %d, want %d: %v", resp.StatusCode, http.StatusOK, body)
		}
		if s, _ := body["access_token"].(string); s == "" {
			t.Errorf("refresh after restart: no access_token in %v", body)
		}
	})
	t.Run("the session and the consent survive: /account still lists PrintShop", func(t *testing.T) {
		b2 := newBrowser(t, second)
		b2.client.Jar = b.client.Jar // cookies ignore ports: the same browser
		p := b2.get("/account")
		if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/account" {
			t.Fatalf("/account after restart: got status %d at %s, want 200 at /account", p.StatusCode, p.Request.URL.Path)
		}
		if !strings.Contains(p.Body, "PrintShop") {
			t.Errorf("/account after restart does not list PrintShop")
		}
	})
}
