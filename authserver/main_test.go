package main

// Tests of the program as a whole: run() with a test environment, on 127.0.0.1, as main would
// call it. Configuration errors, the serve loop and its shutdown, `rotate-keys` against a
// running server, and `healthcheck`.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// logBuffer collects what run writes to stdout while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is a getenv for run: the test's variables and nothing from the real environment.
func testEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// baseEnv listens on a free port of 127.0.0.1 and keeps its database in a temp dir.
func baseEnv(t *testing.T) map[string]string {
	return map[string]string{
		"AUTHSERVER_ADDR": "127.0.0.1:0",
		"AUTHSERVER_DB":   filepath.Join(t.TempDir(), "accounts.db"),
	}
}

var listeningPattern = regexp.MustCompile(`msg="Accounts is listening" addr=(\S+)`)

// running is a server started by run.
type running struct {
	addr   string // the real listen address, from the log
	out    *logBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServer calls run in a goroutine, reads the listen address from its log, and waits for
// /healthz to answer 200. The server is stopped when the test ends, if the test has not
// stopped it.
func startServer(t *testing.T, env map[string]string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: &logBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, nil, testEnv(env), r.out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Error("run did not return within 15 s of cancel")
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for r.addr == "" {
		if m := listeningPattern.FindStringSubmatch(r.out.String()); m != nil {
			r.addr = m[1]
			break
		}
		select {
		case err := <-r.done:
			t.Fatalf("run returned %v before listening; output:\n%s", err, r.out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"Accounts is listening\" line within 30 s; output:\n%s", r.out)
		}
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get("http://" + r.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer 200 within 30 s (last: %v); output:\n%s", err, r.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop cancels run's context and returns what run returns, failing if it takes over 10 s.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10 s of cancel")
		return nil
	}
}

// TestRunServesAndShutsDown starts the program on 127.0.0.1:0, finds the real address in the
// log, polls /healthz, then cancels the context and expects run to return nil promptly after a
// graceful shutdown (STYLE.md, main and configuration: "Serve, then Shutdown with a timeout").
func TestRunServesAndShutsDown(t *testing.T) {
	r := startServer(t, baseEnv(t))
	host, port, err := net.SplitHostPort(r.addr)
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("got listen address %q, want 127.0.0.1 and a real port", r.addr)
	}
	resp, err := http.Get("http://" + r.addr + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if meta["issuer"] != "http://localhost:9001" {
		t.Errorf("got issuer %v, want the default http://localhost:9001 (contract: AUTHSERVER_PUBLIC_URL)", meta["issuer"])
	}
	start := time.Now()
	if err := r.stop(t); err != nil {
		t.Errorf("run returned %v after cancel, want nil", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s, want a few seconds at most", d)
	}
	if !strings.Contains(r.out.String(), "Accounts is shutting down") {
		t.Errorf("no shutdown line in the log:\n%s", r.out)
	}
	if conn, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after run returned", r.addr)
	}
}

// writeFile writes a file in a temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// variables are the settings of Accounts.
var variables = []string{
	"AUTHSERVER_ADDR", "AUTHSERVER_PUBLIC_URL", "AUTHSERVER_DB", "AUTHSERVER_CLIENTS_FILE", "AUTHSERVER_AUDIENCE",
	"AUTHSERVER_SIGNING_ALG", "AUTHSERVER_ACCESS_TOKEN_TTL", "AUTHSERVER_REFRESH_TOKEN_TTL",
}

// runWithTimeout calls run and fails if it has not returned within 20 s; a configuration that
// is wrongly accepted would serve until then.
func runWithTimeout(t *testing.T, args []string, env map[string]string, stdout io.Writer) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := run(ctx, args, testEnv(env), stdout)
	if ctx.Err() != nil {
		t.Fatalf("run did not stop by itself: the configuration was accepted (returned %v)", err)
	}
	return err
}

