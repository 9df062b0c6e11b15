package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/valet/printing/internal/flow"
)

// The recorder sees every step of a real flow, in order, with its channel, and masks the
// client secret and refresh tokens before storing anything.
func TestFlowRecordsEveryStep(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	b.connect("alice") // lands on the gallery: one Photos call, plus thumbnails the test does not load
	_, events, err := shop.Store.Flow(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind+"/"+string(e.Channel))
	}
	want := []string{"metadata/back", "authorize/front", "login/front", "consent/front", "callback/front", "token/back", "photos/back"}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("got steps %v, want %v", kinds, want)
	}
	conn, err := shop.Store.Connection(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, e := range events {
		all += e.Request.URL + e.Request.Body + e.Response.Body
		for _, h := range append(e.Request.Headers, e.Response.Headers...) {
			all += h[1]
		}
	}
	if strings.Contains(all, testClientSecret) || strings.Contains(all, conn.RefreshToken) {
		t.Error("a recorded step holds the client secret or the refresh token unmasked")
	}
	if !strings.Contains(all, conn.AccessToken) {
		t.Error("the access token is not in the recorded steps; /flow is meant to show it")
	}
	if !strings.Contains(all, flow.Mask(conn.RefreshToken)) {
		t.Error("the masked refresh token is not in the token response")
	}
}

// A callback PrintShop refuses (here RFC 9207 §2.4: an iss from another issuer) is drawn on
// /flow as a red step through the browser, naming the check that refused it.
func TestFlowDrawsARefusedCallbackInRed(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	req := b.startConnect()
	b.callback(url.Values{"code": {"x"}, "state": {req.Get("state")}, "iss": {"http://evil.example"}})
	rows := flowRows(b.get("/flow").Body)
	callback := rows[len(rows)-1]
	if callback.kind != "callback" || !strings.Contains(callback.html, `class="step front refused"`) {
		t.Fatalf("the last row is not the callback drawn as refused:\n%s", callback.html)
	}
	summary, _, _ := strings.Cut(callback.html, "</summary>")
	if !strings.Contains(summary, "comes from issuer &#34;http://evil.example&#34;") || strings.Count(summary, `front refused"><span class="arrow-label">`) != 2 {
		t.Errorf("the refused callback does not name the iss check, or its two arrows are not red:\n%s", summary)
	}
}
