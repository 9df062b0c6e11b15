package main

// Starting the three real binaries on free loopback ports, each with its own database in a
// temporary folder, as the e2e harness does.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// loadClientRedirect is the load client's redirect URI. Nothing listens there: the load tool
// reads the code from the Location header and never follows it.
const loadClientRedirect = "http://127.0.0.1:1/cb"

// stack is one running set of Accounts, Photos and PrintShop.
type stack struct {
	AuthURL, PhotosURL, PrintURL string
	LoadSecret                   string // the "load" client's secret at Accounts
	PhotosSecret                 string // the "photos" client's secret, for /introspect
	Alg                          string
	// Healthy is how long each service took from start to its first 200 on /healthz.
	Healthy map[string]time.Duration
	dir     string
	procs   map[string]*exec.Cmd
}

// clientJSON is one registration in Accounts' clients file.
type clientJSON struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris"`
	GrantTypes   []string `json:"grant_types"`
	Scopes       []string `json:"scopes"`
}

// startStack starts the binaries in binDir with the given signing algorithm and Photos token
// check ("jwt" or "introspect").
func startStack(ctx context.Context, binDir, alg, tokenCheck string) (*stack, error) {
	binDir, err := filepath.Abs(binDir) // each service runs in its own folder
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "valet-load-")
	if err != nil {
		return nil, err
	}
	s := &stack{
		AuthURL: "http://127.0.0.1:" + ports[0], PhotosURL: "http://127.0.0.1:" + ports[1],
		PrintURL: "http://127.0.0.1:" + ports[2], LoadSecret: randomString(), PhotosSecret: randomString(),
		Alg: alg, Healthy: map[string]time.Duration{}, dir: dir, procs: map[string]*exec.Cmd{},
	}
	clients := []clientJSON{
		{ClientID: "load", ClientSecret: s.LoadSecret, Name: "Load generator", RedirectURIs: []string{loadClientRedirect},
			GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}, Scopes: []string{"photos.read"}},
		{ClientID: "photos", ClientSecret: s.PhotosSecret, Name: "Photos (token introspection)",
			RedirectURIs: []string{}, GrantTypes: []string{}, Scopes: []string{}},
		{ClientID: "printing", ClientSecret: randomString(), Name: "PrintShop", RedirectURIs: []string{s.PrintURL + "/callback"},
			GrantTypes: []string{"authorization_code", "refresh_token"}, Scopes: []string{"photos.read"}},
	}
	data, err := json.Marshal(clients)
	if err != nil {
		return nil, err
	}
	clientsFile := filepath.Join(dir, "clients.json")
	if err := os.WriteFile(clientsFile, data, 0o600); err != nil {
		return nil, err
	}
	env := map[string][]string{
		"authserver": {"AUTHSERVER_ADDR=127.0.0.1:" + ports[0], "AUTHSERVER_PUBLIC_URL=" + s.AuthURL,
			"AUTHSERVER_AUDIENCE=" + s.PhotosURL, "AUTHSERVER_CLIENTS_FILE=" + clientsFile,
			"AUTHSERVER_DB=" + filepath.Join(dir, "authserver.db"), "AUTHSERVER_SIGNING_ALG=" + alg},
		"photos": {"PHOTOS_ADDR=127.0.0.1:" + ports[1], "PHOTOS_PUBLIC_URL=" + s.PhotosURL,
			"PHOTOS_ISSUER=" + s.AuthURL, "PHOTOS_DB=" + filepath.Join(dir, "photos.db"),
			"PHOTOS_CLIENT_SECRET=" + s.PhotosSecret, "PHOTOS_TOKEN_CHECK=" + tokenCheck,
			"PHOTOS_PRINTSHOP_URL=" + s.PrintURL},
		"printing": {"PRINTING_ADDR=127.0.0.1:" + ports[2], "PRINTING_PUBLIC_URL=" + s.PrintURL,
			"PRINTING_ISSUER=" + s.AuthURL, "PRINTING_PHOTOS_URL=" + s.PhotosURL,
			"PRINTING_DB=" + filepath.Join(dir, "printing.db"), "PRINTING_CLIENT_SECRET=" + clients[2].ClientSecret},
	}
	health := map[string]string{"authserver": s.AuthURL, "photos": s.PhotosURL, "printing": s.PrintURL}
	for _, name := range []string{"authserver", "photos", "printing"} {
		if err := s.start(ctx, binDir, name, env[name], health[name]+"/healthz"); err != nil {
			s.stop()
			return nil, err
		}
	}
	return s, nil
}

// start runs one binary, its output in the stack's folder, and waits for its /healthz.
func (s *stack) start(ctx context.Context, binDir, name string, env []string, healthURL string) error {
	out, err := os.Create(filepath.Join(s.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(binDir, name))
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = out, out
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTHSERVER_") && !strings.HasPrefix(kv, "PHOTOS_") && !strings.HasPrefix(kv, "PRINTING_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w (run `make build` first)", name, err)
	}
	s.procs[name] = cmd
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := began.Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := client.Get(healthURL)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.Healthy[name] = time.Since(began)
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 at %s within 60 s; its output is in %s", name, healthURL, out.Name())
}

// stop sends SIGTERM to every service, waits for each to exit, and removes the folder.
func (s *stack) stop() {
	for name, cmd := range s.procs {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintf(os.Stderr, "loadgen: %s exited with %v\n", name, err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(s.dir)
}

// rss returns the resident set size of each service in bytes, from /proc (Linux only).
func (s *stack) rss() map[string]int64 {
	out := map[string]int64{}
	for name, cmd := range s.procs {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				out[name] = kb * 1024
			}
		}
	}
	return out
}

func freePorts(n int) ([]string, error) {
	var ports []string
	var errs []error
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		defer ln.Close()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ports = append(ports, port)
	}
	return ports, errors.Join(errs...)
}

// randomString returns 128 random bits, base64url-encoded.
func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
