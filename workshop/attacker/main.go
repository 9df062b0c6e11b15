// Command attacker runs the attack lab's evil site (workshop/attacks/): it receives stolen codes
// and tokens, shows them, forges requests through the victim's browser, and tries what it got
// against Photos. It is configured by ATTACKER_* environment variables and listens on :9666.
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
	"syscall"
	"time"

	"github.com/valet/attacker/internal/web"
)

func main() {
	if err := run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "attacker:", err)
		os.Exit(1)
	}
}

// run is the whole program, callable from tests with their own environment.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("bad configuration:\n%w", err)
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	handler, err := web.NewServer(logger, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("ATTACKER_ADDR=%q: %w", cfg.Addr, err)
	}
	logger.Info("the attacker is listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
