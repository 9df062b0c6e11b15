// Package kiosk is PrintShop's photo kiosk: a terminal at the shop's counter with no keyboard
// worth typing a password into. It runs the device authorization grant (RFC 8628): it shows a
// short code and a QR code, Alice allows it on her phone at Accounts, and the kiosk receives a
// valet key without ever seeing her password. Then it lists her photos and prints a proof of
// the one she picks, with the same proof code as PrintShop's orders.
package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // Photos serves JPEGs
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/proof"
)

// Config is where the kiosk finds Accounts and Photos, and what it is asked to print.
type Config struct {
	Issuer        string // Accounts' public URL: the metadata's issuer must equal it
	AuthServerURL string // the back channel to Accounts
	PhotosURL     string // the back channel to Photos
	ClientID      string // "kiosk", a public client registered for the device code grant
	// Photo picks the photo to print: its id, or its number in the list. Empty: ask on In.
	Photo string
	Size  proof.Size
	// ProofPath is where the proof JPEG is written.
	ProofPath string
	In        io.Reader // answers to the kiosk's questions
	Out       io.Writer // the kiosk's screen
	// Interactive redraws the countdown in place; off, the kiosk prints one line per poll.
	Interactive bool
	// Save keeps the recorded flow for PrintShop's walkthrough, under the Accounts user's name.
	// Nil: nothing is kept.
	Save func(ctx context.Context, username string, started time.Time, events []flow.Event, proof []byte) error
	Now  func() time.Time
}

// Run is one customer at the kiosk, from the code on the screen to the proof on disk.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	k := &kiosk{cfg: cfg, screen: &screen{w: cfg.Out}, memory: &memoryFlow{}}
	k.recorder = &recorder{base: http.DefaultTransport, rec: flow.NewRecorder(k.memory, cfg.Now), now: cfg.Now, onPoll: k.screen.poll}
	k.http = &http.Client{Transport: k.recorder, Timeout: 20 * time.Second}
	started := cfg.Now()

	token, err := k.authorize(ctx)
	if err != nil {
		return err
	}
	username := subject(token.AccessToken)
	photos := photosapi.New(cfg.PhotosURL, k.http)
	sheet, err := k.print(ctx, photos, token.AccessToken)
	if err != nil {
		return err
	}
	k.screen.printf("\nProof written to %s. Collect your prints at the counter.\n", cfg.ProofPath)
	if cfg.Save != nil {
		if err := cfg.Save(ctx, username, started, k.memory.Events(), sheet); err != nil {
			k.screen.printf("(The walkthrough of this visit could not be saved: %v)\n", err)
		} else {
			k.screen.printf("Walkthrough of this visit: PrintShop's /flow/kiosk, signed in as %s.\n", username)
		}
	}
	return nil
}

type kiosk struct {
	cfg      Config
	screen   *screen
	memory   *memoryFlow
	recorder *recorder
	http     *http.Client
}

// authorize runs the device flow: discovery, the device authorization request, the screen,
// and polling with x/oauth2, which honours interval and slow_down (RFC 8628 §3.5).
func (k *kiosk) authorize(ctx context.Context) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, k.http)
	endpoint, err := k.discover(ctx)
	if err != nil {
		return nil, err
	}
	cfg := &oauth2.Config{ClientID: k.cfg.ClientID, Scopes: []string{"photos.read"}, Endpoint: endpoint}
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("Accounts refused to start the device flow: %w", err)
	}
	k.show(da)
	stop := k.screen.countdown(da.Expiry, k.cfg.Interactive, k.cfg.Now)
	token, err := cfg.DeviceAccessToken(ctx, da)
	stop()
	if err != nil {
		return nil, pollError(err)
	}
	k.screen.printf("\n\nAllowed. The kiosk has a valet key for %s (scope %s); it never saw a password.\n\n",
		subject(token.AccessToken), token.Extra("scope"))
	return token, nil
}

// show puts the code on the screen, and records that it did.
func (k *kiosk) show(da *oauth2.DeviceAuthResponse) {
	s := k.screen
	s.printf("\n  PrintShop photo kiosk\n\n")
	s.printf("  On your phone, open  %s\n", da.VerificationURI)
	s.printf("  and enter the code   %s\n\n", da.UserCode)
	s.printf("  Or scan this QR code (it opens %s):\n\n", da.VerificationURIComplete)
	if err := writeQR(k.cfg.Out, da.VerificationURIComplete); err != nil {
		s.printf("  (no QR code: %v)\n", err)
	}
	s.printf("\n  Only allow it if your phone shows the same code, %s.\n\n", da.UserCode)
	ctx := context.Background()
	rec := k.recorder.rec
	rec.Record(ctx, "", flow.Event{Kind: "show", Title: "The kiosk shows the user code and a QR code", Channel: Screen, From: Kiosk, To: Phone,
		Request: flow.Message{Body: "user_code " + da.UserCode + "\n" + da.VerificationURIComplete},
		Note:    "No network here: Alice reads the code off the screen, or scans the QR code with her phone."})
}

