package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valet/authserver/internal/registry"
)

// curlRedirect is the curl demo client's registered redirect URI, as in the built-in clients.
const curlRedirect = "http://localhost:9001/code"

// curlServer runs Accounts with the test clients and the built-in curl demo client.
func curlServer(t *testing.T) *testServer {
	t.Helper()
	clients := testClients()
	for _, c := range registry.DefaultClients() {
		if c.ClientID == "curl" {
			clients = append(clients, c)
		}
	}
	return newTestServer(t, withClients(clients))
}

// curlParams is the README's authorization request for the curl client.
func curlParams() url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {"curl"}, "redirect_uri": {curlRedirect},
		"scope": {"photos.read"}, "state": {"abc"}, "code_challenge": {s256(testVerifier)}, "code_challenge_method": {"S256"}}
}

// The code page shows the code ready to copy, with its time left, and says when it is used.
func TestCodePageShowsTheCodeAndItsTimeLeft(t *testing.T) {
	srv := curlServer(t)
	b := newBrowser(t, srv)
	back := b.authorize(curlParams(), "alice", "wonderland")
	code := back.Query().Get("code")
	if back.Path != "/code" || code == "" {
		t.Fatalf("got a redirect to %s, want the code page with a code", back)
	}
	p := b.get("/code?" + back.RawQuery)
	for _, want := range []string{`id="code-line">CODE=` + code + `<`, "60 seconds left", "works once"} {
		if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, want) {
			t.Errorf("the code page (%d) lacks %q:\n%s", p.StatusCode, want, p.Body)
		}
	}
	srv.Clock.Advance(25 * time.Second)
	if p := b.get("/code?" + back.RawQuery); !strings.Contains(p.Body, "35 seconds left") {
		t.Errorf("after 25 s the page does not say 35 seconds left:\n%s", p.Body)
	}
	resp, body := tokenRequest(t, srv, "/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {curlRedirect}, "code_verifier": {testVerifier}}, "curl", registry.CurlSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("redeeming the code: got %d %v", resp.StatusCode, body)
	}
	if p := b.get("/code?" + back.RawQuery); !strings.Contains(p.Body, "already redeemed") {
		t.Errorf("after redemption the page does not say the code was used:\n%s", p.Body)
	}
	if p := b.get("/code?code=not-a-code"); p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "No such code") {
		t.Errorf("an unknown code: got %d, want 400 No such code", p.StatusCode)
	}
}

// The curl client weakens no rule: its redirect URI matches exactly, PKCE is required, and a
// code works once.
func TestCurlClientKeepsEveryRule(t *testing.T) {
	t.Run("RFC 9700 §4.1.3: a redirect URI that is not exactly the registered one gets an error page", func(t *testing.T) {
		srv := curlServer(t)
		params := curlParams()
		params.Set("redirect_uri", curlRedirect+"/../code")
		p := newBrowser(t, srv).get("/authorize?" + params.Encode())
		if p.StatusCode != http.StatusBadRequest || p.Header.Get("Location") != "" {
			t.Errorf("got %d to %q, want a 400 page and no redirect", p.StatusCode, p.Header.Get("Location"))
		}
	})
	t.Run("RFC 7636 §4.4.1: a request without code_challenge is refused", func(t *testing.T) {
		srv := curlServer(t)
		params := curlParams()
		params.Del("code_challenge")
		p := newBrowser(t, srv).get("/authorize?" + params.Encode())
		if got := redirectBack(t, p).Query().Get("error"); got != "invalid_request" {
			t.Errorf("error: got %q, want invalid_request", got)
		}
	})
	t.Run("RFC 6749 §4.1.2: a code works once", func(t *testing.T) {
		srv := curlServer(t)
		code := newBrowser(t, srv).authorize(curlParams(), "alice", "wonderland").Query().Get("code")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {curlRedirect}, "code_verifier": {testVerifier}}
		if resp, body := tokenRequest(t, srv, "/token", form, "curl", registry.CurlSecret); resp.StatusCode != http.StatusOK {
			t.Fatalf("first redemption: got %d %v", resp.StatusCode, body)
		}
		if resp, body := tokenRequest(t, srv, "/token", form, "curl", registry.CurlSecret); errorCode(body) != "invalid_grant" {
			t.Errorf("second redemption: got %d %v, want invalid_grant", resp.StatusCode, body)
		}
	})
}
