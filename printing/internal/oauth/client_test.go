package oauth

// Tests of PrintShop's OAuth client against a small in-test Accounts: the metadata checks
// (RFC 8414 §3.3, RFC 7636), the split between the public issuer and the back channel, the
// classification of token endpoint errors (RFC 6749 §5.2), and the granted scope (§5.1).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const (
	clientTestPublicIssuer = "http://accounts.public.test" // never reached: it is only a name
	clientTestID           = "printing"
	clientTestSecret       = "s3cret/with+odd chars?"
	clientTestRedirect     = "http://printshop.test/callback"
)

// clientAccounts is a small Accounts on the back channel. Its metadata names the public
// issuer; handlers record what they were sent.
type clientAccounts struct {
	srv *httptest.Server

	mu        sync.Mutex
	metadata  map[string]any
	fetches   int
	token     func(w http.ResponseWriter, r *http.Request) // nil: a good token response
	tokens    []url.Values
	revokes   []url.Values
	basicAuth []string // "id:secret" as decoded per RFC 6749 §2.3.1
}

func clientNewAccounts(t *testing.T) *clientAccounts {
	t.Helper()
	a := &clientAccounts{metadata: map[string]any{
		"issuer":                           clientTestPublicIssuer,
		"authorization_endpoint":           clientTestPublicIssuer + "/authorize",
		"token_endpoint":                   clientTestPublicIssuer + "/token",
		"revocation_endpoint":              clientTestPublicIssuer + "/revoke",
		"code_challenge_methods_supported": []string{"S256"},
		"authorization_response_iss_parameter_supported": true,
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.fetches++
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(a.metadata)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		a.mu.Lock()
		a.tokens = append(a.tokens, r.PostForm)
		a.basicAuth = append(a.basicAuth, clientDecodeBasic(r))
		token := a.token
		a.mu.Unlock()
		if token != nil {
			token(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 600,
			"refresh_token": "rt-2", "scope": "photos.read"})
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.revokes = append(a.revokes, r.PostForm)
		a.basicAuth = append(a.basicAuth, clientDecodeBasic(r))
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

// clientDecodeBasic decodes HTTP Basic credentials the way RFC 6749 §2.3.1 encodes them: each
// part form-urlencoded before base64.
func clientDecodeBasic(r *http.Request) string {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return ""
	}
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	return id + ":" + secret
}

func (a *clientAccounts) set(name string, value any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if value == nil {
		delete(a.metadata, name)
		return
	}
	a.metadata[name] = value
}

// clientHosts is an HTTP transport that records the host of every request PrintShop's client
// makes, and sends each to the real network (here: the test servers).
type clientHosts struct {
	mu    sync.Mutex
	hosts []string
}

func (h *clientHosts) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Host)
	h.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (h *clientHosts) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hosts)
}

// clientNew is PrintShop's client for the public issuer, reaching Accounts at back.
func clientNew(back string, hosts *clientHosts, now func() time.Time) *Client {
	cfg := Config{Issuer: clientTestPublicIssuer, AuthServerURL: back, ClientID: clientTestID, ClientSecret: clientTestSecret,
		RedirectURL: clientTestRedirect, Scope: []string{"photos.read"}, Now: now}
	if hosts != nil {
		cfg.HTTPClient = &http.Client{Transport: hosts, Timeout: 10 * time.Second}
	}
	return NewClient(cfg)
}

// RFC 8414 §3.3: "If these values are not identical, the data contained in the response MUST
// NOT be used." The issuer is compared with PRINTING_ISSUER, the public identifier, never with
// the back-channel URL the metadata came from.
func TestClientRefusesMetadataOfAnotherIssuerRFC8414Section3_3(t *testing.T) {
	cases := []struct {
		name   string
		issuer func(a *clientAccounts) string
	}{
		{"another issuer", func(*clientAccounts) string { return "https://accounts.evil.example" }},
		{"the issuer with a trailing slash", func(*clientAccounts) string { return clientTestPublicIssuer + "/" }},
		{"the issuer in another case", func(*clientAccounts) string { return strings.ToUpper(clientTestPublicIssuer) }},
		{"the back-channel URL instead of the public issuer", func(a *clientAccounts) string { return a.srv.URL }},
		{"no issuer", func(*clientAccounts) string { return "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := clientNewAccounts(t)
			a.set("issuer", tc.issuer(a))
			c := clientNew(a.srv.URL, nil, nil)
			_, err := c.Discover(t.Context())
			if err == nil {
				t.Fatal("the metadata was accepted")
			}
			for _, want := range []string{"PRINTING_ISSUER", "RFC 8414 §3.3", clientTestPublicIssuer} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error %q does not name %q", err, want)
				}
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("a mismatch is reported as Accounts being unreachable: %v", err)
			}
			if _, err := c.StartAuthorization(t.Context()); err == nil {
				t.Error("StartAuthorization went ahead with refused metadata")
			}
		})
	}
}

