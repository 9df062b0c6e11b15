package main

// Tests of the program as a whole: run() on 127.0.0.1:0 with a temp database, its bad
// configurations, the healthcheck subcommand, and shutdown on cancel.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// mainEnv is a getenv over a map: nothing from the test's own environment leaks in.
func mainEnv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

var mainListening = regexp.MustCompile(`msg="PrintShop is listening" addr=(\S+)`)

// mainStart runs PrintShop with env (PRINTING_ADDR and PRINTING_DB default to 127.0.0.1:0
// and a temp file), waits for it to log its address, and returns the base URL and a stop
// function that cancels it and returns run's result.
func mainStart(t *testing.T, env map[string]string) (string, func() error) {
	t.Helper()
	full := map[string]string{"PRINTING_ADDR": "127.0.0.1:0", "PRINTING_DB": filepath.Join(t.TempDir(), "data", "printing.db")}
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, in := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, nil, mainEnv(full), in)
		in.Close()
	}()
	addrc := make(chan string, 1)
	go func() {
		scan := bufio.NewScanner(out)
		for scan.Scan() {
			if m := mainListening.FindStringSubmatch(scan.Text()); m != nil {
				addrc <- m[1]
				break
			}
		}
		io.Copy(io.Discard, out) // keep the log flowing until run returns
	}()

	var stopped bool
	var runErr error
	stop := func() error {
		if stopped {
			return runErr
		}
		stopped = true
		cancel()
		select {
		case runErr = <-errc:
		case <-time.After(5 * time.Second):
			runErr = context.DeadlineExceeded
			t.Error("run did not return within 5 s of the cancel")
		}
		return runErr
	}
	t.Cleanup(func() { stop() })

	select {
	case addr := <-addrc:
		return "http://" + addr, stop
	case err := <-errc:
		stopped, runErr = true, err
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("PrintShop did not log its address within 20 s")
	}
	return "", stop
}

