// Package registry knows who may use Accounts: the registered clients (built-in demo clients or
// AUTHSERVER_CLIENTS_FILE) and the demo users. It validates them and saves them to the store
// with their secrets and passwords hashed.
package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/store"
)

// Client is one entry of the clients file.
type Client struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"` // absent: a public client
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris"`
	GrantTypes   []string `json:"grant_types"`
	Scopes       []string `json:"scopes"`
	// FirstParty marks Photos' own web app, which skips the consent page.
	FirstParty bool `json:"first_party,omitempty"`
	// PostLogoutRedirectURIs are where Accounts' end_session_endpoint may send the browser
	// after signing out (OpenID Connect RP-Initiated Logout 1.0 §3.1), matched exactly.
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
}

// User is a demo resource owner.
type User struct {
	Username, Name, Password string
}

// The demo secrets are public on purpose: this is a teaching demo. Replace them with a clients
// file anywhere else.
const (
	PrintingSecret  = "printshop-demo-secret"
	PhotosSecret    = "photos-demo-secret"
	PhotosWebSecret = "photos-web-demo-secret"
	CurlSecret      = "curl-demo-secret"
)

// DefaultClients are the clients Accounts knows when AUTHSERVER_CLIENTS_FILE is not set.
func DefaultClients() []Client {
	return []Client{
		{
			ClientID: "printing", ClientSecret: PrintingSecret, Name: "PrintShop",
			RedirectURIs: []string{"http://localhost:9000/callback"},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read"},
		},
		{
			// Photos uses this client only to call /introspect.
			ClientID: "photos", ClientSecret: PhotosSecret, Name: "Photos (token introspection)",
			RedirectURIs: []string{}, GrantTypes: []string{}, Scopes: []string{},
		},
		{
			ClientID: "photos-web", ClientSecret: PhotosWebSecret, Name: "Photos", FirstParty: true,
			RedirectURIs:           []string{"http://localhost:9002/callback"},
			PostLogoutRedirectURIs: []string{"http://localhost:9002/"},
			GrantTypes:             []string{"authorization_code", "refresh_token"},
			Scopes:                 []string{"openid", "profile", "photos.read", "photos.write", "photos.delete"},
		},
		{
			// The implicit flow, kept as a museum piece for PrintShop's /legacy page. It is
			// registered always, but Accounts answers response_type=token only when
			// AUTHSERVER_ENABLE_IMPLICIT=true (RFC 9700 §2.1.2: clients SHOULD NOT use it).
			ClientID: "legacy", Name: "Legacy gallery (implicit flow)",
			RedirectURIs: []string{"http://localhost:9000/legacy"},
			GrantTypes:   []string{"implicit"},
			Scopes:       []string{"photos.read"},
		},
		{
			// The README's curl walkthrough: a person at a terminal. Its redirect URI is a page
			// at Accounts that shows the code, so the walkthrough works while PrintShop runs.
			ClientID: "curl", ClientSecret: CurlSecret, Name: "Your terminal (curl)",
			RedirectURIs: []string{"http://localhost:9001/code"},
			GrantTypes:   []string{"authorization_code", "refresh_token"},
			Scopes:       []string{"photos.read"},
		},
		{
			// The photo kiosk at PrintShop's counter (printing kiosk): the device authorization
			// grant, RFC 8628. Public: a kiosk anyone can walk up to keeps no secret.
			ClientID: "kiosk", Name: "PrintShop photo kiosk",
			RedirectURIs: []string{},
			GrantTypes:   []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"},
			Scopes:       []string{"photos.read"},
		},
	}
}

// DemoUsers are the resource owners of the demo.
func DemoUsers() []User {
	return []User{
		{Username: "alice", Name: "Alice Liddell", Password: "wonderland"},
		{Username: "bob", Name: "Bob the Builder", Password: "builder"},
	}
}

// LoadClientsFile reads a JSON list of clients. Unknown fields are an error, so a typo such as
// "redirect_uri" cannot silently register a client with no redirect URI.
func LoadClientsFile(path string) ([]Client, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var clients []Client
	if err := dec.Decode(&clients); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON list")
	}
	return clients, nil
}

// grantTypes are the grant types a client may register. "implicit" is the museum piece: it
// works only while AUTHSERVER_ENABLE_IMPLICIT=true, and it implies no other grant.
var grantTypes = []string{"authorization_code", "refresh_token", "client_credentials", "implicit",
	"urn:ietf:params:oauth:grant-type:device_code"}

