// Package oauth is PrintShop's side of OAuth 2.0: it discovers Accounts (RFC 8414), sends the
// browser to authorize with state and PKCE (RFC 6749 §4.1.1, RFC 7636), checks what comes back
// (state, and iss per RFC 9207), swaps the code for tokens, refreshes and revokes them.
//
// Two channels, on purpose. The browser is sent to Accounts' public authorization endpoint
// (front channel). Every server-to-server call, metadata, token and revocation, goes to
// AuthServerURL (back channel), which in Docker Compose is http://authserver:9001. The issuer
// is still compared with the public identifier, never with the back-channel URL.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"golang.org/x/oauth2"
)

// Config is how PrintShop is registered at Accounts and where Accounts is.
type Config struct {
	Issuer        string // PRINTING_ISSUER: Accounts' public URL, the expected issuer
	AuthServerURL string // PRINTING_AUTHSERVER_URL: the back channel to Accounts
	ClientID      string
	ClientSecret  string
	RedirectURL   string // PRINTING_PUBLIC_URL + "/callback"
	Scope         []string
	HTTPClient    *http.Client
	Now           func() time.Time
	// InsecureNoPKCE is the attack lab's PRINTING_INSECURE_NO_PKCE: PrintShop sends no PKCE.
	InsecureNoPKCE bool
}

// Client talks to Accounts for PrintShop.
type Client struct {
	cfg Config

	mu       sync.Mutex
	metadata *Metadata
	fetched  time.Time
}

// NewClient returns a client for cfg. It does not contact Accounts: PrintShop starts even
// while Accounts is down, and says so on the page that needs it.
func NewClient(cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}
}

// Issuer is the issuer PrintShop expects, for the iss check at the callback.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ErrUnreachable wraps failures to talk to Accounts at all (as opposed to Accounts saying no).
var ErrUnreachable = errors.New("Accounts cannot be reached")

// Metadata is the part of Accounts' RFC 8414 metadata PrintShop uses.
type Metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	ISSParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	// ResponseTypes lists "token" only while Accounts shows the implicit flow exhibit
	// (AUTHSERVER_ENABLE_IMPLICIT=true); PrintShop's /legacy page looks for it.
	ResponseTypes []string `json:"response_types_supported"`
}

// metadataTTL is how long PrintShop trusts the metadata it fetched.
const metadataTTL = 5 * time.Minute

// Discover returns Accounts' metadata, fetched over the back channel and checked.
func (c *Client) Discover(ctx context.Context) (Metadata, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metadata != nil && c.cfg.Now().Sub(c.fetched) < metadataTTL {
		return *c.metadata, nil
	}
	u := c.cfg.AuthServerURL + "/.well-known/oauth-authorization-server"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Metadata{}, err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return Metadata{}, fmt.Errorf("%w: GET %s: %v", ErrUnreachable, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Metadata{}, fmt.Errorf("%w: GET %s answered %d", ErrUnreachable, u, resp.StatusCode)
	}
	var m Metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil {
		return Metadata{}, fmt.Errorf("%w: the metadata at %s is not JSON", ErrUnreachable, u)
	}
	if err := checkMetadata(m, c.cfg.Issuer); err != nil {
		return Metadata{}, err
	}
	c.metadata, c.fetched = &m, c.cfg.Now()
	return m, nil
}

// onIssuer reports whether endpoint is a path under the issuer URL. "/" matters: without it,
// http://accounts.example.evil.test would pass for http://accounts.example.
func onIssuer(endpoint, issuer string) bool {
	return strings.HasPrefix(endpoint, issuer+"/")
}

// backChannel maps an endpoint on the public issuer URL to the same path on the back channel.
// checkMetadata has made sure every endpoint is on the issuer; anything else maps to nowhere.
func (c *Client) backChannel(endpoint string) string {
	if !onIssuer(endpoint, c.cfg.Issuer) {
		return "http://invalid.invalid/" // never reached: the metadata was refused
	}
	return c.cfg.AuthServerURL + strings.TrimPrefix(endpoint, c.cfg.Issuer)
}