// TestRunBadConfiguration checks that each bad setting stops the program at start with an
// error that names the variable, and no other. Contract, Configuration: "A bad value stops the
// program at start with one clear line naming the variable."
func TestRunBadConfiguration(t *testing.T) {
	goodClient := `{"client_id": "printing", "client_secret": "s", "name": "PrintShop",
		"redirect_uris": ["http://localhost:9000/callback"], "grant_types": ["authorization_code", "refresh_token"],
		"scopes": ["photos.read"]}`
	clientWith := func(field, value string) string {
		var c map[string]any
		if err := json.Unmarshal([]byte(goodClient), &c); err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			t.Fatal(err)
		}
		c[field] = v
		data, _ := json.Marshal([]any{c})
		return string(data)
	}
	if err := runWithTimeout(t, []string{"rotate-keys"}, map[string]string{
		"AUTHSERVER_DB":           filepath.Join(t.TempDir(), "accounts.db"),
		"AUTHSERVER_CLIENTS_FILE": writeFile(t, "clients.json", "["+goodClient+"]"),
	}, io.Discard); err != nil {
		t.Fatalf("control: the good clients file was refused: %v", err)
	}
	occupied, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer occupied.Close()
	blocker := writeFile(t, "not-a-dir", "")

	cases := []struct {
		name     string
		variable string
		value    string
		// file, when set, is the content of a clients file whose path becomes value.
		file string
	}{
		{"public URL with a trailing slash (RFC 8414 §2: compared verbatim)", "AUTHSERVER_PUBLIC_URL", "http://localhost:9001/", ""},
		{"public URL without a scheme (RFC 8414 §2: https URL)", "AUTHSERVER_PUBLIC_URL", "localhost:9001", ""},
		{"public URL with a query (RFC 8414 §2: no query or fragment)", "AUTHSERVER_PUBLIC_URL", "http://localhost:9001?tenant=a", ""},
		{"public URL with a fragment (RFC 8414 §2: no query or fragment)", "AUTHSERVER_PUBLIC_URL", "http://localhost:9001#top", ""},
		{"public URL with another scheme", "AUTHSERVER_PUBLIC_URL", "ftp://localhost:9001", ""},
		{"audience that is not a URL", "AUTHSERVER_AUDIENCE", "photos", ""},
		{"signing algorithm HS256 (contract: RS256, ES256 or EdDSA)", "AUTHSERVER_SIGNING_ALG", "HS256", ""},
		{"signing algorithm none (RFC 8725 §3.1)", "AUTHSERVER_SIGNING_ALG", "none", ""},
		{"access token TTL that is not a duration", "AUTHSERVER_ACCESS_TOKEN_TTL", "abc", ""},
		{"log level that is not a level", "AUTHSERVER_LOG_LEVEL", "loud", ""},
		{"access token TTL of zero", "AUTHSERVER_ACCESS_TOKEN_TTL", "0s", ""},
		{"negative access token TTL", "AUTHSERVER_ACCESS_TOKEN_TTL", "-5m", ""},
		{"access token TTL without a unit", "AUTHSERVER_ACCESS_TOKEN_TTL", "600", ""},
		{"refresh token TTL that is not a duration", "AUTHSERVER_REFRESH_TOKEN_TTL", "soon", ""},
		{"clients file that does not exist", "AUTHSERVER_CLIENTS_FILE", filepath.Join(t.TempDir(), "missing.json"), ""},
		{"clients file that is not JSON", "AUTHSERVER_CLIENTS_FILE", "", "this is not JSON"},
		{"clients file with an unknown field (contract: unknown fields are an error)", "AUTHSERVER_CLIENTS_FILE", "", clientWith("redirect_uri", `"http://localhost:9000/callback"`)},
		{"client with an http redirect URI to a non-loopback host (RFC 9700 §2.6)", "AUTHSERVER_CLIENTS_FILE", "", clientWith("redirect_uris", `["http://printshop.example/callback"]`)},
		{"client with a redirect URI with a fragment (RFC 6749 §3.1.2)", "AUTHSERVER_CLIENTS_FILE", "", clientWith("redirect_uris", `["https://printshop.example/callback#x"]`)},
		{"client with an unknown scope", "AUTHSERVER_CLIENTS_FILE", "", clientWith("scopes", `["photos.read", "photos.admin"]`)},
		{"client with the password grant (RFC 9700 §2.4)", "AUTHSERVER_CLIENTS_FILE", "", clientWith("grant_types", `["password"]`)},
		{"public client with client_credentials (RFC 6749 §4.4)", "AUTHSERVER_CLIENTS_FILE", "", `[{"client_id": "p", "name": "P", "redirect_uris": [], "grant_types": ["client_credentials"], "scopes": ["photos.read"]}]`},
		{"listen address that is not an address", "AUTHSERVER_ADDR", "not-an-address", ""},
		{"listen address already in use", "AUTHSERVER_ADDR", occupied.Addr().String(), ""},
		{"database in a directory that cannot be made", "AUTHSERVER_DB", filepath.Join(blocker, "accounts.db"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv(t)
			value := tc.value
			if tc.file != "" {
				value = writeFile(t, "clients.json", tc.file)
			}
			env[tc.variable] = value
			err := runWithTimeout(t, nil, env, io.Discard)
			if err == nil {
				t.Fatalf("%s=%q: run returned nil, want an error", tc.variable, value)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.variable+"=") {
				t.Errorf("the error does not name %s:\n%s", tc.variable, msg)
			}
			for _, other := range variables {
				if other != tc.variable && strings.Contains(msg, other) {
					t.Errorf("the error also names %s, which was not set wrong:\n%s", other, msg)
				}
			}
		})
	}
}