// discover reads Accounts' metadata (RFC 8414) over the back channel and checks its issuer.
// The endpoints in it are public URLs; the kiosk calls them at the back-channel address.
func (k *kiosk) discover(ctx context.Context) (oauth2.Endpoint, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.cfg.AuthServerURL+"/.well-known/oauth-authorization-server", nil)
	if err != nil {
		return oauth2.Endpoint{}, err
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return oauth2.Endpoint{}, fmt.Errorf("Accounts cannot be reached at %s: %w", k.cfg.AuthServerURL, err)
	}
	defer resp.Body.Close()
	var meta struct {
		Issuer              string `json:"issuer"`
		TokenEndpoint       string `json:"token_endpoint"`
		DeviceAuthorization string `json:"device_authorization_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&meta); err != nil || resp.StatusCode != http.StatusOK {
		return oauth2.Endpoint{}, fmt.Errorf("Accounts' metadata could not be read (status %d)", resp.StatusCode)
	}
	if meta.Issuer != k.cfg.Issuer {
		return oauth2.Endpoint{}, fmt.Errorf("Accounts' metadata names issuer %q, want %q (PRINTING_ISSUER)", meta.Issuer, k.cfg.Issuer)
	}
	if meta.DeviceAuthorization == "" {
		return oauth2.Endpoint{}, errors.New("Accounts' metadata has no device_authorization_endpoint: it does not offer the device flow")
	}
	backChannel := func(u string) string { return k.cfg.AuthServerURL + strings.TrimPrefix(u, meta.Issuer) }
	return oauth2.Endpoint{DeviceAuthURL: backChannel(meta.DeviceAuthorization), TokenURL: backChannel(meta.TokenEndpoint),
		AuthStyle: oauth2.AuthStyleInParams}, nil
}

// pollError explains why polling ended without tokens.
func pollError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "access_denied":
			return errors.New("you pressed Deny on your phone, so the kiosk got nothing. Start again to print")
		case "expired_token":
			return errors.New("the code expired before anyone allowed it. Start again for a new code")
		}
		return fmt.Errorf("Accounts answered %s: %s", re.ErrorCode, re.ErrorDescription)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("the code expired before anyone allowed it. Start again for a new code")
	}
	return err
}

// print lists the photos, takes the customer's pick and writes its proof.
func (k *kiosk) print(ctx context.Context, photos *photosapi.Client, token string) ([]byte, error) {
	library, err := photos.List(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("the photos could not be listed: %w", err)
	}
	if len(library) == 0 {
		return nil, errors.New("your library at Photos is empty: there is nothing to print")
	}
	k.screen.printf("Your photos at Photos:\n")
	album := "\x00"
	for i, p := range library {
		if p.Album != album {
			album = p.Album
			k.screen.printf("  %s\n", orDefault(album, "(no album)"))
		}
		k.screen.printf("    %2d. %s  [%s, %dx%d]\n", i+1, orDefault(p.Title, "Untitled"), p.ID, p.Width, p.Height)
	}
	choice, err := k.choose(library)
	if err != nil {
		return nil, err
	}
	data, err := photos.Content(ctx, token, choice.ID)
	if err != nil {
		return nil, fmt.Errorf("%q could not be downloaded: %w", choice.Title, err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("Photos sent something that is not a picture for %q: %w", choice.Title, err)
	}
	sheet, err := proof.Render([]proof.Print{{Title: choice.Title, Image: img, Size: k.cfg.Size, Copies: 1}})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(k.cfg.ProofPath, sheet, 0o644); err != nil {
		return nil, fmt.Errorf("the proof could not be written: %w", err)
	}
	return sheet, nil
}

// choose takes the photo from -photo, or asks on standard input.
func (k *kiosk) choose(library []photosapi.Photo) (photosapi.Photo, error) {
	answer := k.cfg.Photo
	if answer == "" {
		k.screen.printf("Which photo shall we print? Type its number: ")
		line, err := bufio.NewReader(k.cfg.In).ReadString('\n')
		if err != nil && line == "" {
			return photosapi.Photo{}, errors.New("no photo was chosen: type a number, or pass -photo ID")
		}
		answer = strings.TrimSpace(line)
	}
	for i, p := range library {
		if answer == p.ID || answer == strconv.Itoa(i+1) {
			k.screen.printf("Printing %q at %s in.\n", orDefault(p.Title, "Untitled"), k.cfg.Size.Name)
			return p, nil
		}
	}
	return photosapi.Photo{}, fmt.Errorf("there is no photo %q: pick a number from 1 to %d, or a photo id", answer, len(library))
}

// subject reads the sub claim of a JWT access token, only to greet the user and to file the
// walkthrough. The kiosk trusts the token because it came straight from Accounts over the back
// channel; Photos is the one that verifies it.
func subject(accessToken string) string {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	_ = json.Unmarshal(payload, &claims)
	return claims.Sub
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// screen is the kiosk's terminal. The countdown and the poll lines share it.
type screen struct {
	mu          sync.Mutex
	w           io.Writer
	interactive bool
	expiry      time.Time
	now         func() time.Time
	polls       int
	last        string
}

func (s *screen) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format, args...)
}

// countdown shows the time left until the code expires: redrawn every second on a terminal,
// or with each poll otherwise. It returns a function that stops it.
func (s *screen) countdown(expiry time.Time, interactive bool, now func() time.Time) func() {
	s.mu.Lock()
	s.expiry, s.interactive, s.now = expiry, interactive, now
	s.mu.Unlock()
	if !interactive {
		s.printf("  The code expires in %s. Waiting for you to allow it on your phone...\n", left(expiry, now()))
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			s.redraw()
			select {
			case <-done:
				s.redraw() // the last poll's answer
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (s *screen) redraw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, "\r  Code expires in %s · polls: %d · last answer: %-22s", left(s.expiry, s.now()), s.polls, orDefault(s.last, "none yet"))
}

// poll is told each answer of the token endpoint.
func (s *screen) poll(answer string) {
	s.mu.Lock()
	s.polls++
	s.last = answer
	n, interactive, remaining := s.polls, s.interactive, left(s.expiry, s.now())
	s.mu.Unlock()
	if !interactive {
		s.printf("  poll %d: %s · the code expires in %s\n", n, answer, remaining)
	}
}

// left formats the time until expiry as m:ss.
func left(expiry, now time.Time) string {
	d := max(expiry.Sub(now).Round(time.Second), 0)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
