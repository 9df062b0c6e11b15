package e2e

// The photo kiosk end to end: the real `printing kiosk` binary against the real Accounts and
// Photos, with Chromium playing Alice's phone. The kiosk shows a code; the phone opens
// verification_uri_complete, signs in at Accounts, compares the code and allows; the kiosk,
// polling all the while (RFC 8628 §3.5), gets its valet key and prints a proof of her photo.

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// kioskTimeout bounds one kiosk run: a few 5-second polls, the photo download and the proof.
const kioskTimeout = 90 * time.Second

// kioskBinary is the printing binary TestMain built, or, against an external stack, one built
// here once.
func kioskBinary(t *testing.T) string {
	t.Helper()
	if binDir != "" {
		return filepath.Join(binDir, "printing")
	}
	path, err := buildKioskOnce()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

var buildKioskOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "valet-e2e-kiosk-")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "printing"), ".")
	cmd.Dir = filepath.Join("..", "printing")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.New("go build in ../printing: " + err.Error() + "\n" + string(out))
	}
	return filepath.Join(dir, "printing"), nil
})

// kioskRun is a running `printing kiosk`.
type kioskRun struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan struct{}
	err    error
}

// startKiosk runs the kiosk against the stack with the given flags and no terminal. On a stack
// the test started, it keeps its walkthrough in PrintShop's database, as at a real counter.
func startKiosk(t *testing.T, s *stack, args ...string) *kioskRun {
	t.Helper()
	k := &kioskRun{output: &syncBuffer{}, done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), kioskTimeout)
	t.Cleanup(cancel)
	k.cmd = exec.CommandContext(ctx, kioskBinary(t), append([]string{"kiosk"}, args...)...)
	k.cmd.Dir = t.TempDir()
	k.cmd.Stdout, k.cmd.Stderr = k.output, k.output
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTHSERVER_") && !strings.HasPrefix(kv, "PHOTOS_") && !strings.HasPrefix(kv, "PRINTING_") {
			k.cmd.Env = append(k.cmd.Env, kv)
		}
	}
	k.cmd.Env = append(k.cmd.Env, "PRINTING_ISSUER="+s.AuthURL, "PRINTING_PHOTOS_URL="+s.PhotosURL)
	if s.PrintingDB != "" {
		k.cmd.Env = append(k.cmd.Env, "PRINTING_DB="+s.PrintingDB)
	} else {
		k.cmd.Args = append(k.cmd.Args, "-walkthrough=false")
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- output of printing kiosk ----\n%s", k.output.String())
		}
	})
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("start printing kiosk: %v", err)
	}
	go func() { k.err = k.cmd.Wait(); close(k.done) }()
	return k
}