// TestRunReportsEveryBadVariable sets several bad variables at once and expects all of them
// in the one error, each on its own line (STYLE.md, main and configuration: "reporting every
// bad variable at once").
func TestRunReportsEveryBadVariable(t *testing.T) {
	env := baseEnv(t)
	bad := map[string]string{
		"AUTHSERVER_PUBLIC_URL":       "localhost:9001",
		"AUTHSERVER_SIGNING_ALG":      "HS256",
		"AUTHSERVER_ACCESS_TOKEN_TTL": "abc",
		"AUTHSERVER_CLIENTS_FILE":     filepath.Join(t.TempDir(), "missing.json"),
		"AUTHSERVER_AUDIENCE":         "http://localhost:9002/",
	}
	for k, v := range bad {
		env[k] = v
	}
	err := runWithTimeout(t, nil, env, io.Discard)
	if err == nil {
		t.Fatal("run returned nil, want an error")
	}
	lines := strings.Split(err.Error(), "\n")
	for name := range bad {
		n := 0
		for _, line := range lines {
			if strings.Contains(line, name+"=") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("the error does not report %s:\n%s", name, err)
		}
	}
	for _, line := range lines[1:] {
		if !slices.ContainsFunc(variables, func(v string) bool { return strings.HasPrefix(line, v+"=") }) {
			t.Errorf("a line of the error does not start with the variable it is about: %q", line)
		}
	}
}

// jwksKIDs returns the kids at /.well-known/jwks.json and the set itself.
func jwksKIDs(t *testing.T, addr string) ([]string, jwk.Set) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	set, err := jwk.Parse(data)
	if err != nil {
		t.Fatalf("JWKS: %v: %s", err, data)
	}
	var kids []string
	for i := range set.Len() {
		k, _ := set.Key(i)
		kids = append(kids, k.KeyID())
	}
	return kids, set
}

var newKeyPattern = regexp.MustCompile(`new (\S+) signing key (\S+);`)

