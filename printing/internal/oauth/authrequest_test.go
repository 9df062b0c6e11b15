package oauth

// Workshop exercise 01's checker: the authorization request of RFC 6749 §4.1.1 with state
// (RFC 9700 §4.7.1) and PKCE S256 (RFC 7636 §4.3).

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestExercise01AuthorizationRequestRFC6749Section4_1_1(t *testing.T) {
	readNext(t, "RFC 6749 §4.1.1, RFC 7636 §4.2-4.3, RFC 9700 §4.7.1; workshop/01-authorization-request.md, hint 1")
	cfg := &oauth2.Config{
		ClientID:    "printing",
		RedirectURL: "http://printshop.example/callback",
		Scopes:      []string{"photos.read"},
		Endpoint:    oauth2.Endpoint{AuthURL: "http://accounts.example/authorize", TokenURL: "http://accounts.example/token"},
	}
	first, second := authorizationRequest(cfg), authorizationRequest(cfg)
	u, err := url.Parse(first.URL)
	if err != nil || !strings.HasPrefix(first.URL, cfg.Endpoint.AuthURL+"?") {
		t.Fatalf("the URL %q is not Accounts' authorization endpoint with a query: build it with cfg.AuthCodeURL", first.URL)
	}
	q := u.Query()
	for name, want := range map[string]string{
		"response_type": "code", "client_id": cfg.ClientID, "redirect_uri": cfg.RedirectURL, "scope": "photos.read",
	} {
		if got := q.Get(name); got != want {
			t.Errorf("%s is %q, want %q (RFC 6749 §4.1.1): build the URL with cfg.AuthCodeURL, which adds it", name, got, want)
		}
	}
	t.Run("state is sent, kept, and fresh per attempt, RFC 9700 §4.7.1", func(t *testing.T) {
		switch {
		case first.State == "" || q.Get("state") == "":
			t.Error("there is no state: without it PrintShop cannot tell its own callback from a forged one (RFC 6749 §10.12, CSRF)")
		case q.Get("state") != first.State:
			t.Errorf("the URL carries state %q but you keep %q: the callback would never match", q.Get("state"), first.State)
		case first.State == first.Verifier:
			t.Error("you used one value as both the state and the PKCE verifier: the state travels through the browser (history, logs, Referer), so the verifier is exposed and a stolen code can be redeemed. Make two separate random values")
		case first.State == second.State:
			t.Errorf("two attempts got the same state %q: an attacker who saw one can forge the next callback; make it random per attempt", first.State)
		case len(first.State) < 22:
			t.Errorf("the state %q is too short to be unguessable: use at least 128 random bits (oauth2.GenerateVerifier gives 256)", first.State)
		}
	})
	t.Run("PKCE S256 is sent, RFC 7636 §4.3", func(t *testing.T) {
		challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
		switch {
		case challenge == "":
			t.Error("there is no code_challenge: Accounts requires PKCE of every client (RFC 9700 §2.1.1); use oauth2.S256ChallengeOption(verifier)")
		case method == "plain" || method == "":
			t.Errorf("code_challenge_method is %q: the plain method sends the verifier itself through the browser; use S256 (RFC 9700 §2.1.1)", method)
		case method != "S256":
			t.Errorf("code_challenge_method is %q, want S256", method)
		}
		if first.Verifier == "" {
			t.Fatal("the Start keeps no verifier: the token request needs it (RFC 7636 §4.5)")
		}
		sum := sha256.Sum256([]byte(first.Verifier))
		if want := base64.RawURLEncoding.EncodeToString(sum[:]); challenge != "" && challenge != want {
			t.Errorf("code_challenge %q is not BASE64URL(SHA256(verifier)) = %q (RFC 7636 §4.2): did you hash a different verifier from the one you keep?", challenge, want)
		}
		if strings.Contains(first.URL, first.Verifier) {
			t.Error("the verifier itself is in the URL: only its S256 hash may travel through the browser (RFC 7636 §1)")
		}
		if first.Verifier == second.Verifier {
			t.Error("two attempts got the same verifier: make a fresh one per attempt (RFC 7636 §4.1)")
		}
		if n := len(first.Verifier); n < 43 || n > 128 {
			t.Errorf("the verifier is %d characters, want 43 to 128 (RFC 7636 §4.1)", n)
		}
	})
}
