package main

// make bench-report: every figure of docs/PERFORMANCE.md, measured in one run on this machine.
// Complete flows come from the simulated users; single endpoints from wrk, as other servers are
// measured, at 16 and 64 connections. Only the part between the markers is rewritten, so the
// hand-written history of optimisations around it stays.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	beginMarker = "<!-- bench-report:begin (make bench-report rewrites from here) -->"
	endMarker   = "<!-- bench-report:end -->"
)

// writeReport runs the benchmark and rewrites the measured part of o.report.
func writeReport(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed: sudo apt-get install -y wrk")
	}
	var b bytes.Buffer
	fmt.Fprintln(&b, beginMarker)
	fmt.Fprintf(&b, "\n## Measured %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s. Every figure below comes from this one run, with the load generator on the same cores.\n", machine())
	fmt.Fprintf(&b, "The load average (1, 5 and 15 min) beside each figure was read as that row ended: above the core count, other work shared the machine, and the figure is lower than a quiet machine gives.\n\n")

	var flowRows, endpointRows []string
	rssRows := map[string]string{}
	var healthy []string
	for _, alg := range o.algs {
		s, err := startStack(ctx, o.bin, alg, "jwt")
		if err != nil {
			return err
		}
		healthy = append(healthy, fmt.Sprintf("%s: Accounts %s, Photos %s, PrintShop %s", alg,
			s.Healthy["authserver"].Round(time.Millisecond), s.Healthy["photos"].Round(time.Millisecond), s.Healthy["printing"].Round(time.Millisecond)))
		rows, endpoints, err := benchStack(ctx, o, s, stdout, stderr)
		if err == nil {
			rssRows[alg] = formatRSS(s.rss())
		}
		s.stop()
		if err != nil {
			return err
		}
		flowRows = append(flowRows, rows...)
		endpointRows = append(endpointRows, endpoints...)
	}

	fmt.Fprintf(&b, "### Complete flows\n\n`/authorize` (session and consent remembered) → code → `/token` with PKCE → `GET /api/photos`, for %s or %d flows per row.\n\n", o.duration, o.maxOps)
	fmt.Fprintln(&b, "| alg | users | flows/s | p50 | p95 | p99 | errors | load avg |")
	fmt.Fprintln(&b, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, r := range flowRows {
		fmt.Fprintln(&b, r)
	}
	fmt.Fprintf(&b, "\n### Single endpoints (wrk, %s per row)\n\n", o.wrkDuration)
	fmt.Fprintln(&b, "| endpoint | alg | connections | req/s | p50 | p99 | non-2xx | load avg |")
	fmt.Fprintln(&b, "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, r := range endpointRows {
		fmt.Fprintln(&b, r)
	}
	fmt.Fprint(&b, "\n### Token endpoint beside the bare signature\n\n")
	fmt.Fprint(&b, "The signature rate is this process signing a SHA-256 digest with the same key type Accounts makes (RSA-2048, P-256), on every core; the ratio is the token endpoint's rate as a share of the bare signature rate (1.0 would mean the signature is its only cost).\n\n")
	fmt.Fprintln(&b, "| alg | signatures/s | `client_credentials` req/s (16 conn.) | ratio | load avg after the signatures |")
	fmt.Fprintln(&b, "| --- | ---: | ---: | ---: | --- |")
	for _, alg := range o.algs {
		if token, ok := ccRate[alg]; ok {
			sig := sigRate[alg]
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f | %s |\n", alg, sig.rate, token, token/sig.rate, sig.load)
		}
	}
	fmt.Fprint(&b, "\n### Memory and start\n\n")
	fmt.Fprintln(&b, "| run | RSS after the load | start to healthy (binaries, fresh databases) |")
	fmt.Fprintln(&b, "| --- | --- | --- |")
	for i, alg := range o.algs {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", alg, rssRows[alg], strings.TrimPrefix(healthy[i], alg+": "))
	}
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "Image sizes: %s\n\n", imageSizes())
	if o.makeTest {
		fmt.Fprintf(&b, "`make test`: %s\n\n", timeMakeTest(ctx, stderr))
	} else {
		fmt.Fprintf(&b, "`make test`: not timed in this run (`make bench-report MAKE_TEST=1` times it; it takes minutes).\n\n")
	}
	fmt.Fprintln(&b, endMarker)
	return splice(o.report, b.String())
}