// mainGet fetches a URL with a deadline and returns its status and body.
func mainGet(t *testing.T, u string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The style guide's main_test: run() on 127.0.0.1:0 logs its real address, answers /healthz,
// shows the login form, and returns nil within 5 s of the cancel.
func TestMainRunServesAndStops(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "data", "printing.db")
	base, stop := mainStart(t, map[string]string{"PRINTING_DB": dbPath})

	if status, _ := mainGet(t, base+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz: got status %d, want %d", status, http.StatusOK)
	}
	status, body := mainGet(t, base+"/")
	if status != http.StatusOK {
		t.Errorf("/: got status %d, want %d", status, http.StatusOK)
	}
	for _, want := range []string{`action="/login"`, `name="username"`, `name="password"`, `name="csrf_token"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the home page lacks %s", want)
		}
	}
	// The database holds users' tokens: readable by PrintShop alone, with its WAL files.
	files, err := filepath.Glob(dbPath + "*")
	if err != nil || len(files) == 0 {
		t.Errorf("no database files at %s (err %v)", dbPath, err)
	}
	for _, f := range files {
		if info, err := os.Stat(f); err != nil {
			t.Error(err)
		} else if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group or others", filepath.Base(f), perm)
		}
	}

	start := time.Now()
	if err := stop(); err != nil {
		t.Errorf("run after cancel: got %v, want nil", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %v to stop, want under 5 s", d)
	}
}

// The contract: a bad value stops the program at start with one clear line naming the variable.
func TestMainBadConfigurationNamesTheVariable(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		variable string
		value    string
	}{
		{"public URL without a scheme", "PRINTING_PUBLIC_URL", "localhost:9000"},
		{"log level that is not a level", "PRINTING_LOG_LEVEL", "loud"},
		{"token binding that is not one", "PRINTING_TOKEN_BINDING", "mtls"},
		{"public URL with a trailing slash", "PRINTING_PUBLIC_URL", "http://localhost:9000/"},
		{"public URL with a path", "PRINTING_PUBLIC_URL", "http://localhost:9000/shop"},
		{"issuer with a trailing slash", "PRINTING_ISSUER", "http://localhost:9001/"},
		{"issuer not http", "PRINTING_ISSUER", "ftp://localhost:9001"},
		{"issuer with a fragment", "PRINTING_ISSUER", "http://localhost:9001#x"},
		{"authserver URL with a query", "PRINTING_AUTHSERVER_URL", "http://authserver:9001?x=1"},
		{"authserver URL without a host", "PRINTING_AUTHSERVER_URL", "http://"},
		{"photos URL with a user", "PRINTING_PHOTOS_URL", "http://user:pw@photos:9002"},
		{"photos URL not a URL", "PRINTING_PHOTOS_URL", "::"},
		{"photos public URL with a path", "PRINTING_PHOTOS_PUBLIC_URL", "http://localhost:9002/photos"},
		{"listen address without a port", "PRINTING_ADDR", "127.0.0.1"},
		{"database under a file", "PRINTING_DB", filepath.Join(notADir, "printing.db")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PRINTING_ADDR": "127.0.0.1:0", "PRINTING_DB": filepath.Join(t.TempDir(), "printing.db"), tc.variable: tc.value}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := run(ctx, nil, mainEnv(env), io.Discard)
			if err == nil {
				t.Fatalf("%s=%q: run returned nil, want an error", tc.variable, tc.value)
			}
			var line string
			for l := range strings.Lines(err.Error()) {
				if strings.Contains(l, tc.variable) {
					line = l
				}
			}
			if line == "" {
				t.Errorf("no line of the error names %s:\n%v", tc.variable, err)
			}
		})
	}
}

// Every bad variable is reported at once; a variable left to its default is not blamed for the
// one it copies.
func TestMainBadConfigurationReportsEveryVariable(t *testing.T) {
	env := map[string]string{"PRINTING_PUBLIC_URL": "nope", "PRINTING_ISSUER": "http://localhost:9001/", "PRINTING_PHOTOS_URL": "ftp://x",
		"PRINTING_ADDR": "127.0.0.1:0", "PRINTING_DB": filepath.Join(t.TempDir(), "printing.db")}
	err := run(t.Context(), nil, mainEnv(env), io.Discard)
	if err == nil {
		t.Fatal("run returned nil, want an error")
	}
	for _, name := range []string{"PRINTING_PUBLIC_URL", "PRINTING_ISSUER", "PRINTING_PHOTOS_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "PRINTING_AUTHSERVER_URL") {
		t.Errorf("the unset PRINTING_AUTHSERVER_URL is blamed for PRINTING_ISSUER:\n%v", err)
	}
}

// mainFreePort is a port on 127.0.0.1 that nothing listens on (just released).
func mainFreePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// The healthcheck subcommand: nil when PRINTING_ADDR answers /healthz with 200, an error when
// nothing listens there or it answers otherwise.
func TestMainHealthcheck(t *testing.T) {
	base, _ := mainStart(t, nil)
	unhealthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database not reachable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(unhealthy.Close)
	cases := []struct {
		name    string
		addr    string
		wantErr bool
	}{
		{"PrintShop running", strings.TrimPrefix(base, "http://"), false},
		{"PrintShop running, address given as :port", ":" + strings.Split(strings.TrimPrefix(base, "http://"), ":")[1], false},
		{"nothing listening", mainFreePort(t), true},
		{"/healthz answers 503", strings.TrimPrefix(unhealthy.URL, "http://"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, []string{"healthcheck"}, mainEnv(map[string]string{"PRINTING_ADDR": tc.addr}), io.Discard)
			if (err != nil) != tc.wantErr {
				t.Errorf("got err %v, want an error: %v", err, tc.wantErr)
			}
		})
	}
}

// An unknown subcommand is an error that names it.
func TestMainUnknownCommand(t *testing.T) {
	err := run(t.Context(), []string{"serv"}, mainEnv(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"serv"`) {
		t.Errorf("got err %v, want one naming %q", err, "serv")
	}
}
