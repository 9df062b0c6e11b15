package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// mainTestBuffer collects the log that run writes from its own goroutines.
type mainTestBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *mainTestBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *mainTestBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mainTestEnv is a getenv that knows only vars.
func mainTestEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// mainTestAccounts is a stand-in for Accounts' JWKS, which the test can take down.
type mainTestAccounts struct {
	srv     *httptest.Server
	key     jwk.Key
	down    atomic.Bool
	fetches atomic.Int64
}

func newMainTestAccounts(t *testing.T) *mainTestAccounts {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, "main-test-key")
	key.Set(jwk.AlgorithmKey, jwa.RS256)
	key.Set(jwk.KeyUsageKey, "sig")
	a := &mainTestAccounts{key: key}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		a.fetches.Add(1)
		if a.down.Load() {
			http.Error(w, "Accounts is down", http.StatusInternalServerError)
			return
		}
		pub, _ := a.key.PublicKey()
		set := jwk.NewSet()
		set.AddKey(pub)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// token is an RFC 9068 access token for sub, for the default issuer and audience.
func (a *mainTestAccounts) token(t *testing.T, sub, scope string) string {
	t.Helper()
	now := time.Now()
	tok := jwt.New()
	for k, v := range map[string]any{
		"iss": "http://localhost:9001", "sub": sub, "aud": "http://localhost:9002",
		"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(), "jti": fmt.Sprintf("jti-%d", now.UnixNano()),
		"client_id": "printing", "scope": scope, "auth_time": now.Unix(),
	} {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tok.Options().Enable(jwt.FlattenAudience)
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, "at+jwt")
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, a.key, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// mainTestRun is one run() in the background.
type mainTestRun struct {
	addr   string
	logs   *mainTestBuffer
	done   chan error
	cancel context.CancelFunc
	once   sync.Once
	err    error
}

var mainTestListening = regexp.MustCompile(`msg="Photos is listening" addr=(\S+)`)

// mainTestStart runs the server with env and waits, with a deadline, for the log line that
// gives its real address.
func mainTestStart(t *testing.T, env map[string]string, wait time.Duration) *mainTestRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &mainTestRun{logs: &mainTestBuffer{}, done: make(chan error, 1), cancel: cancel}
	go func() { r.done <- run(ctx, nil, mainTestEnv(env), r.logs) }()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.After(wait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := mainTestListening.FindStringSubmatch(r.logs.String()); m != nil {
			r.addr = m[1]
			return r
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("run returned before listening: %v\n%s", err, r.logs)
		case <-deadline:
			t.Fatalf("no %q log line within %s:\n%s", "Photos is listening", wait, r.logs)
		case <-tick.C:
		}
	}
}

// stop cancels run's context and returns what run returned, failing if it takes over 5 s.
func (r *mainTestRun) stop(t *testing.T) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(5 * time.Second):
			r.err = fmt.Errorf("run did not return within 5 s of cancel")
			t.Errorf("run did not return within 5 s of cancel")
		}
	})
	return r.err
}

