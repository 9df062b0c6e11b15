package web

// The request log: exactly one line per request, and never a secret in it. STYLE.md: "Log with
// snake_case keys ... Never log a token, code, secret or password"; RFC 6819 §5.1.4.1.3 and
// RFC 9700 §4.3: credentials must not end up in logs.

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// logsCountingTransport counts the requests a browser sends, redirects included.
type logsCountingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *logsCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// logsLines returns the non-empty lines of srv's log.
func logsLines(srv *testServer) []string {
	var lines []string
	for _, line := range strings.Split(srv.Logs.String(), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// logsWaitFor waits until srv has logged want lines, then a little longer to catch any extra
// line. The log line is written after the answer, so a client can read the answer first.
func logsWaitFor(t *testing.T, srv *testServer, want int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(logsLines(srv)) < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return logsLines(srv)
}

// TestLogsOneLinePerRequest sends requests of every kind (pages, redirects, OAuth errors, page
// errors, 404, 405, successes) and checks that each is logged exactly once, with its method,
// path and status. STYLE.md, Handlers and errors: "One HTTPErrorHandler ... logs each error
// once".
func TestLogsOneLinePerRequest(t *testing.T) {
	srv := newTestServer(t)
	type request struct {
		method, path, query, body string
		clientID, secret          string
		wantStatus                int
	}
	requests := []request{
		{method: "GET", path: "/", wantStatus: 200},
		{method: "GET", path: "/login", wantStatus: 200},
		{method: "GET", path: "/healthz", wantStatus: 200},
		{method: "GET", path: "/.well-known/jwks.json", wantStatus: 200},
		{method: "GET", path: "/.well-known/oauth-authorization-server", wantStatus: 200},
		{method: "GET", path: "/static/style.css", wantStatus: 200},
		{method: "GET", path: "/no-such-page", wantStatus: 404},
		{method: "GET", path: "/token", wantStatus: 405},
		{method: "GET", path: "/account", wantStatus: 303},
		{method: "GET", path: "/authorize", query: "client_id=nobody", wantStatus: 400},
		{method: "GET", path: "/authorize", query: authParams("photos.read").Encode(), wantStatus: 303},
		{method: "GET", path: "/authorize", query: authParams("photos.delete").Encode(), wantStatus: 303},
		{method: "GET", path: "/consent", query: "request=x", wantStatus: 400},
		{method: "GET", path: "/userinfo", wantStatus: 401},
		{method: "POST", path: "/login", body: "username=alice&password=wonderland", wantStatus: 403},
		{method: "POST", path: "/login", body: "%zz", wantStatus: 400},
		{method: "POST", path: "/token", body: "grant_type=client_credentials", clientID: "worker", secret: workerSecret, wantStatus: 200},
		{method: "POST", path: "/token", body: "grant_type=client_credentials", clientID: "worker", secret: "wrong", wantStatus: 401},
		{method: "POST", path: "/token", body: "grant_type=authorization_code&code=x&redirect_uri=x", clientID: "printing", secret: printingSecret, wantStatus: 400},
		{method: "POST", path: "/token", body: "%zz", clientID: "printing", secret: printingSecret, wantStatus: 400},
		{method: "POST", path: "/revoke", body: "token=x", clientID: "printing", secret: printingSecret, wantStatus: 200},
		{method: "POST", path: "/introspect", body: "token=x", clientID: "photos", secret: photosSecret, wantStatus: 200},
		{method: "POST", path: "/introspect", body: "token=x", wantStatus: 401},
	}
	var want []string
	for _, r := range requests {
		p := badInputDo(t, srv, badInputRequest{method: r.method, path: r.path, query: r.query, body: r.body,
			contentType: badInputForm, clientID: r.clientID, secret: r.secret})
		if p.StatusCode != r.wantStatus {
			t.Errorf("%s %s: got status %d, want %d", r.method, r.path, p.StatusCode, r.wantStatus)
		}
		if requestLevel(r.path) > slog.LevelDebug { // health checks and static files are debug lines
			want = append(want, fmt.Sprintf("method=%s path=%s status=%d", r.method, r.path, p.StatusCode))
		}
	}
	lines := logsWaitFor(t, srv, len(want))
	if len(lines) != len(want) {
		t.Errorf("got %d log lines for %d requests at info, want %d:\n%s", len(lines), len(want), len(want), strings.Join(lines, "\n"))
	}
	var got []string
	for _, line := range lines {
		if !strings.Contains(line, "msg=request") {
			t.Errorf("a log line that is not the request line: %s", line)
			continue
		}
		i := strings.Index(line, "method=")
		j := strings.Index(line, " duration_ms=")
		if i < 0 || j < i {
			t.Errorf("a request line without method, path, status and duration: %s", line)
			continue
		}
		got = append(got, line[i:j])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the logged requests differ from the requests sent:\ngot  %q\nwant %q", got, want)
	}
}

// TestLogsNoSecrets runs a whole flow (a failed and a good login as alice, consent, code
// exchange, refresh, introspection, revocation, a replayed code, client_credentials with
// HTTP Basic and with client_secret_post, logout) and checks that the log has one line per
// request and none of the secrets that went by: the password, client secrets, the code, the
// state, the code_verifier, access and refresh tokens, session cookies and CSRF tokens.
func TestLogsNoSecrets(t *testing.T) {
	srv := newTestServer(t)
	b := newBrowser(t, srv)
	counter := &logsCountingTransport{next: http.DefaultTransport}
	b.client.Transport = counter
	direct := 0 // requests sent outside the browser
	var secrets []string
	keep := func(what string, values ...string) {
		for _, v := range values {
			if v == "" {
				t.Fatalf("the flow produced no %s", what)
			}
			secrets = append(secrets, v)
		}
	}

	params := authParams("photos.read photos.write")
	keep("state", params.Get("state"))
	loginPage := b.get("/authorize?" + params.Encode())
	keep("pre-login session cookie", protectionJarSession(t, b))
	keep("pre-login CSRF token", field(t, loginPage, csrfPattern))
	wrong := b.post("/login", url.Values{"csrf_token": {field(t, loginPage, csrfPattern)}, "request": {field(t, loginPage, requestPattern)},
		"username": {"alice"}, "password": {"not-wonderland-7731"}})
	if wrong.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: got status %d, want %d", wrong.StatusCode, http.StatusUnauthorized)
	}
	keep("wrong password", "not-wonderland-7731")
	consentPage := b.login(wrong, "alice", "wonderland")
	keep("password", "wonderland")
	keep("session cookie", protectionJarSession(t, b))
	keep("CSRF token", field(t, consentPage, csrfPattern))
	back := redirectBack(t, b.consent(consentPage, "allow", "photos.read", "photos.write"))
	code := back.Query().Get("code")
	keep("code", code)

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {printingRedirect}, "code_verifier": {testVerifier}}
	keep("code_verifier", testVerifier)
	resp, body := tokenRequest(t, srv, "/token", form, "printing", printingSecret)
	direct++
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("code exchange: got status %d, want 200: %v", resp.StatusCode, body)
	}
	access1, _ := body["access_token"].(string)
	refresh1, _ := body["refresh_token"].(string)
	keep("access token", access1)
	keep("refresh token", refresh1)
	resp, body = tokenRequest(t, srv, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh1},
		"client_id": {"printing"}, "client_secret": {printingSecret}}, "", "")
	direct++
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: got status %d, want 200: %v", resp.StatusCode, body)
	}
	access2, _ := body["access_token"].(string)
	refresh2, _ := body["refresh_token"].(string)
	keep("refreshed access token", access2)
	keep("rotated refresh token", refresh2)

	if got := introspect(t, srv, access2); got["active"] != true {
		t.Errorf("introspection: got %v, want active", got)
	}
	direct++
	if got := introspect(t, srv, refresh2); got["active"] != true {
		t.Errorf("introspection of the refresh token: got %v, want active", got)
	}
	direct++
	if resp, _ := tokenRequest(t, srv, "/revoke", url.Values{"token": {refresh2}}, "printing", printingSecret); resp.StatusCode != http.StatusOK {
		t.Errorf("revoke: got status %d, want 200", resp.StatusCode)
	}
	direct++
	// A replayed code revokes the grant (RFC 6749 §4.1.2), so it comes last for this grant.
	if resp, _ := tokenRequest(t, srv, "/token", form, "printing", printingSecret); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed code: got status %d, want 400", resp.StatusCode)
	}
	direct++

	access3, _ := protectionClientCredentials(t, srv)
	direct++
	keep("client_credentials access token", access3)
	resp, body = tokenRequest(t, srv, "/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"worker"}, "client_secret": {workerSecret}}, "", "")
	direct++
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("client_credentials with client_secret_post: got status %d, want 200: %v", resp.StatusCode, body)
	}
	access4, _ := body["access_token"].(string)
	keep("client_secret_post access token", access4)

	b.post("/logout", url.Values{"csrf_token": {field(t, b.get("/account"), csrfPattern)}})
	for _, s := range []string{printingSecret, otherSecret, workerSecret, url.QueryEscape(workerSecret), photosSecret, photosWebSecret} {
		keep("client secret", s)
	}

	requests := int(counter.n.Load()) + direct
	lines := logsWaitFor(t, srv, requests)
	if len(lines) != requests {
		t.Errorf("got %d log lines for %d requests, want one line per request", len(lines), requests)
	}
	log := srv.Logs.String()
	for _, s := range secrets {
		// The whole value, and its tail in case a line holds a truncated copy.
		needles := []string{s}
		if len(s) >= 32 {
			needles = append(needles, s[len(s)-16:])
		}
		for _, needle := range needles {
			if strings.Contains(log, needle) {
				t.Errorf("the log contains a secret %q:\n%s", truncate(needle, 40), logsLineWith(log, needle))
			}
		}
	}
}

// logsLineWith returns the first log line that contains needle.
func logsLineWith(log, needle string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, needle) {
			return line
		}
	}
	return ""
}
