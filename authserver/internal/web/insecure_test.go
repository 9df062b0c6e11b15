package web

// Tests of the attack lab's switches at Accounts (workshop/attacks/): each weakens exactly its
// own check when on, and nothing is weakened when it is off. The WARN line and the red banner
// name each switch that is on.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/registry"
)

// labClients are the test clients plus one registered by its origin only, as the attack lab's
// PrintShop is (workshop/attacks/clients.json).
func labClients() []registry.Client {
	return append(testClients(), registry.Client{
		ClientID: "origin-app", ClientSecret: otherSecret, Name: "Origin App",
		RedirectURIs: []string{"http://localhost:9300"},
		GrantTypes:   []string{"authorization_code"},
		Scopes:       []string{"photos.read"},
	})
}

func TestInsecureRedirectMatchRFC9700Section2_1(t *testing.T) {
	// The userinfo trick: the URI starts with the registered origin, but its host is the
	// attacker's (RFC 3986 §3.2.1: what comes before @ is user information).
	const stolen = "http://localhost:9300@localhost:9666/steal"
	for _, tc := range []struct {
		name       string
		prefix     bool
		redirect   string
		wantSentTo string // the host the code goes to, or "" for a 400 page
	}{
		{"exact match refuses the userinfo trick (RFC 9700 §2.1)", false, stolen, ""},
		{"exact match refuses a longer path (RFC 9700 §2.1)", false, "http://localhost:9300/anything", ""},
		{"prefix switch sends the code to the attacker's host", true, stolen, "localhost:9666"},
		{"prefix switch still refuses a URI that is no prefix", true, "http://localhost:9666/steal", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, withClients(labClients()),
				withConfig(func(c *Config) { c.InsecureRedirectPrefix = tc.prefix }))
			b := newBrowser(t, srv)
			b.signIn("alice", "wonderland")
			params := authParams("photos.read")
			params.Set("client_id", "origin-app")
			params.Set("redirect_uri", tc.redirect)
			p := b.get("/authorize?" + params.Encode())
			if p.Request.URL.Path == "/consent" {
				p = b.consent(p, "allow", "photos.read")
			}
			if tc.wantSentTo == "" {
				if p.StatusCode != http.StatusBadRequest {
					t.Fatalf("got status %d, want 400 (an error page, never a redirect)", p.StatusCode)
				}
				return
			}
			u := redirectBack(t, p)
			if u.Host != tc.wantSentTo || u.Query().Get("code") == "" {
				t.Fatalf("redirect to %s, want a code sent to %s", u, tc.wantSentTo)
			}
		})
	}
}

func TestInsecurePKCEOptionalRFC9700Section2_1_1(t *testing.T) {
	noPKCE := func() url.Values {
		p := authParams("photos.read")
		p.Del("code_challenge")
		p.Del("code_challenge_method")
		return p
	}
	t.Run("PKCE required: no code_challenge gets invalid_request (RFC 9700 §2.1.1)", func(t *testing.T) {
		srv := newTestServer(t)
		u := newBrowser(t, srv).authorize(noPKCE(), "alice", "wonderland")
		if got := u.Query().Get("error"); got != "invalid_request" {
			t.Fatalf("got error %q, want invalid_request", got)
		}
	})
	optional := withConfig(func(c *Config) { c.InsecurePKCEOptional = true })
	t.Run("PKCE optional: a code without code_challenge is redeemed without code_verifier", func(t *testing.T) {
		srv := newTestServer(t, optional)
		u := newBrowser(t, srv).authorize(noPKCE(), "alice", "wonderland")
		resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"authorization_code"},
			"code": {u.Query().Get("code")}, "redirect_uri": {printingRedirect}}, "printing", printingSecret)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200: %v", resp.StatusCode, body)
		}
	})
	t.Run("PKCE optional: a code_verifier for a code without challenge is still refused (RFC 9700 §2.1.1)", func(t *testing.T) {
		srv := newTestServer(t, optional)
		u := newBrowser(t, srv).authorize(noPKCE(), "alice", "wonderland")
		resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"authorization_code"},
			"code": {u.Query().Get("code")}, "redirect_uri": {printingRedirect}, "code_verifier": {testVerifier}}, "printing", printingSecret)
		if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "invalid_grant" {
			t.Fatalf("got status %d %v, want 400 invalid_grant", resp.StatusCode, body)
		}
	})
	t.Run("PKCE optional: a code with a challenge still needs its verifier (RFC 7636 §4.6)", func(t *testing.T) {
		srv := newTestServer(t, optional)
		code := newBrowser(t, srv).code("photos.read")
		resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"authorization_code"},
			"code": {code}, "redirect_uri": {printingRedirect}}, "printing", printingSecret)
		if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "invalid_grant" {
			t.Fatalf("got status %d %v, want 400 invalid_grant", resp.StatusCode, body)
		}
	})
}

