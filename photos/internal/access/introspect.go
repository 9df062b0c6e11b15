package access

// Asking Accounts about a token: OAuth 2.0 Token Introspection, RFC 7662.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// IntrospectionTTL is the longest Photos remembers Accounts' answer about a token. Short, so
// that a revoked grant stops working within seconds; long enough that a burst of API calls with
// one token costs one round trip.
const IntrospectionTTL = 5 * time.Second

// IntrospectionConfig says where to ask and as whom.
type IntrospectionConfig struct {
	Endpoint     string // Accounts' /introspect over the back channel
	ClientID     string // Photos' own client registration at Accounts
	ClientSecret string
	Issuer       string // the only accepted iss
	Audience     string // the only accepted aud
	HTTPClient   *http.Client
	Now          func() time.Time // nil means time.Now
}

// IntrospectionChecker asks Accounts whether a token is active.
type IntrospectionChecker struct {
	cfg     IntrospectionConfig
	answers cache
}

// NewIntrospectionChecker returns a checker for cfg.
func NewIntrospectionChecker(cfg IntrospectionConfig) *IntrospectionChecker {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	return &IntrospectionChecker{cfg: cfg}
}

// Check asks Accounts, or reuses its answer of the last few seconds. Inactive answers are
// remembered too, so a flood of bad tokens does not become a flood of calls to Accounts.
func (c *IntrospectionChecker) Check(ctx context.Context, token string) (Principal, error) {
	now := c.cfg.Now()
	if e, ok := c.answers.get(token, now); ok {
		return e.principal, e.err
	}
	p, err := c.introspectToken(ctx, token)
	if IsUnavailable(err) {
		return p, err // not an answer about the token: ask again next time
	}
	until := now.Add(IntrospectionTTL)
	if err == nil && p.ExpiresAt.Before(until) {
		until = p.ExpiresAt
	}
	c.answers.put(token, cacheEntry{principal: p, err: err, until: until}, now)
	return p, err
}

// introspection is the part of the RFC 7662 §2.2 answer Photos reads.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	Sub       string `json:"sub"`
	Aud       any    `json:"aud"`
	Iss       string `json:"iss"`
	Exp       int64  `json:"exp"`
	TokenType string `json:"token_type"`
	// Cnf is the key a DPoP-bound token is bound to (RFC 9449 §6.2).
	Cnf struct {
		JKT string `json:"jkt"`
	} `json:"cnf"`
}

// introspectToken asks Accounts' introspection endpoint (RFC 7662 §2.1), authenticating as
// Photos' own client, and checks that the answer is about a token meant for Photos.
func (c *IntrospectionChecker) introspectToken(ctx context.Context, token string) (Principal, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Principal{}, unavailable("cannot build the introspection request: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the id and secret are form-encoded before they go into Basic.
	req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return Principal{}, unavailable("Photos cannot reach Accounts to introspect the token (" + c.cfg.Endpoint + "). Is Accounts running?")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return Principal{}, unavailable(fmt.Sprintf("Accounts refused Photos' introspection request with status %d; check PHOTOS_CLIENT_ID and PHOTOS_CLIENT_SECRET", resp.StatusCode))
	}
	var answer introspection
	if err := json.Unmarshal(body, &answer); err != nil {
		return Principal{}, unavailable("Accounts' introspection answer is not JSON")
	}
	if !answer.Active {
		return Principal{}, invalid("Accounts says the token is not active: revoked, expired, or never issued")
	}
	if answer.Iss != "" && answer.Iss != c.cfg.Issuer {
		return Principal{}, invalid(fmt.Sprintf("iss is %q, but Photos only accepts tokens from %s", answer.Iss, c.cfg.Issuer))
	}
	if !hasAudience(audienceList(answer.Aud), c.cfg.Audience) {
		return Principal{}, invalid(fmt.Sprintf("aud is %v, but this token must be meant for %s", answer.Aud, c.cfg.Audience))
	}
	if answer.Sub == "" {
		return Principal{}, invalid("Accounts' answer has no sub")
	}
	return Principal{
		Subject:   answer.Sub,
		ClientID:  answer.ClientID,
		Scope:     strings.Fields(answer.Scope),
		JKT:       answer.Cnf.JKT,
		ExpiresAt: time.Unix(answer.Exp, 0),
	}, nil
}