// RFC 7636 §4.2 and RFC 9700 §2.1.1: PrintShop uses PKCE with S256 only; metadata that does
// not list S256 is refused.
func TestClientRefusesMetadataWithoutS256RFC7636Section4_2(t *testing.T) {
	cases := []struct {
		name    string
		methods any
	}{
		{"no code_challenge_methods_supported", nil},
		{"plain only", []string{"plain"}},
		{"empty list", []string{}},
		{"S256 in another case", []string{"s256"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := clientNewAccounts(t)
			a.set("code_challenge_methods_supported", tc.methods)
			_, err := clientNew(a.srv.URL, nil, nil).Discover(t.Context())
			if err == nil || !strings.Contains(err.Error(), "S256") {
				t.Errorf("got err %v, want a refusal naming S256", err)
			}
		})
	}
}

// The issue: endpoints that are not on the issuer's URL are refused. PrintShop would send the
// user, its codes, its client secret or its refresh tokens there.
func TestClientRefusesEndpointsNotOnTheIssuer(t *testing.T) {
	cases := []struct{ field, value string }{
		{"authorization_endpoint", "https://accounts.evil.example/authorize"},
		{"authorization_endpoint", clientTestPublicIssuer + ".evil.example/authorize"},
		{"authorization_endpoint", clientTestPublicIssuer + "1/authorize"},
		{"token_endpoint", "https://accounts.evil.example/token"},
		{"token_endpoint", clientTestPublicIssuer + ".evil.example/token"},
		{"revocation_endpoint", "https://accounts.evil.example/revoke"},
		{"revocation_endpoint", clientTestPublicIssuer + ".evil.example/revoke"},
	}
	for _, tc := range cases {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			a := clientNewAccounts(t)
			a.set(tc.field, tc.value)
			if _, err := clientNew(a.srv.URL, nil, nil).Discover(t.Context()); err == nil {
				t.Errorf("metadata with %s %q was accepted", tc.field, tc.value)
			}
		})
	}
}

// A revocation endpoint whose URL merely starts with the issuer's must not lead PrintShop to
// send its refresh token and client secret to another host. Here the public issuer is also the
// back channel (the default when PRINTING_AUTHSERVER_URL is unset).
func TestClientRevokeNeverLeavesTheBackChannel(t *testing.T) {
	a := clientNewAccounts(t)
	evil := "accounts.public.test.evil.example"
	a.set("revocation_endpoint", "http://"+evil+"/revoke")
	hosts := &clientHosts{}
	// A transport that sends accounts.public.test to the test Accounts, and anything else
	// nowhere, recording every host asked for.
	back := &http.Client{Timeout: 10 * time.Second, Transport: clientRoute{
		hosts: hosts, routes: map[string]string{"accounts.public.test": strings.TrimPrefix(a.srv.URL, "http://")}}}
	c := NewClient(Config{Issuer: clientTestPublicIssuer, AuthServerURL: clientTestPublicIssuer, ClientID: clientTestID,
		ClientSecret: clientTestSecret, RedirectURL: clientTestRedirect, Scope: []string{"photos.read"}, HTTPClient: back})

	_ = c.Revoke(t.Context(), "rt-secret", "refresh_token")

	for _, host := range hosts.seen() {
		if host != "accounts.public.test" {
			t.Errorf("PrintShop sent a request to %q, not to the back channel", host)
		}
	}
}

// clientRoute sends requests for the hosts in routes to the mapped address, and refuses any
// other host; it records every host asked for.
type clientRoute struct {
	hosts  *clientHosts
	routes map[string]string
}

func (r clientRoute) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hosts.mu.Lock()
	r.hosts.hosts = append(r.hosts.hosts, req.URL.Host)
	r.hosts.mu.Unlock()
	to, ok := r.routes[req.URL.Host]
	if !ok {
		return nil, errors.New("clientRoute: no route to " + req.URL.Host)
	}
	req = req.Clone(req.Context())
	req.URL.Host = to
	return http.DefaultTransport.RoundTrip(req)
}