// ccRate is the client_credentials rate at 16 connections per algorithm, and sigRate the bare
// signature rate measured right after it, for the ratio.
var (
	ccRate  = map[string]float64{}
	sigRate = map[string]struct {
		rate float64
		load string
	}{}
)

// benchStack measures complete flows at 1, 16 and 64 users, then each single endpoint with wrk.
func benchStack(ctx context.Context, o options, s *stack, stdout, stderr io.Writer) (flows, endpoints []string, err error) {
	for _, n := range []int{1, 16, 64} {
		users, err := signIn(ctx, s, n)
		if err != nil {
			return nil, nil, err
		}
		r := runPhase(ctx, "flows", users, o.duration, o.maxOps, (*user).flow, stderr)
		fmt.Fprintf(stdout, "%s %s", s.Alg, r)
		flows = append(flows, fmt.Sprintf("| %s | %d | %.0f | %s | %s | %s | %d | %s |", s.Alg, n, r.PerSecond(),
			ms(r.Percentile(50)), ms(r.Percentile(95)), ms(r.Percentile(99)), r.ErrorCount(), loadAvg()))
	}
	users, err := signIn(ctx, s, 1)
	if err != nil {
		return nil, nil, err
	}
	access := users[0].access
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	type target struct {
		key, name, url, body, auth string
		everyAlg                   bool
	}
	targets := []target{
		{"token", "`client_credentials` token", s.AuthURL + "/token", "grant_type=client_credentials&scope=photos.read", basic("load", s.LoadSecret), true},
		{"introspect", "introspection (JWT access token)", s.AuthURL + "/introspect", "token=" + access, basic("photos", s.PhotosSecret), true},
		{"jwks", "JWKS", s.AuthURL + "/.well-known/jwks.json", "", "", false},
		{"list", "Photos `GET /api/photos` (token checked)", s.PhotosURL + "/api/photos", "", "Bearer " + access, false},
		{"healthz", "Photos `/healthz` (no token, no query)", s.PhotosURL + "/healthz", "", "", false},
	}
	for _, tg := range targets {
		if !tg.everyAlg && s.Alg != o.algs[len(o.algs)-1] || len(o.only) > 0 && !slices.Contains(o.only, tg.key) {
			continue // alg-independent endpoints are measured on the last algorithm's stack only
		}
		for _, conns := range []int{16, 64} {
			w, err := runWrk(ctx, tg.url, tg.body, tg.auth, conns, o.wrkDuration)
			if err != nil {
				return nil, nil, fmt.Errorf("wrk %s: %w", tg.name, err)
			}
			fmt.Fprintf(stdout, "%s %s c=%d: %.0f req/s p99 %s non-2xx %d\n", s.Alg, tg.name, conns, w.rate, w.p99, w.non2xx)
			if tg.key == "token" && conns == 16 {
				ccRate[s.Alg] = w.rate
				rate := signatureRate(s.Alg, 3*time.Second) // beside the endpoint, in the same conditions
				sigRate[s.Alg] = struct {
					rate float64
					load string
				}{rate, loadAvg()}
			}
			endpoints = append(endpoints, fmt.Sprintf("| %s | %s | %d | %.0f | %s | %s | %d | %s |",
				tg.name, algOrAny(tg.everyAlg, s.Alg), conns, w.rate, w.p50, w.p99, w.non2xx, loadAvg()))
		}
	}
	return flows, endpoints, nil
}

func algOrAny(everyAlg bool, alg string) string {
	if everyAlg {
		return alg
	}
	return alg + " stack"
}

