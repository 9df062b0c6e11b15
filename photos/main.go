// Command photos runs Photos, the resource server of Valet: an API of Alice's and Bob's photos
// that opens only to a valid access token from Accounts.
//
//	photos               serve (configured by PHOTOS_* environment variables)
//	photos healthcheck   exit 0 if the server on PHOTOS_ADDR answers /healthz
package main

import (
	"context"
	"errors"
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

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/library"
	"github.com/valet/photos/internal/store"
	"github.com/valet/photos/internal/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
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
	default:
		return fmt.Errorf("unknown command %q; use serve or healthcheck", command)
	}
}

func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	if cfg.DB != ":memory:" {
		// People's photos: readable by Photos alone.
		if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o700); err != nil {
			return fmt.Errorf("PHOTOS_DB=%q: %w", cfg.DB, err)
		}
		f, err := os.OpenFile(cfg.DB, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("PHOTOS_DB=%q: %w", cfg.DB, err)
		}
		f.Close()
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("PHOTOS_DB=%q: %w", cfg.DB, err)
	}
	defer st.Close()
	if cfg.DemoLibrary {
		if err := addDemoLibrary(ctx, st, logger); err != nil {
			return fmt.Errorf("make the demo library: %w", err)
		}
	}
	// Accounts' keys, cached: they check JWT access tokens at the API, and always the ID tokens
	// of the web app's sign-in.
	keys, err := access.NewJWTChecker(ctx, access.JWTConfig{
		Issuer: cfg.Issuer, Audience: cfg.Audience, JWKSURL: cfg.AuthServerURL + "/.well-known/jwks.json",
		InsecureAcceptAlgNone: cfg.InsecureAcceptAlgNone, InsecureSkipAudience: cfg.InsecureSkipAudience,
	})
	if err != nil {
		return err
	}
	checker := newChecker(cfg, keys)
	handler, err := web.NewServer(logger, st, checker, web.Config{PublicURL: cfg.PublicURL, Issuer: cfg.Issuer, TokenCheck: cfg.TokenCheck,
		WebClientID: cfg.WebClientID, WebClientSecret: cfg.WebClientSecret, AuthServerURL: cfg.AuthServerURL,
		PrintShopURL: cfg.PrintShopURL, Keys: keys, Insecure: cfg.insecureSwitches()})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PHOTOS_ADDR=%q: %w", cfg.Addr, err)
	}
	logger.Info("Photos is listening", "addr", ln.Addr().String(), "resource", cfg.PublicURL,
		"issuer", cfg.Issuer, "token_check", cfg.TokenCheck, "authserver", cfg.AuthServerURL, "db", cfg.DB)

	go deleteExpiredSessions(ctx, st, logger)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger.Info("Photos is shutting down")
	return srv.Shutdown(shutdownCtx)
}

// newChecker picks how access tokens are checked: PHOTOS_TOKEN_CHECK=jwt verifies them with
// Accounts' published keys; introspect asks Accounts about each one (RFC 7662). The JWKS is
// fetched over the back channel: its public location (the metadata's jwks_uri) names Accounts'
// public URL, which inside a container is not Accounts.
func newChecker(cfg config, keys *access.JWTChecker) access.Checker {
	if cfg.TokenCheck == "introspect" {
		return access.NewIntrospectionChecker(access.IntrospectionConfig{
			Endpoint: cfg.AuthServerURL + "/introspect", ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Issuer: cfg.Issuer, Audience: cfg.Audience,
		})
	}
	return keys
}

// deleteExpiredSessions removes the web app's ended sessions and abandoned sign-ins, every
// minute, until ctx ends.
func deleteExpiredSessions(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := st.DeleteExpiredSessions(ctx, time.Now()); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("delete expired sessions", "err", err)
			}
		}
	}
}

// addDemoLibrary gives alice and bob their sample photos, once per database.
func addDemoLibrary(ctx context.Context, st *store.Store, logger *slog.Logger) error {
	start := time.Now()
	n := 0
	ran, err := st.Once(ctx, "demo library", time.Now(), func(add func(store.NewPhoto) error) error {
		for _, user := range []string{"alice", "bob"} {
			for _, p := range library.Samples(user, 1600, 1200) {
				err := add(store.NewPhoto{Photo: store.Photo{ID: store.NewPhotoID(), Owner: user, Title: p.Title, Album: p.Album,
					Width: p.Width, Height: p.Height, TakenAt: p.TakenAt}, JPEG: p.JPEG})
				if err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if ran {
		logger.Info("made the demo library", "photos", n, "duration_ms", time.Since(start).Milliseconds())
	}
	return err
}

// healthcheck asks the local server for /healthz. Container images built FROM scratch have no
// shell or curl, so the binary checks itself.
func healthcheck(ctx context.Context, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("PHOTOS_ADDR=%q: %w", addr, err)
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
