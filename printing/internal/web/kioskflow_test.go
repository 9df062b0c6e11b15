package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// /flow/kiosk draws the kiosk's device flow in four lanes, each poll a back-channel row, and
// shows a visit only to the user who allowed the kiosk.
func TestKioskFlowPage(t *testing.T) {
	shop := newPrintShop(t)
	proofJPEG := testJPEG(t, 40, 30, 120)
	events := []flow.Event{
		{Kind: "device_authorization", Title: "Ask for a device code and a user code (RFC 8628 §3.1)", Channel: flow.Back, From: "kiosk", To: flow.Accounts,
			Request:  flow.Message{Method: "POST", URL: "http://accounts.test/device_authorization", Body: "client_id=kiosk&scope=photos.read"},
			Response: flow.Message{Status: 200, Body: `{"user_code": "BCDF-GHJK"}`}},
		{Kind: "show", Title: "The kiosk shows the user code and a QR code", Channel: "screen", From: "kiosk", To: flow.Browser},
		{Kind: "poll", Title: "Poll 1 of the token endpoint (RFC 8628 §3.4): authorization_pending", Channel: flow.Back, From: "kiosk", To: flow.Accounts,
			Request: flow.Message{Method: "POST", URL: "http://accounts.test/token"}, Response: flow.Message{Status: 400}},
		{Kind: "poll", Title: "Poll 2 of the token endpoint (RFC 8628 §3.4): slow_down", Channel: flow.Back, From: "kiosk", To: flow.Accounts,
			Request: flow.Message{Method: "POST", URL: "http://accounts.test/token"}, Response: flow.Message{Status: 400}},
		{Kind: "verify", Title: "Meanwhile, on her phone, Alice enters the code, signs in and allows", Channel: flow.Front, From: flow.Browser, To: flow.Accounts},
		{Kind: "poll", Title: "Poll 3 of the token endpoint (RFC 8628 §3.4): tokens", Channel: flow.Back, From: "kiosk", To: flow.Accounts,
			Request: flow.Message{Method: "POST", URL: "http://accounts.test/token"}, Response: flow.Message{Status: 200}},
		{Kind: "photos", Title: "Use the valet key at Photos", Channel: flow.Back, From: "kiosk", To: flow.Photos,
			Request: flow.Message{Method: "GET", URL: "http://photos.test/api/photos"}, Response: flow.Message{Status: 200}},
	}
	if err := shop.Store.SaveKioskVisit(t.Context(), store.KioskVisit{Username: "alice", Started: time.Unix(1_800_000_000, 0), Events: events, Proof: proofJPEG}); err != nil {
		t.Fatal(err)
	}
	alice := newBrowser(t, shop)
	alice.signIn("alice", "wonderland")
	p := alice.get("/flow/kiosk")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", p.StatusCode)
	}
	for _, want := range []string{"Alice&#39;s phone", "Kiosk", "Accounts", "Photos", "with 3 polls",
		"authorization_pending", "slow_down", "Poll 3", "POST /token → 200", "lo-1 len-1 ltr", "lo-0 len-2 ltr", "on the screen", "/flow/kiosk/proof.jpg"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("/flow/kiosk does not show %q", want)
		}
	}
	if got := strings.Count(p.Body, `class="step back"`); got != 5 {
		t.Errorf("got %d back-channel rows, want 5 (3 polls, the device authorization, Photos)", got)
	}
	img := alice.get("/flow/kiosk/proof.jpg")
	if img.StatusCode != http.StatusOK || !bytes.Equal([]byte(img.Body), proofJPEG) {
		t.Errorf("proof: got status %d and %d bytes, want the stored proof", img.StatusCode, len(img.Body))
	}

	bob := newBrowser(t, shop)
	bob.signIn("bob", "builder")
	if p := bob.get("/flow/kiosk"); !strings.Contains(p.Body, "nothing to draw yet") || strings.Contains(p.Body, "Poll 3") {
		t.Errorf("bob sees alice's kiosk visit")
	}
	if p := bob.get("/flow/kiosk/proof.jpg"); p.StatusCode != http.StatusNotFound {
		t.Errorf("bob's proof: got status %d, want 404", p.StatusCode)
	}
}

// /learn says when to use the device grant and why the user code must be compared (RFC 8628
// §5.4).
func TestLearnDeviceSection(t *testing.T) {
	p := newBrowser(t, newPrintShop(t)).get("/learn")
	for _, want := range []string{`id="device"`, "device authorization grant", "Why compare the code?", "remote phishing", "slow_down", `href="/flow/kiosk"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("/learn does not say %q", want)
		}
	}
}
