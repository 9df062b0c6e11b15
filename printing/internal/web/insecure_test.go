package web

// Tests of the attack lab's switches at PrintShop (workshop/attacks/02 and 03): each weakens its
// own check only, and with the defaults neither weakness exists.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/valet/printing/internal/oauth"
)

func skipState(_ *oauth.Config, c *Config) {
	c.InsecureSkipState = true
	c.Insecure = append(c.Insecure, "PRINTING_INSECURE_SKIP_STATE")
}

func noPKCE(o *oauth.Config, c *Config) {
	o.InsecureNoPKCE = true
	c.Insecure = append(c.Insecure, "PRINTING_INSECURE_NO_PKCE")
}

// TestLoginCSRFRFC6749Section10_12 is attack 02: the attacker's own code, sent to Alice's
// browser, links her PrintShop account to the attacker's photos. State stops it; without state,
// PKCE at Accounts still stops it (RFC 9700 §4.7.1); without both, it succeeds.
func TestLoginCSRFRFC6749Section10_12(t *testing.T) {
	for _, tc := range []struct {
		name         string
		opts         []func(*oauth.Config, *Config)
		pkceOptional bool // at (fake) Accounts
		attackerPKCE bool // the attacker's code is bound to the attacker's challenge
		wantLinked   bool
	}{
		{"state checked: refused before any token request (RFC 6749 §10.12)", nil, false, true, false},
		{"state skipped, PKCE at Accounts: refused at the token endpoint (RFC 9700 §4.7.1)", []func(*oauth.Config, *Config){skipState}, false, true, false},
		{"state skipped, PKCE off everywhere: Alice is linked to the attacker's photos", []func(*oauth.Config, *Config){skipState, noPKCE}, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := newPrintShop(t, tc.opts...)
			shop.Accounts.mu.Lock()
			shop.Accounts.pkceOptional = tc.pkceOptional
			shop.Accounts.mu.Unlock()
			// The attacker (bob) starts a connect in their own browser and keeps the answer.
			attacker := newBrowser(t, shop)
			attacker.signIn("bob", "builder")
			req := attacker.startConnect()
			challenge := ""
			if tc.attackerPKCE {
				challenge = req.Get("code_challenge")
			}
			code := shop.Accounts.issueCode(challenge, "bob")
			// Alice's browser is made to open the attacker's answer.
			alice := newBrowser(t, shop)
			alice.signIn("alice", "wonderland")
			p := alice.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
			conn, err := shop.Store.Connection(context.Background(), "alice")
			linked := err == nil && strings.Contains(conn.AccessToken, "bob")
			if linked != tc.wantLinked {
				t.Fatalf("alice linked to bob's photos: got %v, want %v (callback status %d)", linked, tc.wantLinked, p.StatusCode)
			}
			if !tc.wantLinked && p.StatusCode != http.StatusBadRequest {
				t.Fatalf("got status %d, want 400", p.StatusCode)
			}
			// /flow draws the foreign answer in the attacker's fifth lane, in red, whenever
			// PrintShop acted on it; a refused-by-state answer stays in the four lanes of OAuth.
			page := alice.get("/flow").Body
			drawn := strings.Contains(page, `lane-head attacker`) && strings.Contains(page, "with-attacker") &&
				strings.Contains(page, "lo-2 len-2 rtl") && strings.Contains(page, "step front attack")
			if acted := len(tc.opts) > 0; drawn != acted {
				t.Fatalf("/flow draws the attacker's lane: got %v, want %v", drawn, acted)
			}
		})
	}
}

func TestInsecureSkipStateKeepsOwnFlowAndIssRFC9207Section2_4(t *testing.T) {
	shop := newPrintShop(t, skipState)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	if p := b.connect("alice"); p.StatusCode != http.StatusOK {
		t.Fatalf("alice's own connect: got status %d, want 200", p.StatusCode)
	}
	req := b.startConnect()
	code := shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
	p := b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {"http://localhost:9666"}})
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "RFC 9207") {
		t.Fatalf("a wrong iss with the state switch on: got status %d, want 400 naming RFC 9207", p.StatusCode)
	}
}

func TestInsecureNoPKCERFC7636Section4_3(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []func(*oauth.Config, *Config)
		want bool // PKCE sent
	}{
		{"by default the request carries code_challenge S256 and the token request code_verifier", nil, true},
		{"PRINTING_INSECURE_NO_PKCE sends neither", []func(*oauth.Config, *Config){noPKCE}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := newPrintShop(t, tc.opts...)
			shop.Accounts.pkceOptional = true
			b := newBrowser(t, shop)
			b.signIn("alice", "wonderland")
			req := b.startConnect()
			if got := req.Has("code_challenge"); got != tc.want {
				t.Fatalf("code_challenge sent: got %v, want %v", got, tc.want)
			}
			code := shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
			if p := b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}}); p.StatusCode != http.StatusOK {
				t.Fatalf("callback: got status %d, want 200", p.StatusCode)
			}
			shop.Accounts.mu.Lock()
			defer shop.Accounts.mu.Unlock()
			if got := shop.Accounts.lastTokenForm.Has("code_verifier"); got != tc.want {
				t.Fatalf("code_verifier sent: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInsecureSwitchesWarnAndShowBanner(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []func(*oauth.Config, *Config)
		want []string
	}{
		{"no switch: no INSECURE line, no banner", nil, nil},
		{"both switches", []func(*oauth.Config, *Config){skipState, noPKCE}, []string{"PRINTING_INSECURE_SKIP_STATE", "PRINTING_INSECURE_NO_PKCE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shop := newPrintShop(t, tc.opts...)
			b := newBrowser(t, shop)
			bodies := []string{b.get("/").Body, b.get("/no-such-page").Body}
			b.signIn("alice", "wonderland")
			bodies = append(bodies, b.get("/flow").Body)
			logs := shop.Logs.String()
			if len(tc.want) == 0 && (strings.Contains(logs, "INSECURE") || strings.Contains(strings.Join(bodies, ""), "INSECURE")) {
				t.Fatalf("INSECURE shown or logged with no switch on:\n%s", logs)
			}
			for _, name := range tc.want {
				if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "INSECURE: "+name) {
					t.Errorf("logs have no WARN line naming %s:\n%s", name, logs)
				}
				for i, body := range bodies {
					if !strings.Contains(body, `class="insecure"`) || !strings.Contains(body, "INSECURE: "+name) {
						t.Errorf("page %d has no red banner naming %s", i, name)
					}
				}
			}
		})
	}
}
