package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
)

// dpopConnected is alice, connected to her Photos, with PRINTING_TOKEN_BINDING=binding.
func dpopConnected(t *testing.T, binding string) (*printShop, *browser) {
	t.Helper()
	shop := newPrintShopWith(t, binding)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	if p := b.connect("alice"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("connect: got %d at %s, want the gallery:\n%s", p.StatusCode, p.Request.URL.Path, p.Body)
	}
	return shop, b
}

// dpopProofClaims verifies a proof with the key in its header, as a server would, and returns
// the key's thumbprint and the claims.
func dpopProofClaims(t *testing.T, proof string) (string, map[string]any) {
	t.Helper()
	msg, err := jws.ParseString(proof)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	payload, err := jws.Verify([]byte(proof), jws.WithKey(h.Algorithm(), h.JWK()))
	if err != nil || h.Type() != "dpop+jwt" {
		t.Fatalf("proof: typ %q, verify: %v; want a dpop+jwt signed by its jwk", h.Type(), err)
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	jkt, _ := dpop.Thumbprint(h.JWK())
	return jkt, claims
}

// TestDPoPBindingSignsEveryTokenAndPhotosRequestRFC9449: with PRINTING_TOKEN_BINDING=dpop the
// code exchange and the refresh carry proofs (RFC 9449 §5) and every Photos call a proof with
// ath under the DPoP scheme (§7.1), all signed by the one key PrintShop keeps with the tokens.
func TestDPoPBindingSignsEveryTokenAndPhotosRequestRFC9449(t *testing.T) {
	shop, b := dpopConnected(t, BindingDPoP)
	conn := tokensConnection(t, shop)
	if conn.DPoPKey == "" {
		t.Fatal("no DPoP key was stored with the connection")
	}
	key, err := dpop.ParseKey(conn.DPoPKey)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := dpop.Thumbprint(key)
	tokensGallery(t, b) // a list, then the thumbnails: each call must pass fakePhotos' jkt check
	experimentRun(t, shop, b, "refresh")
	shop.Accounts.mu.Lock()
	tokenProofs := append([]string(nil), shop.Accounts.proofs...)
	shop.Accounts.mu.Unlock()
	shop.Photos.mu.Lock()
	photoProofs := append([]string(nil), shop.Photos.proofs...)
	shop.Photos.mu.Unlock()
	if len(tokenProofs) != 2 || len(photoProofs) == 0 {
		t.Fatalf("got %d token-request proofs and %d Photos proofs, want 2 (code, refresh) and some", len(tokenProofs), len(photoProofs))
	}
	jtis := map[string]bool{}
	for i, proof := range append(tokenProofs, photoProofs...) {
		jkt, claims := dpopProofClaims(t, proof)
		if jkt != want {
			t.Errorf("proof %d: signed by %s, want the connection's key %s", i, jkt, want)
		}
		jti, _ := claims["jti"].(string)
		if jtis[jti] {
			t.Errorf("proof %d: jti %q reused (RFC 9449 §11.1)", i, jti)
		}
		jtis[jti] = true
		if i < len(tokenProofs) {
			if claims["htm"] != "POST" || claims["htu"] != shop.Accounts.srv.URL+"/token" || claims["ath"] != nil {
				t.Errorf("token proof %d: got %v, want htm POST, htu the token endpoint, no ath", i, claims)
			}
		} else if claims["htm"] != "GET" || !strings.HasPrefix(claims["htu"].(string), shop.Photos.srv.URL+"/api/photos") || claims["ath"] == nil {
			t.Errorf("Photos proof %d: got %v, want htm GET, htu on /api/photos, and ath", i, claims)
		}
	}
	if after := tokensConnection(t, shop); after.DPoPKey != conn.DPoPKey {
		t.Error("the refresh changed the connection's key; the refreshed tokens are bound to the same key")
	}
	// A restarted PrintShop holds nothing in memory: ConnectionKeys finds the key in the store.
	found, err := ConnectionKeys(shop.Store)(flow.WithStep(t.Context(), "alice", "photos", "after a restart", flow.Photos))
	if err != nil || found == nil {
		t.Fatalf("ConnectionKeys after a restart: %v, %v", found, err)
	}
	if jkt, _ := dpop.Thumbprint(found); jkt != want {
		t.Errorf("the key found from the store is %s, want the connection's %s", jkt, want)
	}
	page := b.get("/flow").Body
	for _, want := range []string{"The DPoP proof, decoded", "dpop&#43;jwt", "<code>jwk</code>", "<code>htu</code>", "<code>ath</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("/flow does not show %q: each recorded request shows its proof, decoded", want)
		}
	}
}