// wrkResult is what one wrk run printed.
type wrkResult struct {
	rate     float64
	p50, p99 string
	non2xx   int
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP50    = regexp.MustCompile(`(?m)^\s+50%\s+(\S+)`)
	wrkP99    = regexp.MustCompile(`(?m)^\s+99%\s+(\S+)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

// runWrk runs wrk with two threads against url, posting body when it is not empty.
func runWrk(ctx context.Context, url, body, auth string, conns int, d time.Duration) (wrkResult, error) {
	script, err := os.CreateTemp("", "valet-wrk-*.lua")
	if err != nil {
		return wrkResult{}, err
	}
	defer os.Remove(script.Name())
	lua := ""
	if body != "" {
		lua += fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n", body)
	}
	if auth != "" {
		lua += fmt.Sprintf("wrk.headers[\"Authorization\"] = %q\n", auth)
	}
	if _, err := script.WriteString(lua); err != nil {
		return wrkResult{}, err
	}
	script.Close()
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+d.String(),
		"--timeout", "10s", "--latency", "-s", script.Name(), url).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("%v: %s", err, out)
	}
	var r wrkResult
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	r.rate, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkP50.FindSubmatch(out); m != nil {
		r.p50 = string(m[1])
	}
	if m := wrkP99.FindSubmatch(out); m != nil {
		r.p99 = string(m[1])
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	return r, nil
}

// signatureRate signs a digest on every core for d and returns signatures per second.
func signatureRate(alg string, d time.Duration) float64 {
	var signer crypto.Signer
	var opts crypto.SignerOpts = crypto.SHA256
	switch alg {
	case "RS256":
		signer, _ = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		signer, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		_, signer, _ = ed25519.GenerateKey(rand.Reader)
		opts = crypto.Hash(0)
	}
	digest := sha256.Sum256([]byte("header.payload"))
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := signer.Sign(rand.Reader, digest[:], opts); err == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// loadAvg is the 1, 5 and 15 minute load average, from /proc/loadavg.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// machine describes the CPU, the core count, the kernel and Go.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(data); m != nil {
			cpu = strings.TrimSpace(string(m[1]))
		}
	}
	kernel, _ := exec.Command("uname", "-sr").Output()
	return fmt.Sprintf("%s, %d cores, %s, %s, %s/%s", cpu, runtime.NumCPU(), strings.TrimSpace(string(kernel)),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// imageSizes lists the Compose images' sizes when Docker is there and they were built.
func imageSizes() string {
	if _, err := exec.LookPath("docker"); err != nil {
		return "not measured (no docker command; build with `docker compose build` and rerun)."
	}
	out, err := exec.Command("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").Output()
	if err != nil {
		return "not measured (docker image ls failed: is dockerd running?)."
	}
	var sizes []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		for _, svc := range []string{"authserver", "photos", "printing"} {
			if f := strings.Fields(line); len(f) == 2 && strings.Contains(f[0], svc) {
				sizes = append(sizes, f[0]+" "+f[1])
			}
		}
	}
	if len(sizes) == 0 {
		return "not measured (no authserver, photos or printing image; `docker compose build` first)."
	}
	return strings.Join(sizes, ", ") + "."
}

// timeMakeTest runs make test from the repository root and returns how long it took.
func timeMakeTest(ctx context.Context, stderr io.Writer) string {
	began := time.Now()
	cmd := exec.CommandContext(ctx, "make", "test")
	cmd.Dir = ".."
	cmd.Stdout, cmd.Stderr = stderr, stderr
	err := cmd.Run()
	took := time.Since(began).Round(time.Second)
	if err != nil {
		return fmt.Sprintf("failed after %s (%v)", took, err)
	}
	return fmt.Sprintf("%s (load avg %s at the end)", took, loadAvg())
}

// splice replaces the measured part of the report file, or writes a new file around it.
func splice(path, measured string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	i, j := strings.Index(text, beginMarker), strings.Index(text, endMarker)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + measured + text[j+len(endMarker)+1:]
	default:
		text = "# Performance\n\n" + measured + "\n" + text
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