// The two channels: the browser goes to the public authorization endpoint; metadata, token and
// revocation requests go to the back channel, with the same paths, and HTTP Basic client
// authentication encoded per RFC 6749 §2.3.1.
func TestClientBackChannelMapping(t *testing.T) {
	a := clientNewAccounts(t)
	hosts := &clientHosts{}
	c := clientNew(a.srv.URL, hosts, nil)
	ctx := t.Context()

	start, err := c.StartAuthorization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := url.Parse(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := auth.Scheme+"://"+auth.Host+auth.Path, clientTestPublicIssuer+"/authorize"; got != want {
		t.Errorf("the browser is sent to %q, want the public %q", got, want)
	}
	sum := sha256.Sum256([]byte(start.Verifier))
	for name, want := range map[string]string{
		"response_type": "code", "client_id": clientTestID, "redirect_uri": clientTestRedirect, "scope": "photos.read",
		"state": start.State, "code_challenge_method": "S256", "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]),
	} {
		if got := auth.Query().Get(name); got != want {
			t.Errorf("authorization request %s = %q, want %q", name, got, want)
		}
	}
	if strings.Contains(start.URL, start.Verifier) {
		t.Error("the verifier itself is in the authorization request")
	}
	if len(start.Verifier) < 43 || start.State == "" {
		t.Errorf("verifier %d characters and state %q, want at least 43 (RFC 7636 §4.1) and a state", len(start.Verifier), start.State)
	}
	again, err := c.StartAuthorization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.State == start.State || again.Verifier == start.Verifier {
		t.Error("two authorizations share their state or verifier")
	}

	tok, err := c.Exchange(ctx, "code-1", start.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at-1" || tok.RefreshToken != "rt-2" {
		t.Errorf("exchange: got %q/%q, want at-1/rt-2", tok.AccessToken, tok.RefreshToken)
	}
	if _, err := c.Refresh(ctx, "rt-1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, "rt-2", "refresh_token"); err != nil {
		t.Fatal(err)
	}

	back := strings.TrimPrefix(a.srv.URL, "http://")
	for _, host := range hosts.seen() {
		if host != back {
			t.Errorf("a server-to-server request went to %q, want the back channel %q", host, back)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tokens) != 2 || len(a.revokes) != 1 {
		t.Fatalf("the back channel saw %d token and %d revocation requests, want 2 and 1", len(a.tokens), len(a.revokes))
	}
	code := a.tokens[0]
	for name, want := range map[string]string{"grant_type": "authorization_code", "code": "code-1",
		"code_verifier": start.Verifier, "redirect_uri": clientTestRedirect} {
		if got := code.Get(name); got != want {
			t.Errorf("code exchange %s = %q, want %q", name, got, want)
		}
	}
	refresh := a.tokens[1]
	if refresh.Get("grant_type") != "refresh_token" || refresh.Get("refresh_token") != "rt-1" {
		t.Errorf("refresh request %v, want grant_type=refresh_token and refresh_token=rt-1", refresh)
	}
	if got := a.revokes[0]; got.Get("token") != "rt-2" || got.Get("token_type_hint") != "refresh_token" {
		t.Errorf("revocation request %v, want token=rt-2 and token_type_hint=refresh_token (RFC 7009 §2.1)", got)
	}
	for i, got := range a.basicAuth {
		if want := clientTestID + ":" + clientTestSecret; got != want {
			t.Errorf("request %d: Basic credentials %q, want %q", i, got, want)
		}
	}
}

// clientTokenAnswer answers the token endpoint with status, Content-Type and body.
func clientTokenAnswer(status int, contentType, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// RFC 6749 §5.2: invalid_grant means the code or refresh token is no longer honoured (the user
// must authorize again); other error codes are Accounts saying no; no answer at all, or one that
// is not an OAuth error, is Accounts being unreachable.
func TestClientClassifiesTokenErrorsRFC6749Section5_2(t *testing.T) {
	cases := []struct {
		name            string
		answer          func(http.ResponseWriter, *http.Request)
		closed          bool // the back channel is gone altogether
		wantInvalid     bool
		wantUnreachable bool
		wantText        string
	}{
		{name: "invalid_grant", answer: clientTokenAnswer(http.StatusBadRequest, "application/json",
			`{"error":"invalid_grant","error_description":"the refresh token was revoked"}`),
			wantInvalid: true, wantText: "the refresh token was revoked"},
		{name: "invalid_grant with a charset", answer: clientTokenAnswer(http.StatusBadRequest, "application/json;charset=UTF-8",
			`{"error":"invalid_grant"}`), wantInvalid: true},
		{name: "invalid_client", answer: clientTokenAnswer(http.StatusUnauthorized, "application/json",
			`{"error":"invalid_client","error_description":"who are you"}`), wantText: "invalid_client"},
		{name: "unauthorized_client", answer: clientTokenAnswer(http.StatusBadRequest, "application/json",
			`{"error":"unauthorized_client"}`), wantText: "unauthorized_client"},
		{name: "500 without an OAuth error", answer: clientTokenAnswer(http.StatusInternalServerError, "text/plain", "oops"),
			wantUnreachable: true},
		{name: "503 from a proxy", answer: clientTokenAnswer(http.StatusServiceUnavailable, "text/html", "<h1>down</h1>"),
			wantUnreachable: true},
		{name: "no answer at all", closed: true, wantUnreachable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := clientNewAccounts(t)
			a.token = tc.answer
			c := clientNew(a.srv.URL, nil, nil)
			if _, err := c.Discover(t.Context()); err != nil {
				t.Fatal(err)
			}
			if tc.closed {
				a.srv.Close()
			}
			for _, call := range []struct {
				name string
				do   func(ctx context.Context) error
			}{
				{"refresh", func(ctx context.Context) error { _, err := c.Refresh(ctx, "rt-1"); return err }},
				{"exchange", func(ctx context.Context) error { _, err := c.Exchange(ctx, "code-1", "verifier"); return err }},
			} {
				err := call.do(t.Context())
				if err == nil {
					t.Fatalf("%s: got no error", call.name)
				}
				if got := errors.Is(err, ErrInvalidGrant); got != tc.wantInvalid {
					t.Errorf("%s: errors.Is(%v, ErrInvalidGrant) = %v, want %v", call.name, err, got, tc.wantInvalid)
				}
				if got := errors.Is(err, ErrUnreachable); got != tc.wantUnreachable {
					t.Errorf("%s: errors.Is(%v, ErrUnreachable) = %v, want %v", call.name, err, got, tc.wantUnreachable)
				}
				if !strings.Contains(err.Error(), tc.wantText) {
					t.Errorf("%s: error %q does not say %q", call.name, err, tc.wantText)
				}
			}
		})
	}
	if classify(nil) != nil {
		t.Error("classify(nil) is not nil")
	}
}

// Metadata that cannot be had is Accounts being unreachable, so pages can say so.
func TestClientMetadataUnreachable(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }},
		{"404", http.NotFound},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }},
		{"closed", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			if tc.handler == nil {
				srv.Close()
			}
			_, err := clientNew(srv.URL, nil, nil).Discover(t.Context())
			if !errors.Is(err, ErrUnreachable) {
				t.Errorf("got err %v, want %v", err, ErrUnreachable)
			}
		})
	}
}

