package web

// Tests of the implicit flow exhibit at /legacy (RFC 6749 §4.2): the page offers the flow only
// when Accounts' metadata lists response type "token", explains how to open it otherwise, and
// runs one script from /static, never an inline one.

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

// legacyTestPublicURL is PrintShop's public URL in these tests; the legacy redirect URI is on it.
const legacyTestPublicURL = "http://localhost:9000"

// legacyTestShop starts PrintShop against a small Accounts that serves only its metadata, with
// the given response_types_supported. down makes Accounts answer 503.
func legacyTestShop(t *testing.T, responseTypes []string, down bool) (shopURL, accountsURL string) {
	t.Helper()
	var accounts *httptest.Server
	accounts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down || r.URL.Path != "/.well-known/oauth-authorization-server" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                         accounts.URL,
			"authorization_endpoint":                         accounts.URL + "/authorize",
			"token_endpoint":                                 accounts.URL + "/token",
			"revocation_endpoint":                            accounts.URL + "/revoke",
			"code_challenge_methods_supported":               []string{"S256"},
			"response_types_supported":                       responseTypes,
			"authorization_response_iss_parameter_supported": true,
		})
	}))
	t.Cleanup(accounts.Close)

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "printing.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := oauth.NewClient(oauth.Config{
		Issuer: accounts.URL, AuthServerURL: accounts.URL,
		ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: legacyTestPublicURL + "/callback", Scope: []string{"photos.read"},
	})
	handler, err := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), st, client,
		photosapi.New("http://127.0.0.1:1", &http.Client{Timeout: time.Second}), flow.NewRecorder(st, time.Now),
		Config{PublicURL: legacyTestPublicURL})
	if err != nil {
		t.Fatal(err)
	}
	shop := httptest.NewServer(handler)
	t.Cleanup(shop.Close)
	return shop.URL, accounts.URL
}

// legacyTestGet fetches a page and returns it with its body.
func legacyTestGet(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var (
	legacyTestTryLink = regexp.MustCompile(`id="try-implicit" href="([^"]+)"`)
	legacyTestScripts = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
)

// With the implicit flow off at Accounts (no "token" in response_types_supported), the page
// offers no link and says how to turn it on.
func TestLegacyClosedExplainsHowToOpen(t *testing.T) {
	for _, tc := range []struct {
		name          string
		responseTypes []string
		down          bool
		want          []string
	}{
		{"metadata without token", []string{"code"}, false, nil},
		{"Accounts unreachable", nil, true, []string{"Accounts cannot be reached"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop, _ := legacyTestShop(t, tc.responseTypes, tc.down)
			resp, body := legacyTestGet(t, shop+"/legacy")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want %d", resp.StatusCode, http.StatusOK)
			}
			if legacyTestTryLink.MatchString(body) || strings.Contains(body, "response_type=token&amp;") {
				t.Error("the page offers the implicit flow, but Accounts does not list response type token")
			}
			want := append([]string{"AUTHSERVER_ENABLE_IMPLICIT=true", "restart", "Docker Compose", "authserver",
				"unsupported_response_type"}, tc.want...)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("the page does not say %q", w)
				}
			}
		})
	}
}

// With "token" in the metadata, the page links to Accounts' authorization endpoint with an
// implicit request (RFC 6749 §4.2.1): response_type=token, client_id=legacy, the /legacy redirect
// URI, a scope and a fresh state, and no PKCE.
func TestLegacyOpenLinksToImplicitRequest(t *testing.T) {
	shop, accounts := legacyTestShop(t, []string{"code", "token"}, false)
	_, body := legacyTestGet(t, shop+"/legacy")
	m := legacyTestTryLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no Try the implicit flow link on the page:\n%s", body)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != accounts+"/authorize" {
		t.Errorf("the link goes to %s, want the metadata's authorization endpoint %s/authorize", got, accounts)
	}
	q := u.Query()
	want := map[string]string{"response_type": "token", "client_id": "legacy", "redirect_uri": legacyTestPublicURL + "/legacy", "scope": "photos.read"}
	for name, value := range want {
		if q.Get(name) != value {
			t.Errorf("got %s %q, want %q", name, q.Get(name), value)
		}
	}
	if len(q.Get("state")) < 22 {
		t.Errorf("got state %q, want a random value of at least 128 bits (RFC 6749 §10.12)", q.Get("state"))
	}
	if q.Has("code_challenge") {
		t.Error("the implicit request carries a code_challenge; there is no code for it to protect")
	}
	_, again := legacyTestGet(t, shop+"/legacy")
	if m2 := legacyTestTryLink.FindStringSubmatch(again); m2 == nil || m2[1] == m[1] {
		t.Error("two page loads got the same state; each must be fresh")
	}
}

// The page works without JavaScript: its one script comes from /static (the CSP allows
// script-src 'self' only), no script is inline, and the text says where the token is.
func TestLegacyPageScriptAndText(t *testing.T) {
	shop, _ := legacyTestShop(t, []string{"code", "token"}, false)
	resp, body := legacyTestGet(t, shop+"/legacy")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("got Content-Security-Policy %q, want script-src 'self' and no unsafe-inline", csp)
	}
	scripts := legacyTestScripts.FindAllStringSubmatch(body, -1)
	if len(scripts) != 1 || !strings.Contains(scripts[0][1], `src="/static/legacy.js"`) {
		t.Errorf("got scripts %q, want exactly one, /static/legacy.js", scripts)
	}
	for _, s := range scripts {
		if strings.TrimSpace(s[2]) != "" {
			t.Errorf("an inline script body: %q", s[2])
		}
	}
	for _, want := range []string{
		"in your address bar", "fragment", "never received it",
		"Browser history", "Referer", "logs", "XSS", "No refresh token", "No client authentication", "bearer token",
		"RFC 9700 §2.1.2", "OAuth 2.1", "code flow with PKCE",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}

	resp, js := legacyTestGet(t, shop+"/static/legacy.js")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("GET /static/legacy.js: got status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"location.hash", "textContent", "history.replaceState", "sessionStorage"} {
		if !strings.Contains(js, want) {
			t.Errorf("legacy.js does not use %s", want)
		}
	}
	for _, unsafe := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(js, unsafe) {
			t.Errorf("legacy.js uses %s; the fragment is attacker-controlled, write it with textContent", unsafe)
		}
	}
}

// The home page links to the exhibit.
func TestLegacyLinkedFromHome(t *testing.T) {
	shop, _ := legacyTestShop(t, nil, false)
	if _, body := legacyTestGet(t, shop+"/"); !strings.Contains(body, `href="/legacy"`) {
		t.Error("the home page has no link to /legacy")
	}
}
