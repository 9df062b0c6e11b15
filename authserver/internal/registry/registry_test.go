package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/store"
)

func knownScope(s string) bool {
	return s == "openid" || s == "profile" || strings.HasPrefix(s, "photos.")
}

func TestDefaultClientsAreValid(t *testing.T) {
	if err := Validate(DefaultClients(), knownScope); err != nil {
		t.Fatal(err)
	}
}

// Each registration rule refuses a client that breaks it, with a message naming the rule.
func TestValidate(t *testing.T) {
	good := func() Client {
		return Client{ClientID: "app", ClientSecret: "s", Name: "App",
			RedirectURIs: []string{"https://app.example/cb"}, GrantTypes: []string{"authorization_code"},
			Scopes: []string{"photos.read"}}
	}
	tests := []struct {
		name   string
		change func(*Client)
		want   string // in the error; "" means valid
	}{
		{"a good client is valid", func(*Client) {}, ""},
		{"http on localhost is allowed", func(c *Client) { c.RedirectURIs = []string{"http://localhost:9000/callback"} }, ""},
		{"http on a loopback address is allowed", func(c *Client) { c.RedirectURIs = []string{"http://127.0.0.1:8080/cb"} }, ""},
		{"empty client_id", func(c *Client) { c.ClientID = "" }, "client_id is empty"},
		{"client_id equal to a username (RFC 9700 §4.15)", func(c *Client) { c.ClientID = "alice" }, "also a username"},
		{"empty name", func(c *Client) { c.Name = "" }, "name is empty"},
		{"unknown grant type", func(c *Client) { c.GrantTypes = []string{"password"} }, `grant type "password"`},
		{"implicit is refused for a confidential client (RFC 6749 §4.2)", func(c *Client) { c.GrantTypes = []string{"implicit"} }, `grant type "implicit" is only for public clients`},
		{"implicit is allowed for a public client with a redirect URI (RFC 6749 §4.2)", func(c *Client) { c.ClientSecret = ""; c.GrantTypes = []string{"implicit"} }, ""},
		{"implicit needs a redirect URI (RFC 6749 §3.1.2.2)", func(c *Client) { c.ClientSecret = ""; c.GrantTypes = []string{"implicit"}; c.RedirectURIs = nil }, "implicit needs at least one redirect URI"},
		{"client_credentials needs a secret (RFC 6749 §4.4)", func(c *Client) { c.ClientSecret = ""; c.GrantTypes = []string{"client_credentials"} }, "needs a client_secret"},
		{"authorization_code needs a redirect URI (RFC 6749 §3.1.2.2)", func(c *Client) { c.RedirectURIs = nil }, "at least one redirect URI"},
		{"relative redirect URI (RFC 6749 §3.1.2)", func(c *Client) { c.RedirectURIs = []string{"/callback"} }, "absolute"},
		{"redirect URI with a fragment (RFC 6749 §3.1.2)", func(c *Client) { c.RedirectURIs = []string{"https://app.example/cb#x"} }, "fragment"},
		{"plain http off the loopback (RFC 9700 §2.6)", func(c *Client) { c.RedirectURIs = []string{"http://app.example/cb"} }, "plain http"},
		{"a custom scheme", func(c *Client) { c.RedirectURIs = []string{"javascript://app.example/%0aalert(1)"} }, "scheme"},
		{"unknown scope", func(c *Client) { c.Scopes = []string{"photos.read", "admin"} }, `scope "admin"`},
		{"a post-logout redirect URI on localhost is allowed (RP-Initiated Logout §3.1)", func(c *Client) { c.PostLogoutRedirectURIs = []string{"http://localhost:9002/"} }, ""},
		{"a relative post-logout redirect URI (RP-Initiated Logout §3.1)", func(c *Client) { c.PostLogoutRedirectURIs = []string{"/"} }, "post_logout_redirect_uri"},
		{"a post-logout redirect URI with a custom scheme", func(c *Client) { c.PostLogoutRedirectURIs = []string{"javascript://x/%0aalert(1)"} }, "post_logout_redirect_uri"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(&c)
			err := Validate([]Client{c}, knownScope)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := Validate([]Client{good(), good()}, knownScope); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate client_id: got %v, want listed twice", err)
	}
}

// The clients file refuses unknown fields, so a typo cannot register a half-configured client.
func TestLoadClientsFileRefusesUnknownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clients.json")
	writeFile(t, path, `[{"client_id": "a", "name": "A", "redirect_uri": "https://a.example/cb"}]`)
	if _, err := LoadClientsFile(path); err == nil || !strings.Contains(err.Error(), "redirect_uri") {
		t.Errorf("got %v, want an error naming the unknown field", err)
	}
}

// The clients file reads post_logout_redirect_uris, and the store gives them back.
func TestPostLogoutRedirectURIsAreSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clients.json")
	writeFile(t, path, `[{"client_id": "a", "name": "A", "redirect_uris": ["https://a.example/cb"], "grant_types": ["authorization_code"],
		"scopes": ["openid"], "post_logout_redirect_uris": ["https://a.example/bye"]}]`)
	clients, err := LoadClientsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Save(context.Background(), st, clients, nil, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	c, err := st.Client(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PostLogoutRedirectURIs) != 1 || c.PostLogoutRedirectURIs[0] != "https://a.example/bye" {
		t.Errorf("got %q, want [https://a.example/bye]", c.PostLogoutRedirectURIs)
	}
}

// Secrets and passwords are stored as bcrypt hashes; a restart with the same secret keeps the hash.
func TestSaveHashesSecrets(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Save(ctx, st, DefaultClients(), DemoUsers(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	hash, err := st.ClientSecretHash(ctx, "printing")
	if err != nil {
		t.Fatal(err)
	}
	if hash == PrintingSecret || bcrypt.CompareHashAndPassword([]byte(hash), []byte(PrintingSecret)) != nil {
		t.Fatalf("stored %q, want a bcrypt hash of the secret", hash)
	}
	if err := Save(ctx, st, DefaultClients(), DemoUsers(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.ClientSecretHash(ctx, "printing"); again != hash {
		t.Error("a restart with the same secret rehashed it")
	}
	if c, _ := st.Client(ctx, "photos"); c.Public() {
		t.Error("the photos client must be confidential")
	}
	if c, _ := st.Client(ctx, "legacy"); !c.Public() || !c.AllowsGrant("implicit") || c.AllowsGrant("authorization_code") {
		t.Errorf("got legacy client %+v, want a public client registered for implicit only", c)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