// Validate checks a client list against the rules a registration must follow.
func Validate(clients []Client, knownScope func(string) bool) error {
	var errs []error
	seen := map[string]bool{}
	users := map[string]bool{}
	for _, u := range DemoUsers() {
		users[u.Username] = true
	}
	for i, c := range clients {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("client %d (%q): %s", i, c.ClientID, fmt.Sprintf(format, args...)))
		}
		switch {
		case c.ClientID == "":
			fail("client_id is empty")
		case seen[c.ClientID]:
			fail("client_id is listed twice")
		case users[c.ClientID]:
			// A client_credentials token has sub = client_id; a client named like a user would
			// get tokens that look like that user's (RFC 9700 §4.15).
			fail("client_id is also a username; pick another so its tokens cannot pass for that user's")
		}
		seen[c.ClientID] = true
		if c.Name == "" {
			fail("name is empty; the consent page shows it")
		}
		for _, g := range c.GrantTypes {
			if !slices.Contains(grantTypes, g) {
				fail("grant type %q is not supported; use %v", g, grantTypes)
			}
		}
		if c.ClientSecret == "" && slices.Contains(c.GrantTypes, "client_credentials") {
			fail("client_credentials needs a client_secret: a public client cannot authenticate")
		}
		if slices.Contains(c.GrantTypes, "authorization_code") && len(c.RedirectURIs) == 0 {
			fail("authorization_code needs at least one redirect URI")
		}
		if slices.Contains(c.GrantTypes, "implicit") {
			// RFC 6749 §4.2: the implicit grant is for clients "typically implemented in a
			// browser", which cannot keep a secret; a confidential client has the code flow.
			// The token goes to the redirect URI, so there must be one (RFC 6749 §3.1.2.2).
			if c.ClientSecret != "" {
				fail(`grant type "implicit" is only for public clients (no client_secret); a confidential client uses authorization_code`)
			}
			if len(c.RedirectURIs) == 0 {
				fail("implicit needs at least one redirect URI")
			}
		}
		for _, u := range c.RedirectURIs {
			if err := checkRedirectURI(u); err != nil {
				fail("redirect URI %q: %v", u, err)
			}
		}
		for _, u := range c.PostLogoutRedirectURIs {
			// RP-Initiated Logout 1.0 §3.1 registers these like redirect URIs, so the same
			// rules keep a logout from sending the browser somewhere unsafe.
			if err := checkRedirectURI(u); err != nil {
				fail("post_logout_redirect_uri %q: %v", u, err)
			}
		}
		for _, s := range c.Scopes {
			if !knownScope(s) {
				fail("scope %q is unknown", s)
			}
		}
	}
	return errors.Join(errs...)
}

// checkRedirectURI applies RFC 6749 §3.1.2 (absolute, no fragment) and the spirit of RFC 9700
// §2.6: plain http only on localhost or a loopback address, where nothing on the network can
// read the code. (RFC 9700 allows http only for native apps on the loopback; Valet's demo runs
// its web client on localhost, so that is allowed too.)
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if !u.IsAbs() || u.Host == "" {
		return errors.New("must be an absolute URL (RFC 6749 §3.1.2)")
	}
	if u.Fragment != "" || u.RawFragment != "" || bytes.ContainsRune([]byte(raw), '#') {
		return errors.New("must not contain a fragment (RFC 6749 §3.1.2)")
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return errors.New("plain http is only allowed for localhost or a loopback address; use https")
		}
	default:
		return fmt.Errorf("scheme %q is not allowed; use https (or http on localhost)", u.Scheme)
	}
	return nil
}

// Save writes the clients and users to the store, hashing secrets and passwords with bcrypt at
// the given cost. A client secret whose stored hash still matches keeps that hash.
func Save(ctx context.Context, st *store.Store, clients []Client, users []User, cost int) error {
	rows := make([]store.Client, 0, len(clients))
	for _, c := range clients {
		row := store.Client{
			ID: c.ClientID, Name: c.Name, RedirectURIs: c.RedirectURIs, GrantTypes: c.GrantTypes,
			Scopes: c.Scopes, FirstParty: c.FirstParty, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		}
		if c.ClientSecret != "" {
			old, err := st.ClientSecretHash(ctx, c.ClientID)
			if err == nil && old != "" && bcrypt.CompareHashAndPassword([]byte(old), []byte(c.ClientSecret)) == nil {
				row.SecretHash = old
			} else if row.SecretHash, err = hash(c.ClientSecret, cost); err != nil {
				return err
			}
		}
		rows = append(rows, row)
	}
	if err := st.ReplaceClients(ctx, rows); err != nil {
		return err
	}
	for _, u := range users {
		h, err := hash(u.Password, cost)
		if err != nil {
			return err
		}
		if err := st.SaveUser(ctx, store.User{Username: u.Username, Name: u.Name, PasswordHash: h}); err != nil {
			return err
		}
	}
	return nil
}

func hash(secret string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), cost)
	return string(h), err
}