// config is the x/oauth2 configuration: the browser goes to the public authorization endpoint,
// and the code is exchanged at the back-channel token endpoint, with HTTP Basic client
// authentication.
func (c *Client) config(m Metadata) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		RedirectURL:  c.cfg.RedirectURL,
		Scopes:       c.cfg.Scope,
		Endpoint: oauth2.Endpoint{
			AuthURL:   m.AuthorizationEndpoint,
			TokenURL:  c.backChannel(m.TokenEndpoint),
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// Start is one authorization attempt: where to send the browser, and the secrets to keep.
type Start struct {
	URL      string // Accounts' authorization endpoint with every parameter
	State    string // random, bound to the browser session, checked at the callback
	Verifier string // the PKCE code_verifier, kept on the server
}

// StartAuthorization makes a fresh state and PKCE verifier and builds the authorization request
// (RFC 6749 §4.1.1 with RFC 7636 §4.3: code_challenge = BASE64URL(SHA256(verifier))).
func (c *Client) StartAuthorization(ctx context.Context) (Start, error) {
	m, err := c.Discover(ctx)
	if err != nil {
		return Start{}, err
	}
	start := authorizationRequest(c.config(m))
	if c.cfg.InsecureNoPKCE {
		// INSECURE, the attack lab's PRINTING_INSECURE_NO_PKCE=true: RFC 9700 §2.1.1 ("Clients
		// MUST prevent injection (replay) of authorization codes", with PKCE) is switched off
		// here: the request carries no code_challenge. See workshop/attacks/03-code-injection.md.
		start = withoutPKCE(c.config(m), start)
	}
	return start, nil
}

// Exchange swaps an authorization code for tokens (RFC 6749 §4.1.3), proving with the verifier
// that PrintShop is the client that started the flow.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	m, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if c.cfg.InsecureNoPKCE && verifier == "" {
		opts = nil // INSECURE, PRINTING_INSECURE_NO_PKCE: no code_verifier, as there was no challenge
	}
	tok, err := c.config(m).Exchange(c.context(ctx), code, opts...)
	return tok, classify(err)
}

// Refresh exchanges a refresh token for new tokens (RFC 6749 §6). Accounts rotates refresh
// tokens, so the answer carries a new one, and the one presented is dead.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	m, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := c.config(m).TokenSource(c.context(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	return tok, classify(err)
}

// Revoke revokes a token at Accounts (RFC 7009 §2.1). Revoking the refresh token ends the whole
// grant there.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	m, err := c.Discover(ctx)
	if err != nil {
		return err
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.backChannel(m.RevocationEndpoint), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: POST %s: %v", ErrUnreachable, req.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("Accounts refused the revocation with %d: %s", resp.StatusCode, body)
	}
	return nil
}

// JWKS fetches Accounts' public signing keys (RFC 7517) over the back channel. PrintShop does
// not need them to use the access token, which is for Photos to check; /flow fetches them to
// show which key signed the token PrintShop holds.
func (c *Client) JWKS(ctx context.Context) (jwk.Set, error) {
	u := c.cfg.AuthServerURL + "/.well-known/jwks.json"
	set, err := jwk.Fetch(ctx, u, jwk.WithHTTPClient(c.cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("%w: GET %s: %v", ErrUnreachable, u, err)
	}
	return set, nil
}

// context hands x/oauth2 PrintShop's HTTP client.
func (c *Client) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient)
}

// ErrInvalidGrant means Accounts no longer honours the code or refresh token (RFC 6749 §5.2):
// it was revoked, used before, or expired. The user has to authorize again.
var ErrInvalidGrant = errors.New("invalid_grant")

// classify turns x/oauth2's errors into ErrInvalidGrant, ErrUnreachable or a described error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "invalid_grant" {
			return fmt.Errorf("%w: %s", ErrInvalidGrant, re.ErrorDescription)
		}
		if re.ErrorCode != "" {
			return fmt.Errorf("Accounts answered %s: %s", re.ErrorCode, re.ErrorDescription)
		}
		if re.Response != nil && re.Response.StatusCode < 500 {
			return fmt.Errorf("Accounts refused the request with status %d and no OAuth error code", re.Response.StatusCode)
		}
		return fmt.Errorf("%w: the token endpoint failed", ErrUnreachable)
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}

// GrantedScope is the scope the token response says was granted. RFC 6749 §5.1: if absent, it is
// the scope requested; Accounts always sends it.
func GrantedScope(tok *oauth2.Token, requested []string) []string {
	if s, ok := tok.Extra("scope").(string); ok {
		return strings.Fields(s)
	}
	return requested
}