func TestLabResourceRFC8707Section2_2(t *testing.T) {
	const lab = "http://localhost:9666"
	for _, tc := range []struct {
		name        string
		labResource string
		wantAud     string
	}{
		{"without the lab resource, resource is ignored and aud is Photos (RFC 9068 §3)", "", "http://localhost:9002"},
		{"with the lab resource, the token names it alone (RFC 8707 §2.2)", lab, lab},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, withConfig(func(c *Config) { c.LabResource = tc.labResource }))
			code := newBrowser(t, srv).code("photos.read")
			resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"authorization_code"},
				"code": {code}, "redirect_uri": {printingRedirect}, "code_verifier": {testVerifier},
				"resource": {lab}}, "printing", printingSecret)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want 200: %v", resp.StatusCode, body)
			}
			tok, err := jwt.ParseString(body["access_token"].(string), jwt.WithVerify(false), jwt.WithValidate(false))
			if err != nil {
				t.Fatal(err)
			}
			if aud := tok.Audience(); len(aud) != 1 || aud[0] != tc.wantAud {
				t.Fatalf("got aud %v, want [%s]", aud, tc.wantAud)
			}
		})
	}
}

func TestInsecureSwitchesWarnAndShowBanner(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Config)
		want []string
	}{
		{"no switch: no INSECURE line, no banner", func(*Config) {}, nil},
		{"redirect prefix", func(c *Config) { c.InsecureRedirectPrefix = true }, []string{"AUTHSERVER_INSECURE_REDIRECT_MATCH"}},
		{"PKCE optional", func(c *Config) { c.InsecurePKCEOptional = true }, []string{"AUTHSERVER_INSECURE_PKCE_OPTIONAL"}},
		{"implicit exhibit", func(c *Config) { c.EnableImplicit = true }, []string{"AUTHSERVER_ENABLE_IMPLICIT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, withConfig(tc.set))
			b := newBrowser(t, srv)
			pages := []page{b.get("/"), b.get("/login"), b.get("/no-such-page")}
			logs := srv.Logs.String()
			if len(tc.want) == 0 {
				for _, p := range pages {
					if strings.Contains(p.Body, "INSECURE") {
						t.Errorf("%s shows an INSECURE banner with no switch on", p.Request.URL.Path)
					}
				}
				if strings.Contains(logs, "INSECURE") {
					t.Errorf("logs have an INSECURE line with no switch on:\n%s", logs)
				}
				return
			}
			for _, name := range tc.want {
				if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "INSECURE: "+name) {
					t.Errorf("logs have no WARN line naming %s:\n%s", name, logs)
				}
				for _, p := range pages {
					if !strings.Contains(p.Body, `class="insecure"`) || !strings.Contains(p.Body, "INSECURE: "+name) {
						t.Errorf("%s (status %d) has no red banner naming %s", p.Request.URL.Path, p.StatusCode, name)
					}
				}
			}
		})
	}
}
