package web

import (
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/valet/authserver/internal/registry"
)

// A refresh never gives more than the client is registered for now: after a restart with a
// narrower registration, the refreshed access token drops the scopes the client lost.
func TestRefreshFollowsTheCurrentRegistration(t *testing.T) {
	db := filepath.Join(t.TempDir(), "accounts.db")
	srv := newTestServer(t, withDB(db))
	tok := exchange(t, srv, newBrowser(t, srv).code("photos.read photos.write"))

	clients := testClients()
	clients[0].Scopes = []string{"photos.read"} // printing loses photos.write
	again := newTestServer(t, withDB(db), withClients(clients))
	resp, body := tokenRequest(t, again, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, "printing", printingSecret)
	if resp.StatusCode != 200 || body["scope"] != "photos.read" {
		t.Errorf("got %d %v, want 200 with scope photos.read", resp.StatusCode, body)
	}
}

// RFC 6749 §3.3: client_credentials without a scope gets the client's registered scopes, less
// openid and profile, which are about a user that this grant does not have.
func TestClientCredentialsDefaultScopeLeavesOutUserScopes(t *testing.T) {
	clients := testClients()
	i := slices.IndexFunc(clients, func(c registry.Client) bool { return c.ClientID == "worker" })
	clients[i].Scopes = []string{"openid", "profile", "photos.read"}
	srv := newTestServer(t, withClients(clients))
	resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"}, "scope": {""}}, "worker", workerSecret)
	if resp.StatusCode != 200 || body["scope"] != "photos.read" {
		t.Errorf("got %d %v, want 200 with scope photos.read", resp.StatusCode, body)
	}
}
