// Command printing runs PrintShop, the OAuth client of Valet: a print shop that asks Accounts
// for a valet key to Alice's photos at Photos, without ever seeing her Photos password.
//
//	printing               serve (configured by PRINTING_* environment variables)
//	printing healthcheck   exit 0 if the server on PRINTING_ADDR answers /healthz
//	printing kiosk         the photo kiosk: the device flow in a terminal (printing kiosk -h)
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
	"github.com/valet/printing/internal/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "printing:", err)
		os.Exit(1)
	}
}

// run is the whole program, callable from tests with their own arguments and environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("bad configuration:\n%w", err)
	}
	command := "serve"
	if len(args) > 0 {
		command = args[0]
	}
	switch command {
	case "serve":
		return serve(ctx, cfg, slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))
	case "healthcheck":
		return healthcheck(ctx, cfg.Addr)
	case "kiosk":
		return runKiosk(ctx, cfg, args[1:], os.Stdin, stdout)
	default:
		return fmt.Errorf("unknown command %q; use serve, healthcheck or kiosk", command)
	}
}

// demoUsers are PrintShop's own customers. Their passwords happen to match their Photos ones,
// to keep the demo short; PrintShop still never sees the Photos ones.
var demoUsers = []struct{ username, name, password string }{
	{"alice", "Alice", "wonderland"},
	{"bob", "Bob", "builder"},
}

func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, u := range demoUsers {
		hash, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.DefaultCost)
		if err != nil {
			return err
		}
		if err := st.SaveUser(ctx, store.User{Username: u.username, Name: u.name, PasswordHash: string(hash)}); err != nil {
			return fmt.Errorf("save demo users: %w", err)
		}
	}
	// Every back-channel call goes through a transport that records it for /flow. Around it,
	// dpop.Transport signs a DPoP proof for each request of a connection that has a key
	// (PRINTING_TOKEN_BINDING=dpop), so the proof is recorded too. htu names public URLs.
	flows := flow.NewRecorder(st, time.Now)
	backChannel := &dpop.Transport{Base: &flow.Transport{Base: http.DefaultTransport, Recorder: flows},
		Key:    web.ConnectionKeys(st),
		Public: map[string]string{cfg.AuthServerURL: cfg.Issuer, cfg.PhotosURL: cfg.PhotosPublicURL}}
	client := oauth.NewClient(oauth.Config{
		Issuer: cfg.Issuer, AuthServerURL: cfg.AuthServerURL,
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.PublicURL + "/callback", Scope: []string{"photos.read"},
		HTTPClient:     &http.Client{Transport: backChannel, Timeout: 10 * time.Second},
		InsecureNoPKCE: cfg.InsecureNoPKCE,
	})
	photos := photosapi.New(cfg.PhotosURL, &http.Client{Transport: backChannel, Timeout: 20 * time.Second})
	handler, err := web.NewServer(logger, st, client, photos, flows, web.Config{PublicURL: cfg.PublicURL, PhotosPublicURL: cfg.PhotosPublicURL,
		TokenBinding: cfg.TokenBinding, InsecureSkipState: cfg.InsecureSkipState, Insecure: cfg.insecureSwitches()})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PRINTING_ADDR=%q: %w", cfg.Addr, err)
	}
	logger.Info("PrintShop is listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL,
		"issuer", cfg.Issuer, "authserver", cfg.AuthServerURL, "photos", cfg.PhotosURL, "db", cfg.DB,
		"token_binding", cfg.TokenBinding)

	go deleteExpired(ctx, st, logger)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger.Info("PrintShop is shutting down")
	return srv.Shutdown(shutdownCtx)
}

// openStore opens the database, readable by PrintShop alone: it holds users' tokens.
func openStore(ctx context.Context, path string) (*store.Store, error) {
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("PRINTING_DB=%q: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("PRINTING_DB=%q: %w", path, err)
		}
		f.Close()
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("PRINTING_DB=%q: %w", path, err)
	}
	return st, nil
}

// deleteExpired clears dead sessions and connect attempts once a minute.
func deleteExpired(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := st.DeleteExpired(ctx, time.Now(), 10*time.Minute); err != nil && ctx.Err() == nil {
				logger.Error("delete expired rows", "err", err)
			}
		}
	}
}

// healthcheck asks the local server for /healthz. Container images built FROM scratch have no
// shell or curl, so the binary checks itself.
func healthcheck(ctx context.Context, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("PRINTING_ADDR=%q: %w", addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}