// Metadata is fetched once and trusted for metadataTTL, then fetched again.
func TestClientMetadataCachedForItsTTL(t *testing.T) {
	a := clientNewAccounts(t)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	c := clientNew(a.srv.URL, nil, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	for range 3 {
		if _, err := c.Discover(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	now = now.Add(metadataTTL + time.Second)
	mu.Unlock()
	if _, err := c.Discover(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fetches != 2 {
		t.Errorf("metadata fetches: got %d, want %d", a.fetches, 2)
	}
}

// Revoke reports a refusal, and metadata without a revocation endpoint.
func TestClientRevokeErrors(t *testing.T) {
	t.Run("no revocation_endpoint", func(t *testing.T) {
		a := clientNewAccounts(t)
		a.set("revocation_endpoint", nil)
		if err := clientNew(a.srv.URL, nil, nil).Revoke(t.Context(), "rt", "refresh_token"); err == nil {
			t.Error("got no error")
		}
	})
	t.Run("refused", func(t *testing.T) {
		mux := http.NewServeMux()
		a := clientNewAccounts(t)
		mux.Handle("GET /", a.srv.Config.Handler)
		mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		if err := clientNew(srv.URL, nil, nil).Revoke(t.Context(), "rt", "refresh_token"); err == nil {
			t.Error("got no error")
		}
	})
}

// RFC 6749 §5.1: scope in the token response is what was granted; absent, it is what was
// requested.
func TestClientGrantedScopeRFC6749Section5_1(t *testing.T) {
	requested := []string{"photos.read"}
	cases := []struct {
		name  string
		extra map[string]any
		want  []string
	}{
		{"as requested", map[string]any{"scope": "photos.read"}, []string{"photos.read"}},
		{"narrower", map[string]any{"scope": "profile"}, []string{"profile"}},
		{"several", map[string]any{"scope": "photos.read  photos.write"}, []string{"photos.read", "photos.write"}},
		{"absent", map[string]any{}, requested},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := (&oauth2.Token{AccessToken: "at"}).WithExtra(tc.extra)
			if got := GrantedScope(tok, requested); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
