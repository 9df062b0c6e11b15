// Command authserver runs Accounts, the OAuth 2.0 authorization server of Valet.
//
//	authserver               serve (configured by AUTHSERVER_* environment variables)
//	authserver rotate-keys   add a new signing key to the database and sign with it from now on
//	authserver healthcheck   exit 0 if the server on AUTHSERVER_ADDR answers /healthz
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

	"golang.org/x/crypto/bcrypt"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/registry"
	"github.com/valet/authserver/internal/store"
	"github.com/valet/authserver/internal/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authserver:", err)
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
	case "rotate-keys":
		return rotateKeys(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg.Addr)
	default:
		return fmt.Errorf("unknown command %q; use serve, rotate-keys or healthcheck", command)
	}
}

func serve(ctx context.Context, cfg config, logger *slog.Logger) error {
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := registry.Save(ctx, st, cfg.Clients, registry.DemoUsers(), bcrypt.DefaultCost); err != nil {
		return fmt.Errorf("save clients and users: %w", err)
	}
	keyring, err := keys.Open(ctx, st, keys.InUse(cfg.SigningAlg), cfg.AccessTokenTTL+time.Minute, time.Now)
	if err != nil {
		return err
	}
	handler, err := web.NewServer(logger, st, keyring, cfg.webConfig())
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("AUTHSERVER_ADDR=%q: %w", cfg.Addr, err)
	}
	logger.Info("Accounts is listening", "addr", ln.Addr().String(), "issuer", cfg.PublicURL,
		"signing_alg", cfg.SigningAlg.String(), "db", cfg.DB)

	go deleteExpired(ctx, st, logger)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger.Info("Accounts is shutting down")
	return srv.Shutdown(shutdownCtx)
}

// openStore opens the database, creating it readable by this user only: it holds the private
// signing keys, and whoever reads them can forge any token.
func openStore(ctx context.Context, path string) (*store.Store, error) {
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("AUTHSERVER_DB=%q: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("AUTHSERVER_DB=%q: %w", path, err)
		}
		f.Close()
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("AUTHSERVER_DB=%q: %w", path, err)
	}
	return st, nil
}

// deleteExpired clears dead sessions, requests, codes and tokens once a minute.
func deleteExpired(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := st.DeleteExpired(ctx, time.Now()); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("delete expired rows", "err", err)
			}
		}
	}
}

// rotateKeys adds a new signing key for each algorithm in use. A running server picks them up
// within seconds; the replaced keys stay in the JWKS until the tokens they signed have expired.
func rotateKeys(ctx context.Context, cfg config, stdout io.Writer) error {
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, alg := range keys.InUse(cfg.SigningAlg) {
		kid, err := keys.Rotate(ctx, st, alg, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new %s signing key %s; the previous one stays published for %s\n",
			alg, kid, cfg.AccessTokenTTL+time.Minute)
	}
	return nil
}

// healthcheck asks the local server for /healthz. Container images built FROM scratch have no
// shell or curl, so the binary checks itself.
func healthcheck(ctx context.Context, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("AUTHSERVER_ADDR=%q: %w", addr, err)
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