// TestStealTheValetKeyRFC9449Section7: a copy of the access token in a thief's hands opens
// Photos as a bearer token (RFC 6750 §5.2), and not as a DPoP-bound one: the thief's proof is
// signed by another key than cnf.jkt names (RFC 9449 §7.1).
func TestStealTheValetKeyRFC9449Section7(t *testing.T) {
	for _, tc := range []struct {
		binding   string
		wantNote  []string
		wantProof bool
	}{
		{BindingBearer, []string{"Expected 200 — got 200 OK", "THE THEFT WORKS", "PRINTING_TOKEN_BINDING=dpop"}, false},
		{BindingDPoP, []string{"Expected 401 — got 401 invalid_dpop_proof", "check jkt failed", "the theft fails"}, true},
	} {
		t.Run(tc.binding, func(t *testing.T) {
			shop, b := dpopConnected(t, tc.binding)
			p, steps := experimentRun(t, shop, b, "steal")
			out := experimentOutcome(t, p, steps)
			for _, want := range tc.wantNote {
				if !strings.Contains(out.Note, want) {
					t.Errorf("note lacks %q:\n%s", want, out.Note)
				}
			}
			var theft *recordedHeaders
			for _, e := range steps {
				if e.Request.Method == http.MethodGet && strings.Contains(e.Title, "thief") {
					theft = &recordedHeaders{headers: e.Request.Headers}
				}
			}
			if theft == nil {
				t.Fatal("the thief's request was not recorded")
			}
			if got := theft.has("DPoP"); got != tc.wantProof {
				t.Errorf("the thief's request has a DPoP proof = %v, want %v", got, tc.wantProof)
			}
			if tc.wantProof {
				conn := tokensConnection(t, shop)
				key, _ := dpop.ParseKey(conn.DPoPKey)
				ours, _ := dpop.Thumbprint(key)
				if jkt, _ := dpopProofClaims(t, theft.value("DPoP")); jkt == ours {
					t.Error("the thief's proof is signed with PrintShop's key; the thief must not have it")
				}
			}
		})
	}
}

// recordedHeaders are the headers of a recorded request.
type recordedHeaders struct{ headers [][2]string }

func (s *recordedHeaders) has(name string) bool { return s.value(name) != "" }

func (s *recordedHeaders) value(name string) string {
	for _, h := range s.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// TestKeptKeyRFC9449Section5: the key is kept only when Accounts bound the tokens to it
// (token_type DPoP); an authorization server without DPoP answers Bearer, and the key binds
// nothing.
func TestKeptKeyRFC9449Section5(t *testing.T) {
	key, _ := dpop.NewKey()
	for _, tc := range []struct {
		name, tokenType string
		key             bool
		want            bool
	}{
		{"DPoP answer", "DPoP", true, true},
		{"dpop, any case", "dpop", true, true},
		{"Bearer answer: Accounts did not bind", "Bearer", true, false},
		{"bearer mode: no key", "Bearer", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := key
			if !tc.key {
				k = nil
			}
			got, err := keptKey(k, tc.tokenType)
			if err != nil || (got != "") != tc.want {
				t.Errorf("got %q, %v; want kept=%v", got, err, tc.want)
			}
		})
	}
}

// TestBoundKeyShowsCnfJKTRFC9449Section6: the token panel reads cnf.jkt and says whether it is
// PrintShop's own key.
func TestBoundKeyShowsCnfJKTRFC9449Section6(t *testing.T) {
	key, _ := dpop.NewKey()
	stored, _ := dpop.MarshalKey(key)
	thumb, _ := dpop.Thumbprint(key)
	other, _ := dpop.NewKey()
	otherStored, _ := dpop.MarshalKey(other)
	claims := map[string]any{"cnf": map[string]any{"jkt": thumb}}
	if jkt, ok := boundKey(claims, stored); jkt != thumb || !ok {
		t.Errorf("own key: got %q %v, want %q true", jkt, ok, thumb)
	}
	if _, ok := boundKey(claims, otherStored); ok {
		t.Error("another key: got a match")
	}
	if jkt, _ := boundKey(map[string]any{}, stored); jkt != "" {
		t.Errorf("bearer token: got jkt %q, want none", jkt)
	}
}

// TestLearnExplainsSenderConstrainedTokens: /learn has one section on bearer versus
// sender-constrained tokens (RFC 6750 §5.2, RFC 9700 §2.2, RFC 9449), pointing at the experiment.
func TestLearnExplainsSenderConstrainedTokens(t *testing.T) {
	shop := newPrintShop(t)
	page := newBrowser(t, shop).get("/learn").Body
	_, section, ok := strings.Cut(page, `<section class="card" id="binding">`)
	section, _, _ = strings.Cut(section, "</section>")
	if !ok {
		t.Fatal("/learn has no section on bearer and sender-constrained tokens")
	}
	for _, want := range []string{"Bearer tokens and sender-constrained tokens", "RFC 9700 §2.2", "RFC 9449", "cnf.jkt",
		"PRINTING_TOKEN_BINDING=dpop", "Steal the valet key", "docker-compose.dpop.yml"} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks %q", want)
		}
	}
}