// waitFor returns the first submatch of re in the kiosk's output, once it appears.
func (k *kioskRun) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	for {
		if m := re.FindStringSubmatch(k.output.String()); m != nil {
			return m[1]
		}
		select {
		case <-k.done:
			t.Fatalf("printing kiosk exited (%v) before printing %s", k.err, re)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wait waits for the kiosk to exit (the context kills it after kioskTimeout) and returns its
// exit error.
func (k *kioskRun) wait() error {
	<-k.done
	return k.err
}

var (
	kioskCode     = regexp.MustCompile(`enter the code\s+([B-Z]{4}-[B-Z]{4})`)
	kioskComplete = regexp.MustCompile(`it opens (\S+)\):`)
	kioskPending  = regexp.MustCompile(`poll 1: (authorization_pending)`)
)

func TestKioskDeviceFlow(t *testing.T) {
	bt := startBrowserTest(t)
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	if len(alice) < 2 {
		t.Fatalf("alice has %d photos; the kiosk prints her second", len(alice))
	}
	proofPath := filepath.Join(t.TempDir(), "proof.jpg")
	k := startKiosk(t, s, "-photo", "2", "-size", "5x7", "-out", proofPath)
	userCode := k.waitFor(t, kioskCode)
	complete := k.waitFor(t, kioskComplete)
	if want := s.AuthURL + "/device?user_code=" + userCode; complete != want {
		t.Errorf("the QR code opens %s, want %s", complete, want)
	}

	// Alice's phone: the QR code's link fills in the code, but only Continue sends it.
	phone := bt.newChrome("alice's phone")
	phone.open(complete)
	phone.expectAt(s.AuthURL, "/device", "the QR code's link")
	if got := evaluate[string](phone, `document.querySelector('input[name=user_code]').value`); got != userCode {
		phone.errorf("the code field holds %q, want the kiosk's %q", got, userCode)
	}
	phone.shot("the code, filled in from the QR code")
	phone.press(`form[action="/device"] button[type=submit]`)
	if u := phone.signInAtAccounts(s, "alice", "wonderland"); u.Path != "/device/confirm" {
		phone.fatalf("signing in led to %s, want /device/confirm", u)
	}

	// The consent page names the kiosk, shows the code to compare, and warns (RFC 8628 §5.4).
	main := phone.text("main")
	for _, want := range []string{"Allow PrintShop photo kiosk to use your Photos account?", userCode,
		"Only continue if you are standing at this kiosk", "photos.read"} {
		if !strings.Contains(main, want) {
			phone.errorf("the device consent page does not say %q:\n%s", want, main)
		}
	}
	phone.shot("compare the code, then allow")
	// Let the kiosk poll once while Alice has not decided: authorization_pending (RFC 8628 §3.5).
	k.waitFor(t, kioskPending)
	phone.press(`button[name=decision][value=allow]`)
	if h1 := phone.text("main h1"); h1 != "PrintShop photo kiosk is connected" {
		phone.errorf("after Allow the page says %q, want that the kiosk is connected", h1)
	}

	// The kiosk collects its token at its next poll and prints the proof.
	if err := k.wait(); err != nil {
		t.Fatalf("printing kiosk: %v", err)
	}
	out := k.output.String()
	for _, want := range []string{": tokens", "valet key for alice",
		`Printing "` + alice[1].Title + `" at 5x7 in.`, "Proof written to " + proofPath} {
		if !strings.Contains(out, want) {
			t.Errorf("the kiosk's screen does not show %q", want)
		}
	}
	data, err := os.ReadFile(proofPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the proof is not a JPEG: %v", err)
	}
	// 5x7 in at 100 DPI, plus bleed and margins.
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 700 {
		t.Errorf("the proof is %dx%d pixels, too small for a 5x7 print at 100 DPI", b.Dx(), b.Dy())
	}

	// Accounts lists the kiosk among Alice's connected apps.
	phone.open(s.AuthURL + "/account")
	if apps := phone.text("main"); !strings.Contains(apps, "PrintShop photo kiosk") {
		phone.errorf("/account does not list the kiosk:\n%s", apps)
	}

	if s.External {
		return // the walkthrough lives in PrintShop's database, out of reach here
	}
	// PrintShop's walkthrough draws the visit: every poll a back-channel row, and the proof.
	desk := bt.newChrome("alice at PrintShop")
	desk.signInAtPrintShop(s, "alice", "wonderland")
	desk.open(s.PrintURL + "/flow/kiosk")
	if polls := desk.count(`details.step.back .title`); polls < 3 {
		desk.errorf("/flow/kiosk has %d back-channel rows, want the device authorization, the polls and Photos", polls)
	}
	titles := strings.Join(desk.texts(`details.step .title`), "\n")
	for _, want := range []string{"Ask for a device code", "authorization_pending", "Alice enters the code", ": tokens", "Use the valet key at Photos"} {
		if !strings.Contains(titles, want) {
			desk.errorf("/flow/kiosk has no step %q:\n%s", want, titles)
		}
	}
	if n, broken := desk.imagesLoaded("img.proof"); n != 1 || len(broken) > 0 {
		desk.errorf("/flow/kiosk's proof: %d images, broken %v", n, broken)
	}
	desk.shot("the kiosk's walkthrough")
}
