package e2e

// "Steal the valet key" against the real services, in both token bindings (issue 14, RFC 9449):
// with bearer tokens a copy of PrintShop's access token opens Photos for a thief; with
// PRINTING_TOKEN_BINDING=dpop it does not, and Photos names the check that failed.

import (
	"net/http"
	"strings"
	"testing"
)

// TestStealTheValetKeyBothModes runs the experiment in each mode and checks the thief's call on
// the wire, the outcome /flow draws, and what the bound token is made of.
func TestStealTheValetKeyBothModes(t *testing.T) {
	stolen := []string{"Expected 401 — got 401 invalid_dpop_proof", "DPoP proof check jkt failed", "the theft fails"}
	for _, tc := range []struct {
		name, binding string
		nonce         bool // AUTHSERVER_DPOP_NONCE=true: Accounts asks for its nonce (RFC 9449 §8)
		wantStatus    string
		wantOutcome   []string
	}{
		{"bearer", "bearer", false, "200", []string{"Expected 200 — got 200 OK", "THE THEFT WORKS"}},
		{"dpop", "dpop", false, "401", stolen},
		{"dpop with Accounts' nonces", "dpop", true, "401", stolen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PRINTING_TOKEN_BINDING": tc.binding}
			if tc.nonce {
				env["AUTHSERVER_DPOP_NONCE"] = "true"
			}
			s := startStack(t, stackOptions{Env: env})
			resetUser(t, s, "alice", "wonderland")
			b, _ := connectAlice(t, s) // the gallery: Photos accepted PrintShop's own calls

			_, added := b.runExperiment(s, "steal")
			call := findStep(t, added, "the thief's call to Photos", func(r flowStep) bool {
				return r.Kind == "experiment" && strings.HasPrefix(r.Wire, "GET /api/photos")
			})
			if got := wireStatus(call); got != tc.wantStatus {
				t.Errorf("Photos answered the thief with %s, want %s: %v", got, tc.wantStatus, call)
			}
			out := outcomeOf(added).Outcome
			for _, want := range tc.wantOutcome {
				if !strings.Contains(out, want) {
					t.Errorf("the outcome lacks %q:\n%s", want, out)
				}
			}
			if tc.binding == "dpop" {
				checkBoundToken(t, s, b)
			}
			if tc.nonce {
				_, rows := b.openFlow(s)
				asked := findStep(t, rows, "Accounts asking for its nonce", func(r flowStep) bool {
					return strings.HasPrefix(r.Wire, "POST /token → 400") && strings.Contains(r.Text, "use_dpop_nonce")
				})
				if !strings.Contains(asked.Text, "DPoP-Nonce") {
					t.Errorf("the use_dpop_nonce answer does not show the DPoP-Nonce header Accounts sent:\n%s", excerpt(asked.Text))
				}
			}
		})
	}
}

// checkBoundToken checks, in DPoP mode, what the lesson shows: the token's cnf.jkt on /flow,
// each recorded request's proof decoded, a bound token refused as Bearer (RFC 9449 §7.2), and
// the bound refresh token still usable by PrintShop (RFC 9449 §5).
func checkBoundToken(t *testing.T, s *stack, b *browser) {
	t.Helper()
	flowPage, rows := b.openFlow(s)
	for _, want := range []string{"DPoP-bound", "<code>cnf</code>", "The DPoP proof, decoded"} {
		if !strings.Contains(flowPage.Body, want) {
			t.Errorf("/flow does not show %q", want)
		}
	}
	token := findStep(t, rows, "the token request that got tokens", func(r flowStep) bool { return strings.HasPrefix(r.Wire, "POST /token → 200") })
	if !strings.Contains(token.Text, `"token_type": "DPoP"`) && !strings.Contains(token.Text, "token_type DPoP") {
		t.Errorf("the token response is not token_type DPoP:\n%s", excerpt(token.Text))
	}
	if s.hasDatabase(t, "that a bound token sent as Bearer is refused") {
		conn, _ := printingConnection(t, s, "alice")
		if cnf, _ := jwtClaims(t, conn.AccessToken)["cnf"].(map[string]any); cnf["jkt"] == nil {
			t.Errorf("PrintShop's access token has no cnf.jkt: %v", jwtClaims(t, conn.AccessToken))
		}
		resp, body := apiGet(t, s, conn.AccessToken, "/api/photos")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "invalid_token") ||
			!strings.Contains(resp.Header.Get("WWW-Authenticate"), "DPoP algs=") {
			t.Errorf("the bound token as Bearer: got %d %s (WWW-Authenticate %q), want 401 invalid_token naming both schemes",
				resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
		}
	}
	_, added := b.runExperiment(s, "refresh")
	if out := outcomeOf(added).Outcome; !strings.Contains(out, "got both") {
		t.Errorf("a refresh with the bound refresh token and PrintShop's key: %s", out)
	}
	if gallery := b.get(s.PrintURL + "/photos"); gallery.Status != http.StatusOK {
		t.Errorf("the gallery after the refresh: got %d, want 200", gallery.Status)
	}
}