// TestRotateKeysWhileServing runs `rotate-keys` against the database of a running server: the
// server must publish the new key next to the old one within seconds, and sign new tokens with
// it (RFC 7517 §4.5 kid; RFC 8414 §2 jwks_uri: clients refetch the set when they meet a new
// kid, so the old key must stay published while its tokens live).
func TestRotateKeysWhileServing(t *testing.T) {
	const workerSecret = "worker-test-secret"
	env := baseEnv(t)
	env["AUTHSERVER_CLIENTS_FILE"] = writeFile(t, "clients.json", `[
		{"client_id": "worker", "client_secret": "`+workerSecret+`", "name": "Nightly Worker",
		 "redirect_uris": [], "grant_types": ["client_credentials"], "scopes": ["photos.read"]}]`)
	r := startServer(t, env)
	before, _ := jwksKIDs(t, r.addr)
	if len(before) != 1 {
		t.Fatalf("got %d keys before rotation, want 1: %q", len(before), before)
	}

	var out bytes.Buffer
	if err := runWithTimeout(t, []string{"rotate-keys"}, env, &out); err != nil {
		t.Fatalf("rotate-keys: %v", err)
	}
	m := newKeyPattern.FindStringSubmatch(out.String())
	if m == nil || m[1] != "RS256" {
		t.Fatalf("rotate-keys printed %q, want a new RS256 key", out.String())
	}
	newKID := m[2]

	var after []string
	var set jwk.Set
	deadline := time.Now().Add(15 * time.Second)
	for {
		after, set = jwksKIDs(t, r.addr)
		if len(after) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the JWKS did not show two keys within 15 s: %q", after)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !slices.Contains(after, before[0]) || !slices.Contains(after, newKID) {
		t.Errorf("got kids %q after rotation, want the old %s and the new %s", after, before[0], newKID)
	}

	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("worker", workerSecret)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("client_credentials: got status %d, want 200: %v", resp.StatusCode, body)
	}
	token, _ := body["access_token"].(string)
	msg, err := jws.ParseString(token)
	if err != nil {
		t.Fatal(err)
	}
	if kid := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid != newKID {
		t.Errorf("a token minted after rotation is signed with kid %q, want the new %q", kid, newKID)
	}
	if _, err := jws.Verify([]byte(token), jws.WithKeySet(set, jws.WithRequireKid(true))); err != nil {
		t.Errorf("the new token does not verify against the published JWKS: %v", err)
	}
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestHealthcheck checks the `healthcheck` subcommand, which reads the port from
// AUTHSERVER_ADDR: nil against a running server, an error when nothing listens or /healthz
// answers anything but 200 (it is the container's health probe, so a false "healthy" hides an
// outage).
func TestHealthcheck(t *testing.T) {
	env := baseEnv(t)
	env["AUTHSERVER_ADDR"] = freeAddr(t)
	r := startServer(t, env)
	if r.addr != env["AUTHSERVER_ADDR"] {
		t.Fatalf("the server listens on %s, want %s", r.addr, env["AUTHSERVER_ADDR"])
	}
	t.Run("a running server is healthy", func(t *testing.T) {
		if err := runWithTimeout(t, []string{"healthcheck"}, env, io.Discard); err != nil {
			t.Errorf("healthcheck: got %v, want nil", err)
		}
	})
	t.Run("a stopped server is not", func(t *testing.T) {
		if err := r.stop(t); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if err := runWithTimeout(t, []string{"healthcheck"}, env, io.Discard); err == nil {
			t.Errorf("healthcheck with nothing listening: got nil, want an error")
		}
	})
	t.Run("a server that answers 503 is not healthy", func(t *testing.T) {
		sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "database not reachable", http.StatusServiceUnavailable)
		}))
		defer sick.Close()
		other := baseEnv(t)
		other["AUTHSERVER_ADDR"] = sick.Listener.Addr().String()
		if err := runWithTimeout(t, []string{"healthcheck"}, other, io.Discard); err == nil {
			t.Errorf("healthcheck against a 503: got nil, want an error")
		}
	})
	t.Run("nothing ever listened", func(t *testing.T) {
		other := baseEnv(t)
		other["AUTHSERVER_ADDR"] = freeAddr(t)
		if err := runWithTimeout(t, []string{"healthcheck"}, other, io.Discard); err == nil {
			t.Errorf("healthcheck with nothing listening: got nil, want an error")
		}
	})
}
