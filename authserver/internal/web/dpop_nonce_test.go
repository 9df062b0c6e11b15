package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// dpopNonceTestRequest is dpopTestTokenRequest that also returns the DPoP-Nonce header.
func dpopNonceTestRequest(t *testing.T, srv *testServer, form url.Values, proof string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.base()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("printing", url.QueryEscape(printingSecret))
	req.Header.Set("DPoP", proof)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST /token: not JSON (%d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body, resp.Header.Get("DPoP-Nonce")
}

// TestTokenRequiresServerNonceRFC9449Section8: with AUTHSERVER_DPOP_NONCE=true, a proof without
// a nonce gets 400 use_dpop_nonce and a nonce in DPoP-Nonce; signed again with it, the request
// succeeds. A made-up or expired nonce is refused the same way.
func TestTokenRequiresServerNonceRFC9449Section8(t *testing.T) {
	srv := newTestServer(t, withDPoPNonce())
	key := dpopTestKey(t)
	b := newBrowser(t, srv)
	withNonce := func(nonce string) func(h jws.Headers, c map[string]any) {
		return func(h jws.Headers, c map[string]any) { c["nonce"] = nonce }
	}
	status, body, nonce := dpopNonceTestRequest(t, srv, dpopTestCodeForm(b.code("photos.read")), dpopTestProof(t, srv, key, nil))
	if status != http.StatusBadRequest || errorCode(body) != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("without a nonce: got %d %v, DPoP-Nonce %q; want 400 use_dpop_nonce and a nonce", status, body, nonce)
	}
	code := b.code("photos.read")
	status, body, next := dpopNonceTestRequest(t, srv, dpopTestCodeForm(code), dpopTestProof(t, srv, key, withNonce(nonce)))
	if status != http.StatusOK || body["token_type"] != "DPoP" || next == "" {
		t.Fatalf("with Accounts' nonce: got %d %v, DPoP-Nonce %q; want 200 DPoP and the next nonce", status, body, next)
	}
	forged := base64.RawURLEncoding.EncodeToString(make([]byte, 40))
	for _, tc := range []struct{ name, nonce string }{
		{"a nonce Accounts did not make", forged},
		{"not base64url", "%%%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := dpopNonceTestRequest(t, srv, dpopTestCodeForm(b.code("photos.read")), dpopTestProof(t, srv, key, withNonce(tc.nonce)))
			if status != http.StatusBadRequest || errorCode(body) != "use_dpop_nonce" {
				t.Errorf("got %d %v, want 400 use_dpop_nonce", status, body)
			}
		})
	}
	t.Run("an expired nonce", func(t *testing.T) {
		code := b.code("photos.read")
		srv.Clock.Advance(dpopNonceLifetime + time.Second)
		status, body, _ := dpopNonceTestRequest(t, srv, dpopTestCodeForm(code), dpopTestProof(t, srv, key, withNonce(next)))
		if status != http.StatusBadRequest || errorCode(body) != "use_dpop_nonce" {
			t.Errorf("got %d %v, want 400 use_dpop_nonce", status, body)
		}
	})
}

// TestCheckDPoPNonceRFC9449Section4_3Step10 is the rule alone.
func TestCheckDPoPNonceRFC9449Section4_3Step10(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	clock := now
	n, err := newDPoPNonces(func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	fresh := n.fresh()
	other, _ := newDPoPNonces(func() time.Time { return now })
	for _, tc := range []struct {
		name  string
		nonce string
		at    time.Time
		ok    bool
	}{
		{"just made", fresh, now, true},
		{"five minutes old", fresh, now.Add(dpopNonceLifetime), true},
		{"older than five minutes", fresh, now.Add(dpopNonceLifetime + time.Second), false},
		{"missing", "", now, false},
		{"made with another key (another process)", other.fresh(), now, false},
		{"cut short", fresh[:20], now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock = tc.at
			if err := n.checkDPoPNonce(tc.nonce); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
