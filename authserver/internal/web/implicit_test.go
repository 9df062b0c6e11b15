package web

// Tests of the implicit flow exhibit (RFC 6749 §4.2): off by default and refused as RFC 9700
// §2.1.2 advises; with AUTHSERVER_ENABLE_IMPLICIT on, the legacy client gets an access token in
// the redirect URI's fragment, and nothing else changes.

import (
	"context"
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
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/registry"
	"github.com/valet/authserver/internal/store"
)

const implicitTestRedirect = "http://localhost:9000/legacy"

// implicitTestServer starts Accounts as newTestServer does, with the test clients plus the
// public legacy client, and the implicit flow on or off.
func implicitTestServer(t testing.TB, enableImplicit bool) *testServer {
	t.Helper()
	clients := append(testClients(), registry.Client{
		ClientID: "legacy", Name: "Legacy gallery (implicit flow)",
		RedirectURIs: []string{implicitTestRedirect},
		GrantTypes:   []string{"implicit"},
		Scopes:       []string{"photos.read"},
	})
	if err := registry.Validate(clients, KnownScope); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "accounts.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := registry.Save(ctx, st, clients, registry.DemoUsers(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now().Truncate(time.Second)}
	keyring, err := keys.Open(ctx, st, keys.InUse(jwa.RS256), 11*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	logs := &syncBuffer{}
	handler, err := NewServer(slog.New(slog.NewTextHandler(logs, nil)), st, keyring, Config{
		Issuer: issuer, Audience: "http://localhost:9002", SigningAlg: jwa.RS256,
		AccessTokenTTL: 10 * time.Minute, RefreshTokenTTL: 24 * time.Hour, Now: clk.Now,
		EnableImplicit: enableImplicit,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{URL: issuer, Store: st, Clock: clk, Keys: keyring, Logs: logs, Handler: handler, DBPath: dbPath}
}

// implicitTestParams is an implicit request of the legacy client: no PKCE, as in 2012.
func implicitTestParams() url.Values {
	return url.Values{
		"response_type": {"token"},
		"client_id":     {"legacy"},
		"redirect_uri":  {implicitTestRedirect},
		"scope":         {"photos.read"},
		"state":         {"state-" + randomToken()[:8]},
	}
}

// implicitTestFragment parses the fragment of a redirect back to the client.
func implicitTestFragment(t *testing.T, u *url.URL) url.Values {
	t.Helper()
	// u.Fragment is already percent-decoded; the parameters are in the fragment as sent.
	v, err := url.ParseQuery(u.EscapedFragment())
	if err != nil {
		t.Fatalf("the fragment %q is not form-encoded (RFC 6749 Appendix B): %v", u.EscapedFragment(), err)
	}
	return v
}

// With the exhibit off, response_type=token keeps its old answer: unsupported_response_type in
// the query (RFC 6749 §4.1.2.1), with state and iss, and the description says how to turn it on.
func TestImplicitOffIsUnsupported(t *testing.T) {
	srv := implicitTestServer(t, false)
	for _, client := range []struct{ id, redirect string }{{"legacy", implicitTestRedirect}, {"printing", printingRedirect}} {
		t.Run(client.id, func(t *testing.T) {
			params := implicitTestParams()
			params.Set("client_id", client.id)
			params.Set("redirect_uri", client.redirect)
			u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
			if got := u.Scheme + "://" + u.Host + u.Path; got != client.redirect {
				t.Fatalf("redirected to %s, want %s", got, client.redirect)
			}
			q := u.Query()
			if q.Get("error") != "unsupported_response_type" {
				t.Errorf("got error %q, want unsupported_response_type (RFC 9700 §2.1.2)", q.Get("error"))
			}
			for _, want := range []string{"RFC 9700 §2.1.2", "response_type=code with PKCE", "AUTHSERVER_ENABLE_IMPLICIT=true"} {
				if !strings.Contains(q.Get("error_description"), want) {
					t.Errorf("error_description %q does not say %q", q.Get("error_description"), want)
				}
			}
			if q.Get("state") != params.Get("state") || q.Get("iss") != srv.URL {
				t.Errorf("got state %q iss %q, want %q and %q (RFC 9207 §2)", q.Get("state"), q.Get("iss"), params.Get("state"), srv.URL)
			}
			if u.Fragment != "" {
				t.Errorf("got fragment %q, want none: the implicit flow is off", u.Fragment)
			}
		})
	}
}

// RFC 6749 §4.2.2: with the exhibit on, the legacy client gets the access token in the
// fragment after login and consent, with token_type, expires_in, scope, state and iss, and no
// refresh token ("MUST NOT issue a refresh token"). The token is an ordinary RFC 9068 access
// token: it verifies against the JWKS, introspects active, and can be revoked.
func TestImplicitIssuesTokenInFragment(t *testing.T) {
	srv := implicitTestServer(t, true)
	b := newBrowser(t, srv)
	params := implicitTestParams()
	p := b.get("/authorize?" + params.Encode())
	if p.Request.URL.Path != "/login" {
		t.Fatalf("got %s, want the login page first", p.Request.URL.Path)
	}
	p = b.login(p, "alice", "wonderland")
	if p.Request.URL.Path != "/consent" {
		t.Fatalf("after login got %s, want the consent page: legacy is a public client (RFC 6749 §10.2)", p.Request.URL.Path)
	}
	p = b.consent(p, "allow", "photos.read")
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("got status %d, want 303", p.StatusCode)
	}
	if cc := p.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("got Cache-Control %q on a redirect that carries a token, want no-store", cc)
	}
	u := redirectBack(t, p)
	if got := u.Scheme + "://" + u.Host + u.Path; got != implicitTestRedirect {
		t.Fatalf("redirected to %s, want %s", got, implicitTestRedirect)
	}
	if u.RawQuery != "" {
		t.Errorf("got query %q, want none: the answer goes in the fragment (RFC 6749 §4.2.2)", u.RawQuery)
	}
	f := implicitTestFragment(t, u)
	want := map[string]string{"token_type": "Bearer", "expires_in": "600", "scope": "photos.read", "state": params.Get("state"), "iss": srv.URL}
	for name, value := range want {
		if f.Get(name) != value {
			t.Errorf("got %s %q in the fragment, want %q", name, f.Get(name), value)
		}
	}
	for _, name := range []string{"refresh_token", "code", "id_token"} {
		if f.Has(name) {
			t.Errorf("the fragment has %s; RFC 6749 §4.2.2 issues an access token only", name)
		}
	}
	token := f.Get("access_token")
	if token == "" {
		t.Fatalf("no access_token in the fragment %q", u.Fragment)
	}
	if strings.Contains(srv.Logs.String(), token) {
		t.Error("the access token is in Accounts' log")
	}

	set, err := jwk.Fetch(context.Background(), srv.base()+"/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseString(token, jwt.WithKeySet(set), jwt.WithValidate(true),
		jwt.WithIssuer(srv.URL), jwt.WithAudience("http://localhost:9002"), jwt.WithClock(jwt.ClockFunc(srv.Clock.Now)))
	if err != nil {
		t.Fatalf("the token does not verify against the published JWKS: %v", err)
	}
	if parsed.Subject() != "alice" || stringClaim(parsed, "client_id") != "legacy" || stringClaim(parsed, "scope") != "photos.read" {
		t.Errorf("got sub %q client_id %q scope %q, want alice, legacy, photos.read",
			parsed.Subject(), stringClaim(parsed, "client_id"), stringClaim(parsed, "scope"))
	}
	if body := introspect(t, srv, token); body["active"] != true || body["client_id"] != "legacy" {
		t.Errorf("introspection: got %v, want active for client legacy (RFC 7662 §2.2)", body)
	}

	// A public client revokes its own token with its client_id alone (RFC 7009 §2.1).
	resp, body := tokenRequest(t, srv, "/revoke", url.Values{"token": {token}, "client_id": {"legacy"}}, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: got status %d, want 200: %v", resp.StatusCode, body)
	}
	if body := introspect(t, srv, token); body["active"] != false {
		t.Errorf("introspection after revocation: got %v, want inactive", body)
	}
}

// RFC 6749 §10.2: a public client is asked for consent every time, implicit or not.
func TestImplicitAlwaysAsksConsent(t *testing.T) {
	srv := implicitTestServer(t, true)
	b := newBrowser(t, srv)
	b.authorize(implicitTestParams(), "alice", "wonderland")
	if p := b.get("/authorize?" + implicitTestParams().Encode()); p.Request.URL.Path != "/consent" {
		t.Errorf("second implicit request went to %s, want /consent", p.Request.URL.Path)
	}
}

// RFC 6749 §4.2.2.1: once the client and redirect URI are verified, errors of an implicit
// request go back in the fragment, with state and iss (RFC 9207 §2).
func TestImplicitErrorsGoInFragment(t *testing.T) {
	srv := implicitTestServer(t, true)
	tests := []struct {
		name     string
		change   func(url.Values)
		wantCode string
		wantDesc string
	}{
		{"a client not registered for implicit is unauthorized_client (RFC 6749 §4.2.2.1)", func(v url.Values) {
			v.Set("client_id", "printing")
			v.Set("redirect_uri", printingRedirect)
		}, "unauthorized_client", "implicit"},
		{"a scope the client did not register (RFC 6749 §3.3)", func(v url.Values) { v.Set("scope", "photos.read photos.delete") }, "invalid_scope", "not registered"},
		{"the token is never put in the query (Multiple Response Types §2.1)", func(v url.Values) { v.Set("response_mode", "query") }, "invalid_request", "fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			params := implicitTestParams()
			tc.change(params)
			u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
			if got := u.Scheme + "://" + u.Host + u.Path; got != params.Get("redirect_uri") {
				t.Fatalf("redirected to %s, want %s", got, params.Get("redirect_uri"))
			}
			if u.RawQuery != "" {
				t.Errorf("got query %q, want the error in the fragment", u.RawQuery)
			}
			f := implicitTestFragment(t, u)
			if f.Get("error") != tc.wantCode {
				t.Errorf("got error %q, want %q", f.Get("error"), tc.wantCode)
			}
			if !strings.Contains(f.Get("error_description"), tc.wantDesc) {
				t.Errorf("error_description %q does not mention %q", f.Get("error_description"), tc.wantDesc)
			}
			if f.Get("state") != params.Get("state") || f.Get("iss") != srv.URL {
				t.Errorf("got state %q iss %q, want %q and %q", f.Get("state"), f.Get("iss"), params.Get("state"), srv.URL)
			}
			if f.Has("access_token") {
				t.Error("an error response carries an access token")
			}
		})
	}

	t.Run("a denial at the consent page is access_denied in the fragment (RFC 6749 §4.2.2.1)", func(t *testing.T) {
		b := newBrowser(t, srv)
		params := implicitTestParams()
		p := b.login(b.get("/authorize?"+params.Encode()), "alice", "wonderland")
		u := redirectBack(t, b.consent(p, "deny"))
		f := implicitTestFragment(t, u)
		if u.RawQuery != "" || f.Get("error") != "access_denied" || f.Get("state") != params.Get("state") || f.Get("iss") != srv.URL {
			t.Errorf("got %s, want access_denied with state and iss in the fragment", u)
		}
	})

	t.Run("prompt=none for a public client is consent_required in the fragment (OpenID Connect Core §3.1.2.6)", func(t *testing.T) {
		b := newBrowser(t, srv)
		b.signIn("alice", "wonderland")
		params := implicitTestParams()
		params.Set("prompt", "none")
		u := redirectBack(t, b.get("/authorize?"+params.Encode()))
		if f := implicitTestFragment(t, u); u.RawQuery != "" || f.Get("error") != "consent_required" {
			t.Errorf("got %s, want consent_required in the fragment", u)
		}
	})

	t.Run("the legacy client cannot use the code flow (RFC 6749 §4.1.2.1)", func(t *testing.T) {
		params := authParams("photos.read")
		params.Set("client_id", "legacy")
		params.Set("redirect_uri", implicitTestRedirect)
		u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
		if got := u.Query().Get("error"); got != "unauthorized_client" || u.Fragment != "" {
			t.Errorf("got %s, want unauthorized_client in the query", u)
		}
	})
}

// RFC 8414 §2 and the contract: the metadata lists the implicit flow (response type token,
// response mode fragment, grant type implicit) only while the exhibit is on.
func TestImplicitMetadata(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv := implicitTestServer(t, on)
		var doc struct {
			ResponseTypes []string `json:"response_types_supported"`
			ResponseModes []string `json:"response_modes_supported"`
			GrantTypes    []string `json:"grant_types_supported"`
		}
		if err := json.Unmarshal([]byte(newBrowser(t, srv).get("/.well-known/oauth-authorization-server").Body), &doc); err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{
			"response_types_supported token":    slices.Contains(doc.ResponseTypes, "token"),
			"response_modes_supported fragment": slices.Contains(doc.ResponseModes, "fragment"),
			"grant_types_supported implicit":    slices.Contains(doc.GrantTypes, "implicit"),
		}
		for what, got := range listed {
			if got != on {
				t.Errorf("implicit on=%v: %s listed=%v, want %v", on, what, got, on)
			}
		}
		if !slices.Contains(doc.ResponseTypes, "code") || slices.Contains(doc.GrantTypes, "password") {
			t.Errorf("implicit on=%v: got response types %v, grant types %v", on, doc.ResponseTypes, doc.GrantTypes)
		}
	}
}
