// Command loadgen drives the real Valet binaries under load and reports what it measured.
//
// It starts Accounts, Photos and PrintShop from -bin on free 127.0.0.1 ports, each with a fresh
// database, and runs N simulated users (alice and bob, each in their own browser with an
// Accounts session and a remembered consent) through three phases:
//
//   - flows: /authorize, the code, /token with PKCE (RFC 7636), one Photos call;
//   - refresh: each user swaps its refresh token (rotated on every use, RFC 9700 §4.14.2);
//   - list: GET /api/photos with a live access token.
//
// It prints throughput, p50/p95/p99 latency and errors by kind for each phase, and the RSS of
// each service after the load. Every phase stops after -duration or -max operations, whichever
// comes first. With -report FILE it instead runs the whole benchmark (flows at 1, 16 and 64
// users for each algorithm, and wrk against single endpoints) and writes docs/PERFORMANCE.md.
//
//	make build && cd e2e && go run ./cmd/loadgen -bin ../bin -users 16 -duration 10s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	bin         string
	users       int
	duration    time.Duration
	maxOps      int64
	alg         string
	phases      []string
	report      string
	wrkDuration time.Duration
	makeTest    bool
	algs        []string // with -report: the signing algorithms to measure
	only        []string // with -report: the single endpoints to measure; empty: all
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.bin, "bin", "../bin", "folder with the authserver, photos and printing binaries (make build)")
	fs.IntVar(&o.users, "users", 16, "concurrent simulated users")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "longest time each phase runs")
	fs.Int64Var(&o.maxOps, "max", 100000, "most operations each phase starts")
	fs.StringVar(&o.alg, "alg", "ES256", "AUTHSERVER_SIGNING_ALG: RS256, ES256 or EdDSA")
	phases := fs.String("phases", "flows,refresh,list", "comma-separated phases to run")
	fs.StringVar(&o.report, "report", "", "run the whole benchmark and write the Markdown report to this file")
	fs.DurationVar(&o.wrkDuration, "wrk-duration", 15*time.Second, "with -report: how long each wrk run lasts")
	fs.BoolVar(&o.makeTest, "make-test", false, "with -report: also time `make test` (several minutes)")
	algs := fs.String("algs", "RS256,ES256", "with -report: comma-separated signing algorithms")
	only := fs.String("only", "", "with -report: comma-separated endpoints (token, introspect, jwks, list, healthz); empty: all")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.phases = strings.Split(*phases, ",")
	o.algs = strings.Split(*algs, ",")
	if *only != "" {
		o.only = strings.Split(*only, ",")
	}
	var errs []string
	if o.users < 1 || o.users > 1000 {
		errs = append(errs, fmt.Sprintf("-users %d: want 1 to 1000", o.users))
	}
	if o.duration <= 0 || o.duration > 10*time.Minute {
		errs = append(errs, fmt.Sprintf("-duration %s: want more than 0 and at most 10m", o.duration))
	}
	for _, p := range o.phases {
		if !slices.Contains([]string{"flows", "refresh", "list"}, p) {
			errs = append(errs, fmt.Sprintf("-phases: unknown phase %q (want flows, refresh or list)", p))
		}
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.report != "" {
		return writeReport(ctx, o, stdout, stderr)
	}
	s, err := startStack(ctx, o.bin, o.alg, "jwt")
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Fprintf(stdout, "loadgen: %d users, %s, each phase at most %s or %d operations; healthy after: Accounts %s, Photos %s, PrintShop %s; load avg %s\n",
		o.users, o.alg, o.duration, o.maxOps, s.Healthy["authserver"].Round(time.Millisecond),
		s.Healthy["photos"].Round(time.Millisecond), s.Healthy["printing"].Round(time.Millisecond), loadAvg())
	users, err := signIn(ctx, s, o.users)
	if err != nil {
		return err
	}
	for _, phase := range o.phases {
		r := runPhase(ctx, phase, users, o.duration, o.maxOps, operation(phase), stderr)
		fmt.Fprint(stdout, r)
	}
	fmt.Fprintf(stdout, "RSS after the load: %s; load avg %s\n", formatRSS(s.rss()), loadAvg())
	return nil
}

// operation is the function one phase repeats.
func operation(phase string) func(*user, context.Context) error {
	switch phase {
	case "refresh":
		return (*user).refreshTokens
	case "list":
		return (*user).listPhotos
	}
	return (*user).flow
}

// newTransport is the connection pool every simulated user shares.
func newTransport(users int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4 * users
	t.MaxIdleConnsPerHost = 2 * users
	return t
}

// signIn makes n users and runs one flow for each, not measured: each signs in at Accounts,
// and the first of alice and of bob consents, so that every later flow has a session and a
// remembered consent. Each user then holds a live access token and a refresh token.
func signIn(ctx context.Context, s *stack, n int) ([]*user, error) {
	transport := newTransport(n)
	users := make([]*user, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range users {
		users[i] = newUser(s, transport, i)
		if i < 2 { // consent once per user name, before the others sign in at once
			errs[i] = users[i].flow(ctx)
			continue
		}
		wg.Go(func() { errs[i] = users[i].flow(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("signing in the users failed: %w", err)
	}
	return users, nil
}

func formatRSS(rss map[string]int64) string {
	var parts []string
	for _, name := range []string{"authserver", "photos", "printing"} {
		parts = append(parts, fmt.Sprintf("%s %.1f MB", name, float64(rss[name])/(1<<20)))
	}
	return strings.Join(parts, ", ")
}
