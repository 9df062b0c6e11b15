package kiosk

// The kiosk against stand-ins for Accounts and Photos (the other services, which a unit test
// of the kiosk must do without). The e2e suite runs the real binary against the real services.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/proof"
)

const testDeviceCode = "device-code-0123456789-secret"

// fakeAccounts answers the device flow: each poll gets the next answer in answers.
func fakeAccounts(t *testing.T, answers ...string) *httptest.Server {
	var mu sync.Mutex
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "token_endpoint": srv.URL + "/token",
			"device_authorization_endpoint": srv.URL + "/device_authorization"})
	})
	mux.HandleFunc("POST /device_authorization", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("client_id") != "kiosk" || r.FormValue("scope") != "photos.read" {
			t.Errorf("device authorization request: client_id %q scope %q", r.FormValue("client_id"), r.FormValue("scope"))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"device_code": testDeviceCode, "user_code": "BCDF-GHJK",
			"verification_uri": srv.URL + "/device", "verification_uri_complete": srv.URL + "/device?user_code=BCDF-GHJK",
			"expires_in": 600, "interval": 1})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("device_code") != testDeviceCode || r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" {
			t.Errorf("poll: device_code %q grant_type %q", r.FormValue("device_code"), r.FormValue("grant_type"))
		}
		mu.Lock()
		answer := answers[0]
		if len(answers) > 1 {
			answers = answers[1:]
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if answer != "tokens" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": answer})
			return
		}
		payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"alice"}`))
		json.NewEncoder(w).Encode(map[string]any{"access_token": "eyJhbGciOiJub25lIn0." + payload + ".sig",
			"token_type": "Bearer", "expires_in": 600, "scope": "photos.read"})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// fakePhotos serves two photos to the bearer of any token.
func fakePhotos(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/photos", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"photos": []map[string]any{
			{"id": "p1", "title": "Sunset over the sea", "album": "Summer", "width": 60, "height": 40},
			{"id": "p2", "title": "Field of flowers", "album": "Wonderland", "width": 60, "height": 40},
		}})
	})
	mux.HandleFunc("GET /api/photos/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 60, 40))
		for i := range img.Pix {
			img.Pix[i] = 200
		}
		img.Set(1, 1, color.Black)
		w.Header().Set("Content-Type", "image/jpeg")
		jpeg.Encode(w, img, nil)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type savedVisit struct {
	username string
	events   []flow.Event
	proof    []byte
}

func runKiosk(t *testing.T, accounts, photos *httptest.Server, in string) (string, *savedVisit, string, error) {
	t.Helper()
	var out bytes.Buffer
	saved := &savedVisit{}
	path := filepath.Join(t.TempDir(), "proof.jpg")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	size, _ := proof.SizeByName("4x6")
	err := Run(ctx, Config{Issuer: accounts.URL, AuthServerURL: accounts.URL, PhotosURL: photos.URL, ClientID: "kiosk",
		Size: size, ProofPath: path, In: strings.NewReader(in), Out: &out,
		Save: func(_ context.Context, username string, _ time.Time, events []flow.Event, sheet []byte) error {
			saved.username, saved.events, saved.proof = username, events, sheet
			return nil
		}})
	return out.String(), saved, path, err
}

// The kiosk shows the code, polls until allowed (RFC 8628 §3.5), lists the photos, takes the
// choice from standard input and writes the proof; the walkthrough keeps every step, masked.
func TestKioskPrintsAProof(t *testing.T) {
	out, saved, path, err := runKiosk(t, fakeAccounts(t, "authorization_pending", "tokens"), fakePhotos(t), "2\n")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{"BCDF-GHJK", "/device", "/device?user_code=BCDF-GHJK", "█", "expires in",
		"poll 1: authorization_pending", "poll 2: tokens", "valet key for alice", "Wonderland", "2. Field of flowers", `Printing "Field of flowers"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the screen does not show %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("the proof is not a JPEG: %v", err)
	}
	if saved.username != "alice" || !bytes.Equal(saved.proof, data) {
		t.Errorf("saved visit: user %q, proof of %d bytes; want alice and the proof written", saved.username, len(saved.proof))
	}
	var kinds []string
	for _, e := range saved.events {
		kinds = append(kinds, e.Kind)
		if strings.Contains(e.Request.Body+e.Response.Body, testDeviceCode) {
			t.Errorf("step %q shows the device code unmasked", e.Title)
		}
	}
	if got, want := strings.Join(kinds, " "), "metadata device_authorization show poll verify poll photos photos"; got != want {
		t.Errorf("walkthrough steps: got %q, want %q", got, want)
	}
}

// RFC 8628 §3.5: access_denied ends polling, and the kiosk says why.
func TestKioskDenied(t *testing.T) {
	out, _, path, err := runKiosk(t, fakeAccounts(t, "access_denied"), fakePhotos(t), "1\n")
	if err == nil || !strings.Contains(err.Error(), "Deny") {
		t.Fatalf("Run: got %v, want an error saying the user pressed Deny\n%s", err, out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a proof was written after access_denied")
	}
}

// A choice that is not in the list is refused with what to type instead.
func TestKioskBadChoice(t *testing.T) {
	_, _, _, err := runKiosk(t, fakeAccounts(t, "tokens"), fakePhotos(t), "7\n")
	if err == nil || !strings.Contains(err.Error(), "from 1 to 2") {
		t.Errorf("Run: got %v, want an error naming the numbers to pick from", err)
	}
}