// get asks the running server for path, with a bearer token unless token is "".
func (r *mainTestRun) get(t *testing.T, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+r.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// mainTestBaseEnv is a configuration that starts quickly: no demo library, a temp database,
// a free port and Accounts at authserver.
func mainTestBaseEnv(t *testing.T, authserver string) map[string]string {
	return map[string]string{
		"PHOTOS_ADDR":           "127.0.0.1:0",
		"PHOTOS_DB":             filepath.Join(t.TempDir(), "photos.db"),
		"PHOTOS_AUTHSERVER_URL": authserver,
		"PHOTOS_DEMO_LIBRARY":   "false",
	}
}

// STYLE.md "main and configuration": run listens on the address it is given, logs the real
// one, serves /healthz and the API, answers the healthcheck subcommand, and returns nil when
// its context ends.
func TestRunServes(t *testing.T) {
	accounts := newMainTestAccounts(t)
	env := mainTestBaseEnv(t, accounts.srv.URL)
	r := mainTestStart(t, env, 30*time.Second)

	t.Run("GET /healthz is 200 (CONTRACT Photos)", func(t *testing.T) {
		if resp, body := r.get(t, "/healthz", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("got status %d, want 200: %s", resp.StatusCode, body)
		}
	})
	t.Run("GET /api/photos without a token is 401 with a Bearer challenge (RFC 6750 §3.1)", func(t *testing.T) {
		resp, body := r.get(t, "/api/photos", "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got status %d, want 401: %s", resp.StatusCode, body)
		}
		if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer realm="photos"`) || strings.Contains(got, "error=") {
			t.Errorf("got WWW-Authenticate %q, want a Bearer realm=\"photos\" challenge without error", got)
		}
	})
	t.Run("a good token from Accounts' keys opens the API (RFC 9068 §4)", func(t *testing.T) {
		resp, body := r.get(t, "/api/photos", accounts.token(t, "alice", "photos.read"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200: %s", resp.StatusCode, body)
		}
		if got := strings.TrimSpace(string(body)); got != `{"photos":[]}` {
			t.Errorf("got %s, want an empty library without the demo photos", got)
		}
	})
	t.Run("the metadata names the default public URL and issuer (RFC 9728 §2)", func(t *testing.T) {
		_, body := r.get(t, "/.well-known/oauth-protected-resource", "")
		var doc struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Resource != "http://localhost:9002" || len(doc.AuthorizationServers) != 1 || doc.AuthorizationServers[0] != "http://localhost:9001" {
			t.Errorf("got %+v, want resource http://localhost:9002 and issuer http://localhost:9001", doc)
		}
	})
	t.Run("healthcheck succeeds against the running server", func(t *testing.T) {
		hc := map[string]string{"PHOTOS_ADDR": r.addr}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := run(ctx, []string{"healthcheck"}, mainTestEnv(hc), io.Discard); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
	t.Run("the demo library is off with PHOTOS_DEMO_LIBRARY=false", func(t *testing.T) {
		if strings.Contains(r.logs.String(), "made the demo library") {
			t.Errorf("the demo library was made:\n%s", r.logs)
		}
	})
	t.Run("cancelling the context makes run return nil within 5 s", func(t *testing.T) {
		if err := r.stop(t); err != nil {
			t.Errorf("got %v, want nil", err)
		}
		if _, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
			t.Errorf("%s still accepts connections after run returned", r.addr)
		}
	})
}

// Photos starts while Accounts is down (STYLE.md: keys are fetched lazily), keeps serving
// /healthz, and answers a token with 503 and a message naming Accounts: Photos cannot check
// it, which is not the client's fault (not 401) and not a crash.
func TestRunAccountsDown(t *testing.T) {
	accounts := newMainTestAccounts(t)
	accounts.down.Store(true)
	r := mainTestStart(t, mainTestBaseEnv(t, accounts.srv.URL), 30*time.Second)
	token := accounts.token(t, "alice", "photos.read")

	t.Run("a token request is 503 with Retry-After and names Accounts", func(t *testing.T) {
		resp, body := r.get(t, "/api/photos", token)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("got status %d, want 503: %s", resp.StatusCode, body)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("a 503 without Retry-After")
		}
		var e map[string]string
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("not JSON: %s", body)
		}
		if !strings.Contains(e["error_description"], "Accounts") {
			t.Errorf("got error_description %q, want it to name Accounts", e["error_description"])
		}
	})
	t.Run("healthz is still 200: Photos itself is fine", func(t *testing.T) {
		if resp, _ := r.get(t, "/healthz", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("got status %d, want 200", resp.StatusCode)
		}
	})
	t.Run("once Accounts is back, the token works", func(t *testing.T) {
		accounts.down.Store(false)
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, body := r.get(t, "/api/photos", token)
			if resp.StatusCode == http.StatusOK {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("got status %d 15 s after Accounts came back, want 200: %s", resp.StatusCode, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	t.Run("the server did not stop", func(t *testing.T) {
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("run returned %v", err)
		default:
		}
	})
}

// CONTRACT "Alice and Bob start with a small library of generated sample photos", made once per
// database: the first start makes it, a restart on the same database does not make it again.
func TestRunDemoLibraryOnce(t *testing.T) {
	accounts := newMainTestAccounts(t)
	env := mainTestBaseEnv(t, accounts.srv.URL)
	delete(env, "PHOTOS_DEMO_LIBRARY") // the default is true
	list := func(t *testing.T, r *mainTestRun, user string) []map[string]any {
		t.Helper()
		resp, body := r.get(t, "/api/photos", accounts.token(t, user, "photos.read"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200: %s", resp.StatusCode, body)
		}
		var l struct {
			Photos []map[string]any `json:"photos"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		return l.Photos
	}

	first := mainTestStart(t, env, 2*time.Minute)
	var alice, bob []map[string]any
	t.Run("the first start makes the demo library", func(t *testing.T) {
		if !strings.Contains(first.logs.String(), `msg="made the demo library"`) {
			t.Errorf("no %q log line:\n%s", "made the demo library", first.logs)
		}
	})
	t.Run("alice and bob each have their own sample photos", func(t *testing.T) {
		alice, bob = list(t, first, "alice"), list(t, first, "bob")
		if len(alice) == 0 || len(bob) == 0 {
			t.Fatalf("got %d photos for alice and %d for bob, want some each", len(alice), len(bob))
		}
		ids := map[any]bool{}
		for _, p := range alice {
			ids[p["id"]] = true
		}
		for _, p := range bob {
			if ids[p["id"]] {
				t.Errorf("photo %v is in both libraries", p["id"])
			}
		}
		resp, body := first.get(t, fmt.Sprintf("/api/photos/%v/content", alice[0]["id"]), accounts.token(t, "alice", "photos.read"))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || len(body) == 0 {
			t.Errorf("content: got status %d, %q, %d bytes; want a JPEG", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	})
	if err := first.stop(t); err != nil {
		t.Fatalf("first run: %v", err)
	}

	second := mainTestStart(t, env, time.Minute)
	t.Run("a second start on the same database does not make it again", func(t *testing.T) {
		if strings.Contains(second.logs.String(), "made the demo library") {
			t.Errorf("the demo library was made again:\n%s", second.logs)
		}
	})
	t.Run("the libraries are the same size after the restart", func(t *testing.T) {
		if got := len(list(t, second, "alice")); got != len(alice) {
			t.Errorf("got %d photos for alice, want %d", got, len(alice))
		}
		if got := len(list(t, second, "bob")); got != len(bob) {
			t.Errorf("got %d photos for bob, want %d", got, len(bob))
		}
	})
}

// CONTRACT "Modules, ports, URLs": "A bad value stops the program at start with one clear line
// naming the variable", and STYLE.md: every bad variable is reported at once.
func TestRunBadConfiguration(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	urlVars := []string{"PHOTOS_PUBLIC_URL", "PHOTOS_ISSUER", "PHOTOS_AUDIENCE", "PHOTOS_AUTHSERVER_URL", "PHOTOS_PRINTSHOP_URL"}
	badURLs := []struct{ why, value string }{
		{"a trailing slash (identifiers are compared verbatim, RFC 9068 §4)", "http://localhost:9001/"},
		{"a path", "http://localhost:9001/oauth"},
		{"no scheme", "localhost:9001"},
		{"a query", "http://localhost:9001?x=1"},
		{"a fragment", "http://localhost:9001#top"},
		{"another scheme", "ftp://localhost:9001"},
		{"user information", "http://user:pass@localhost:9001"},
	}
	type testCase struct {
		name string
		set  map[string]string
		want []string // variables the error must name
	}
	var tests []testCase
	for _, name := range urlVars {
		for _, bad := range badURLs {
			tests = append(tests, testCase{name + " with " + bad.why, map[string]string{name: bad.value}, []string{name}})
		}
	}
	tests = append(tests,
		testCase{"PHOTOS_TOKEN_CHECK=maybe", map[string]string{"PHOTOS_TOKEN_CHECK": "maybe"}, []string{"PHOTOS_TOKEN_CHECK"}},
		testCase{"PHOTOS_LOG_LEVEL=loud", map[string]string{"PHOTOS_LOG_LEVEL": "loud"}, []string{"PHOTOS_LOG_LEVEL"}},
		testCase{"PHOTOS_DEMO_LIBRARY=yes", map[string]string{"PHOTOS_DEMO_LIBRARY": "yes"}, []string{"PHOTOS_DEMO_LIBRARY"}},
		testCase{"PHOTOS_ADDR that is not an address", map[string]string{"PHOTOS_ADDR": "not an address"}, []string{"PHOTOS_ADDR"}},
		testCase{"PHOTOS_DB under a file", map[string]string{"PHOTOS_DB": filepath.Join(notADir, "photos.db")}, []string{"PHOTOS_DB"}},
		testCase{"several bad variables are all reported at once", map[string]string{
			"PHOTOS_PUBLIC_URL":     "http://localhost:9002/",
			"PHOTOS_ISSUER":         "localhost:9001",
			"PHOTOS_AUDIENCE":       "http://localhost:9002/api",
			"PHOTOS_AUTHSERVER_URL": "http://authserver:9001?x=1",
			"PHOTOS_TOKEN_CHECK":    "maybe",
			"PHOTOS_DEMO_LIBRARY":   "yes",
		}, []string{"PHOTOS_PUBLIC_URL", "PHOTOS_ISSUER", "PHOTOS_AUDIENCE", "PHOTOS_AUTHSERVER_URL", "PHOTOS_TOKEN_CHECK", "PHOTOS_DEMO_LIBRARY"}},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := mainTestBaseEnv(t, "http://127.0.0.1:1")
			delete(env, "PHOTOS_AUTHSERVER_URL") // defaults to PHOTOS_ISSUER
			for k, v := range tc.set {
				env[k] = v
			}
			err := mainTestRunBriefly(t, env)
			if err == nil {
				t.Fatalf("run returned nil, want an error naming %v", tc.want)
			}
			msg := err.Error()
			for _, name := range tc.want {
				if !strings.Contains(msg, name) {
					t.Errorf("the error does not name %s:\n%s", name, msg)
				}
			}
		})
	}

	// "One clear line naming the variable": a variable that was not set, but defaults to the bad
	// one, is not blamed as well.
	derived := []struct{ name, set, derived string }{
		{"a bad PHOTOS_PUBLIC_URL is not also blamed on PHOTOS_AUDIENCE, which defaults to it", "PHOTOS_PUBLIC_URL", "PHOTOS_AUDIENCE"},
		{"a bad PHOTOS_ISSUER is not also blamed on PHOTOS_AUTHSERVER_URL, which defaults to it", "PHOTOS_ISSUER", "PHOTOS_AUTHSERVER_URL"},
	}
	for _, tc := range derived {
		t.Run(tc.name, func(t *testing.T) {
			env := mainTestBaseEnv(t, "")
			delete(env, "PHOTOS_AUTHSERVER_URL")
			env[tc.set] = "http://localhost:9001/"
			err := mainTestRunBriefly(t, env)
			if err == nil {
				t.Fatalf("run returned nil, want an error naming %s", tc.set)
			}
			if !strings.Contains(err.Error(), tc.set) {
				t.Errorf("the error does not name %s:\n%v", tc.set, err)
			}
			if strings.Contains(err.Error(), tc.derived) {
				t.Errorf("the error blames %s, which was not set:\n%v", tc.derived, err)
			}
		})
	}
}

// mainTestRunBriefly runs with env and expects run to return by itself: a bad configuration
// must stop the program at start. If it starts serving instead, it is stopped after 10 s.
func mainTestRunBriefly(t *testing.T, env map[string]string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	logs := &mainTestBuffer{}
	go func() { done <- run(ctx, nil, mainTestEnv(env), logs) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("run did not stop at start; it is serving:\n%s", logs)
		return nil
	}
}

// The healthcheck subcommand is how a container FROM scratch checks itself: an error when
// nothing listens on PHOTOS_ADDR's port, or when /healthz is not 200; an unknown command is an
// error too.
func TestRunHealthcheckFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	unhealthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database not reachable", http.StatusServiceUnavailable)
	}))
	defer unhealthy.Close()

	tests := []struct {
		name string
		args []string
		addr string
	}{
		{"nothing listens on PHOTOS_ADDR", []string{"healthcheck"}, free},
		{"the server's /healthz answers 503", []string{"healthcheck"}, unhealthy.Listener.Addr().String()},
		{"an unknown command", []string{"selfdestruct"}, free},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := run(ctx, tc.args, mainTestEnv(map[string]string{"PHOTOS_ADDR": tc.addr}), io.Discard); err == nil {
				t.Errorf("got nil, want an error")
			}
		})
	}
}
