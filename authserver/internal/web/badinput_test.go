package web

// Bad input: malformed, oversized and repeated parameters get the RFC's error (invalid_request
// as JSON at the back channel, a redirect or an HTML page at /authorize), and no input at all
// makes Accounts answer 500.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// badInputRequest is a hand-made request: query and body go out byte for byte.
type badInputRequest struct {
	method      string
	path        string
	query       string
	contentType string // "" sends no Content-Type
	body        string
	clientID    string // HTTP Basic with secret, when set (RFC 6749 §2.3.1 form-encodes both)
	secret      string
	header      map[string]string
}

// badInputDo sends r to srv without following redirects.
func badInputDo(t *testing.T, srv *testServer, r badInputRequest) page {
	t.Helper()
	var body io.Reader
	if r.method == http.MethodPost {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, srv.base()+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = r.query
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.clientID != "" {
		req.SetBasicAuth(url.QueryEscape(r.clientID), url.QueryEscape(r.secret))
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{Response: resp, Body: string(data)}
}

// badInputParams returns n parameters p0=x&p1=x&..., names Accounts does not know.
func badInputParams(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("p%d=x", i)
	}
	return strings.Join(ps, "&")
}

// badInputFill pads a form body with unknown parameters, each within maxParamBytes, until the
// body is exactly size bytes.
func badInputFill(body string, size int) string {
	for i := 0; len(body) < size; i++ {
		prefix := fmt.Sprintf("&f%d=", i)
		n := min(maxParamBytes, size-len(body)-len(prefix))
		if n < 0 {
			// Too little room for another parameter: lengthen the last value instead.
			return body + strings.Repeat("a", size-len(body))
		}
		body += prefix + strings.Repeat("a", n)
	}
	return body
}

const badInputForm = "application/x-www-form-urlencoded"

// TestBadInputBackChannel checks that /token, /revoke and /introspect answer malformed,
// oversized and repeated parameters, a wrong Content-Type and parameters in the URL with an
// RFC 6749 §5.2 invalid_request whose error_description names the problem. RFC 6749 §5.2:
// invalid_request is for a request that "includes an unsupported parameter value ...,
// repeats a parameter, ... or is otherwise malformed".
func TestBadInputBackChannel(t *testing.T) {
	srv := newTestServer(t)
	long := strings.Repeat("a", maxParamBytes+1)
	bigBody := "grant_type=client_credentials&token=x&x=" + strings.Repeat("a", maxBodyBytes)
	type endpoint struct {
		path, clientID, secret, good string // good is a valid body for the endpoint
	}
	token := endpoint{"/token", "worker", workerSecret, "grant_type=client_credentials"}
	revoke := endpoint{"/revoke", "printing", printingSecret, "token=x"}
	introspect := endpoint{"/introspect", "photos", photosSecret, "token=x"}
	cases := []struct {
		name        string
		ep          endpoint
		noBasic     bool
		query       string
		contentType string
		body        string
		wantDesc    []string // each must appear in error_description
	}{
		// Malformed form encoding (RFC 6749 §3.2 / Appendix B: application/x-www-form-urlencoded).
		{name: "bad percent-encoding %zz in a value (RFC 6749 Appendix B)", ep: token, body: "grant_type=client_credentials&scope=%zz", wantDesc: []string{"form encoding"}},
		{name: "bad percent-encoding %zz in a name (RFC 6749 Appendix B)", ep: token, body: "%zz=1&grant_type=client_credentials", wantDesc: []string{"form encoding"}},
		{name: "a lone % at the end (RFC 6749 Appendix B)", ep: token, body: "grant_type=client_credentials%", wantDesc: []string{"form encoding"}},
		{name: "bad percent-encoding at /revoke (RFC 7009 §2.1)", ep: revoke, body: "token=%zz", wantDesc: []string{"form encoding"}},
		{name: "bad percent-encoding at /introspect (RFC 7662 §2.1)", ep: introspect, body: "token=%zz", wantDesc: []string{"form encoding"}},
		// Oversized.
		{name: "scope over 2048 bytes (maxParamBytes)", ep: token, body: "grant_type=client_credentials&scope=" + long, wantDesc: []string{`"scope"`, "2048"}},
		{name: "unknown parameter over 2048 bytes (maxParamBytes)", ep: token, body: "grant_type=client_credentials&x=" + long, wantDesc: []string{`"x"`, "2048"}},
		{name: "token over 2048 bytes at /revoke (maxParamBytes)", ep: revoke, body: "token=" + long, wantDesc: []string{`"token"`, "2048"}},
		{name: "token over 2048 bytes at /introspect (maxParamBytes)", ep: introspect, body: "token=" + long, wantDesc: []string{`"token"`, "2048"}},
		{name: "body over 64 KiB at /token (maxBodyBytes)", ep: token, body: bigBody, wantDesc: []string{"64 KiB"}},
		{name: "body over 64 KiB at /revoke (maxBodyBytes)", ep: revoke, body: bigBody, wantDesc: []string{"64 KiB"}},
		{name: "body over 64 KiB at /introspect (maxBodyBytes)", ep: introspect, body: bigBody, wantDesc: []string{"64 KiB"}},
		{name: "more than 64 parameters at /token (maxParams)", ep: token, body: "grant_type=client_credentials&" + badInputParams(64), wantDesc: []string{"64 parameters"}},
		{name: "more than 64 parameters at /revoke (maxParams)", ep: revoke, body: "token=x&" + badInputParams(64), wantDesc: []string{"64 parameters"}},
		{name: "more than 64 parameters at /introspect (maxParams)", ep: introspect, body: "token=x&" + badInputParams(64), wantDesc: []string{"64 parameters"}},
		// Repeated (RFC 6749 §3.1: "MUST NOT be included more than once").
		{name: "two grant_type (RFC 6749 §3.1)", ep: token, body: "grant_type=client_credentials&grant_type=client_credentials", wantDesc: []string{`"grant_type"`, "repeated"}},
		{name: "two grant_type with different values (RFC 6749 §3.1)", ep: token, body: "grant_type=client_credentials&grant_type=authorization_code", wantDesc: []string{`"grant_type"`, "repeated"}},
		{name: "two code (RFC 6749 §3.1)", ep: token, body: "grant_type=authorization_code&code=a&code=b&redirect_uri=" + url.QueryEscape(printingRedirect) + "&code_verifier=" + testVerifier, wantDesc: []string{`"code"`, "repeated"}},
		{name: "two client_id (RFC 6749 §3.1)", ep: token, noBasic: true, body: "grant_type=client_credentials&client_id=worker&client_id=printing&client_secret=" + url.QueryEscape(workerSecret), wantDesc: []string{`"client_id"`, "repeated"}},
		{name: "two client_secret (RFC 6749 §3.1)", ep: token, noBasic: true, body: "grant_type=client_credentials&client_id=worker&client_secret=a&client_secret=" + url.QueryEscape(workerSecret), wantDesc: []string{`"client_secret"`, "repeated"}},
		{name: "two scope (RFC 6749 §3.1)", ep: token, body: "grant_type=client_credentials&scope=photos.read&scope=photos.write", wantDesc: []string{`"scope"`, "repeated"}},
		{name: "two redirect_uri (RFC 6749 §3.1)", ep: token, body: "grant_type=authorization_code&code=a&redirect_uri=a&redirect_uri=b", wantDesc: []string{`"redirect_uri"`, "repeated"}},
		{name: "two code_verifier (RFC 6749 §3.1)", ep: token, body: "grant_type=authorization_code&code=a&code_verifier=a&code_verifier=b", wantDesc: []string{`"code_verifier"`, "repeated"}},
		{name: "two refresh_token (RFC 6749 §3.1)", ep: token, body: "grant_type=refresh_token&refresh_token=a&refresh_token=b", wantDesc: []string{`"refresh_token"`, "repeated"}},
		{name: "two token at /revoke (RFC 6749 §3.1, RFC 7009 §2.1)", ep: revoke, body: "token=a&token=b", wantDesc: []string{`"token"`, "repeated"}},
		{name: "two token_type_hint at /revoke (RFC 6749 §3.1)", ep: revoke, body: "token=a&token_type_hint=access_token&token_type_hint=refresh_token", wantDesc: []string{`"token_type_hint"`, "repeated"}},
		{name: "two token at /introspect (RFC 6749 §3.1, RFC 7662 §2.1)", ep: introspect, body: "token=a&token=b", wantDesc: []string{`"token"`, "repeated"}},
		{name: "two client_id at /introspect (RFC 6749 §3.1)", ep: introspect, noBasic: true, body: "token=a&client_id=photos&client_id=photos&client_secret=" + photosSecret, wantDesc: []string{`"client_id"`, "repeated"}},
		// Wrong Content-Type (RFC 6749 §3.2: "using the application/x-www-form-urlencoded format").
		{name: "JSON body at /token (RFC 6749 §3.2)", ep: token, contentType: "application/json", body: `{"grant_type":"client_credentials"}`, wantDesc: []string{"Content-Type"}},
		{name: "text/plain body at /token (RFC 6749 §3.2)", ep: token, contentType: "text/plain", body: "grant_type=client_credentials", wantDesc: []string{"Content-Type"}},
		{name: "no Content-Type at /token (RFC 6749 §3.2)", ep: token, contentType: "-", body: "grant_type=client_credentials", wantDesc: []string{"Content-Type"}},
		{name: "multipart body at /token (RFC 6749 §3.2)", ep: token, contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n", wantDesc: []string{"Content-Type"}},
		{name: "JSON body at /revoke (RFC 7009 §2.1)", ep: revoke, contentType: "application/json", body: `{"token":"x"}`, wantDesc: []string{"Content-Type"}},
		{name: "JSON body at /introspect (RFC 7662 §2.1)", ep: introspect, contentType: "application/json", body: `{"token":"x"}`, wantDesc: []string{"Content-Type"}},
		// Parameters in the URL of a POST (RFC 6749 §2.3.1: credentials "MUST NOT be included in the request URI").
		{name: "grant_type in the URL query of POST /token (RFC 6749 §3.2)", ep: token, query: "grant_type=client_credentials", body: "grant_type=client_credentials", wantDesc: []string{"URL"}},
		{name: "client_secret in the URL query of POST /token (RFC 6749 §2.3.1)", ep: token, noBasic: true, query: "client_secret=" + url.QueryEscape(workerSecret), body: "grant_type=client_credentials&client_id=worker", wantDesc: []string{"URL"}},
		{name: "token in the URL query of POST /revoke (RFC 7009 §2.1)", ep: revoke, query: "token=x", body: "token=x", wantDesc: []string{"URL"}},
		{name: "token in the URL query of POST /introspect (RFC 7662 §2.1)", ep: introspect, query: "token=x", body: "token=x", wantDesc: []string{"URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := badInputRequest{method: http.MethodPost, path: tc.ep.path, query: tc.query, contentType: tc.contentType, body: tc.body}
			switch tc.contentType {
			case "":
				r.contentType = badInputForm
			case "-":
				r.contentType = ""
			}
			if !tc.noBasic {
				r.clientID, r.secret = tc.ep.clientID, tc.ep.secret
			}
			p := badInputDo(t, srv, r)
			if p.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want %d", p.StatusCode, http.StatusBadRequest)
			}
			if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("got Content-Type %q, want application/json (RFC 6749 §5.2)", ct)
			}
			if got := p.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(p.Body), &body); err != nil {
				t.Fatalf("body is not JSON: %v: %.300s", err, p.Body)
			}
			if got := errorCode(body); got != "invalid_request" {
				t.Errorf("got error %q, want invalid_request (RFC 6749 §5.2): %v", got, body)
			}
			desc, _ := body["error_description"].(string)
			for _, want := range tc.wantDesc {
				if !strings.Contains(desc, want) {
					t.Errorf("error_description %q does not name the problem: want it to contain %q", desc, want)
				}
			}
			// The same request without the fault works, so the fault was what was refused.
			good := badInputDo(t, srv, badInputRequest{method: http.MethodPost, path: tc.ep.path, contentType: badInputForm,
				body: tc.ep.good, clientID: tc.ep.clientID, secret: tc.ep.secret})
			if good.StatusCode != http.StatusOK {
				t.Errorf("control: the well-formed request got status %d, want %d: %s", good.StatusCode, http.StatusOK, good.Body)
			}
		})
	}
}

// TestBadInputBackChannelLimits checks that the limits are where they are documented and not
// lower: 64 parameters, a 2048-byte value and a 64 KiB body are all accepted, and a repeated
// parameter Accounts does not define is ignored (RFC 6749 §3.1: "The authorization server
// MUST ignore unrecognized request parameters").
func TestBadInputBackChannelLimits(t *testing.T) {
	srv := newTestServer(t)
	base := "grant_type=client_credentials"
	cases := []struct {
		name string
		body string
	}{
		{"exactly 64 parameters (maxParams)", base + "&" + badInputParams(63)},
		{"a value of exactly 2048 bytes (maxParamBytes)", base + "&x=" + strings.Repeat("a", maxParamBytes)},
		{"a body of exactly 64 KiB (maxBodyBytes)", badInputFill(base, maxBodyBytes)},
		{"an unknown parameter given twice is ignored (RFC 6749 §3.1)", base + "&foo=1&foo=2"},
		{"form encoding with + and %20 (RFC 6749 Appendix B)", "grant_type=client_credentials&scope=photos.read+photos.write&x=a%20b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := badInputDo(t, srv, badInputRequest{method: http.MethodPost, path: "/token", contentType: badInputForm,
				body: tc.body, clientID: "worker", secret: workerSecret})
			if p.StatusCode != http.StatusOK {
				t.Fatalf("got status %d, want %d: %.300s", p.StatusCode, http.StatusOK, p.Body)
			}
			if !strings.Contains(p.Body, `"access_token"`) {
				t.Errorf("no access_token in %.300s", p.Body)
			}
		})
	}
	if n := len(badInputFill(base, maxBodyBytes)); n != maxBodyBytes {
		t.Fatalf("badInputFill made %d bytes, want %d", n, maxBodyBytes)
	}
}

// TestBadInputAuthorize checks /authorize: once client_id and redirect_uri are known good, a
// malformed, oversized or repeated parameter goes back to the client as error=invalid_request
// with iss (RFC 6749 §4.1.2.1, RFC 9207 §2); when client_id or redirect_uri is itself repeated,
// or the query cannot be parsed, Accounts cannot trust the redirect URI and shows an HTML 400
// page instead (RFC 6749 §4.1.2.1: "MUST NOT automatically redirect").
func TestBadInputAuthorize(t *testing.T) {
	srv := newTestServer(t)
	long := strings.Repeat("a", maxParamBytes+1)
	good := authParams("photos.read")
	base := good.Encode()
	with := func(name, value string) string {
		p := authParams("photos.read")
		p.Set(name, value)
		return p.Encode()
	}
	cases := []struct {
		name     string
		query    string
		redirect bool     // true: error=invalid_request at the redirect URI; false: an HTML 400 page
		wantDesc []string // for a redirect, in error_description
	}{
		{"two state (RFC 6749 §3.1)", base + "&state=second", true, []string{`"state"`, "repeated"}},
		{"two scope (RFC 6749 §3.1)", base + "&scope=photos.write", true, []string{`"scope"`, "repeated"}},
		{"two response_type (RFC 6749 §3.1)", base + "&response_type=code", true, []string{`"response_type"`, "repeated"}},
		{"two code_challenge (RFC 6749 §3.1, RFC 7636 §4.3)", base + "&code_challenge=" + s256("another verifier, forty-three characters or more"), true, []string{`"code_challenge"`, "repeated"}},
		{"two code_challenge_method (RFC 6749 §3.1)", base + "&code_challenge_method=S256", true, []string{`"code_challenge_method"`, "repeated"}},
		{"state over 2048 bytes (maxParamBytes)", with("state", long), true, []string{`"state"`, "2048"}},
		{"unknown parameter over 2048 bytes (maxParamBytes)", base + "&x=" + long, true, []string{`"x"`, "2048"}},
		{"more than 64 parameters (maxParams)", base + "&" + badInputParams(60), true, []string{"64 parameters"}},
		{"two client_id with the same value (RFC 6749 §4.1.2.1)", base + "&client_id=printing", false, nil},
		{"two client_id with different values (RFC 6749 §4.1.2.1)", base + "&client_id=other", false, nil},
		{"two redirect_uri (RFC 6749 §4.1.2.1)", base + "&redirect_uri=" + url.QueryEscape(printingRedirect), false, nil},
		{"bad percent-encoding %zz in state (RFC 6749 Appendix B)", base + "&state=%zz", false, nil},
		{"bad percent-encoding in client_id (RFC 6749 Appendix B)", strings.Replace(base, "client_id=printing", "client_id=print%zzing", 1), false, nil},
		{"client_id over 2048 bytes (RFC 6749 §4.1.2.1)", with("client_id", long), false, nil},
	}
	if !strings.Contains(base, "client_id=printing") {
		t.Fatalf("authParams changed: %s", base)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := badInputDo(t, srv, badInputRequest{method: http.MethodGet, path: "/authorize", query: tc.query})
			if !tc.redirect {
				if p.StatusCode != http.StatusBadRequest {
					t.Errorf("got status %d, want %d", p.StatusCode, http.StatusBadRequest)
				}
				if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("got Content-Type %q, want an HTML page", ct)
				}
				if loc := p.Header.Get("Location"); loc != "" {
					t.Errorf("got a redirect to %q, want none (RFC 6749 §4.1.2.1)", loc)
				}
				return
			}
			if p.StatusCode != http.StatusSeeOther && p.StatusCode != http.StatusFound {
				t.Fatalf("got status %d, want a redirect to the client: %.300s", p.StatusCode, p.Body)
			}
			loc, err := url.Parse(p.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			loc.RawQuery = ""
			if loc.String() != printingRedirect {
				t.Errorf("got a redirect to %s, want %s", loc, printingRedirect)
			}
			if got := q.Get("error"); got != "invalid_request" {
				t.Errorf("got error %q, want invalid_request (RFC 6749 §4.1.2.1)", got)
			}
			if got := q.Get("iss"); got != srv.URL {
				t.Errorf("got iss %q, want %q (RFC 9207 §2)", got, srv.URL)
			}
			for _, want := range tc.wantDesc {
				if !strings.Contains(q.Get("error_description"), want) {
					t.Errorf("error_description %q does not name the problem: want it to contain %q", q.Get("error_description"), want)
				}
			}
		})
	}
	t.Run("control: the same request without the fault goes on to login", func(t *testing.T) {
		p := badInputDo(t, srv, badInputRequest{method: http.MethodGet, path: "/authorize", query: base})
		if loc := p.Header.Get("Location"); !strings.HasPrefix(loc, "/login?request=") {
			t.Errorf("got status %d and Location %q, want a redirect to /login", p.StatusCode, loc)
		}
	})
}

// TestBadInputNeverServerError sends many hostile inputs to every endpoint: anonymously, as an
// authenticated client, and with a signed-in session and its CSRF token. It checks that none
// is answered with a 5xx and nothing is logged as an internal error. RFC 6749 §5.2 and
// §4.1.2.1 give an error code for every bad request; server_error is for the server's own
// failures only.
func TestBadInputNeverServerError(t *testing.T) {
	srv := newTestServer(t)
	// signIn gives a fresh signed-in session and its CSRF token: an input that carries alice's
	// password signs in again at POST /login, which replaces the session id.
	signIn := func(t *testing.T) (cookie, csrf string) {
		alice := newBrowser(t, srv)
		alice.signIn("alice", "wonderland")
		return protectionJarSession(t, alice), field(t, alice.get("/account"), csrfPattern)
	}
	aliceCookie, _ := signIn(t)

	long := strings.Repeat("A", 3000)
	edge := strings.Repeat("B", maxParamBytes)
	var dupes, junk []string
	for _, name := range singleValued {
		dupes = append(dupes, name+"=a", name+"=b")
		junk = append(junk, name+"=%C0%AF%ff..%2F")
	}
	inputs := []struct{ name, raw string }{
		{"empty", ""},
		{"a lone %", "%"},
		{"bad escapes %zz", "client_id=%zz&token=%zz&grant_type=%zz"},
		{"a bad escape in a name", "%zz=1"},
		{"only separators", "&&&&&&&&"},
		{"only equals signs", "====="},
		{"semicolons", "client_id=printing;grant_type=client_credentials"},
		{"NUL bytes", "client_id=%00&grant_type=%00&token=%00&request=%00&username=%00&password=%00&scope=%00&redirect_uri=%00"},
		{"invalid UTF-8", "client_id=%ff%fe&token=%c3%28&scope=%ed%a0%80&username=%ff&state=%80"},
		{"right-to-left override, zero-width space and emoji", "scope=photos.read%E2%80%AE&state=%F0%9F%98%80&client_id=printing%E2%80%8B"},
		{"CRLF injection", "redirect_uri=http%3A%2F%2Flocalhost%3A9000%2Fcallback%0d%0aSet-Cookie%3A+x%3Dy&state=%0d%0aLocation%3A+https%3A%2F%2Fevil.example&client_id=printing&response_type=code"},
		{"HTML and script", "state=%3Cscript%3Ealert(1)%3C%2Fscript%3E&client_id=%22%3E%3Cimg+src%3Dx%3E&username=%3Cb%3E"},
		{"values over 2048 bytes", "client_id=printing&token=" + long + "&state=" + long},
		{"values of exactly 2048 bytes, which the parser lets through", strings.Join([]string{"client_id=printing",
			"token=" + edge, "refresh_token=" + edge, "code=" + edge, "state=" + edge, "request=" + edge, "username=" + edge,
			"password=" + edge, "redirect_uri=" + edge, "code_verifier=" + edge, "nonce=" + edge}, "&")},
		{"65 parameters", badInputParams(65)},
		{"every OAuth parameter twice", strings.Join(dupes, "&")},
		{"every OAuth parameter with a junk value", strings.Join(junk, "&")},
		{"a real client with junk values", "client_id=printing&redirect_uri=" + url.QueryEscape(printingRedirect) + "&response_type=code&scope=%20%20&code_challenge=x&code_challenge_method=plain&prompt=none%20login&response_mode=fragment&nonce="},
		{"a real client asking for everything", "client_id=photos-web&redirect_uri=http%3A%2F%2Flocalhost%3A9002%2Fcallback&response_type=code&scope=openid+profile+photos.read+photos.write+photos.delete+openid&code_challenge=" + s256(testVerifier) + "&code_challenge_method=S256&prompt=none"},
		{"javascript: redirect_uri", "client_id=printing&redirect_uri=javascript%3Aalert(1)&response_type=code"},
		{"unsigned JWT (alg none) as every token", "token=eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJhbGljZSIsImlzcyI6IngiLCJqdGkiOiJ4In0.&refresh_token=eyJhbGciOiJub25lIn0.e30.&code=eyJhbGciOiJub25lIn0.e30."},
		{"JWT-shaped junk", "token=a.b.c&refresh_token=a.b.c&code=a.b.c&grant_type=authorization_code&redirect_uri=x&code_verifier=" + testVerifier},
		{"a path in the request id", "request=..%2F..%2Fetc%2Fpasswd&csrf_token=x&decision=allow&scope=photos.read"},
		{"the password grant", "grant_type=password&username=alice&password=wonderland&client_id=printing&client_secret=" + printingSecret},
		{"100 KiB", "x=" + strings.Repeat("a", 100<<10)},
		{"plus signs", "++++=++++&client_id=+printing+&scope=+++&grant_type=+"},
		{"SQL", "client_id=printing'--&username=alice'+OR+'1'%3D'1&token=%27%3B+DROP+TABLE+grants%3B--&request=%27"},
		{"unknown decision and scope", "decision=maybe&scope=photos.read&scope=admin&client_id=nobody&request=x"},
	}
	type endpoint struct{ method, path string }
	endpoints := []endpoint{
		{"GET", "/"}, {"GET", "/login"}, {"GET", "/consent"}, {"GET", "/account"}, {"GET", "/authorize"},
		{"GET", "/authorize/continue"}, {"GET", "/userinfo"}, {"GET", "/healthz"}, {"GET", "/static/style.css"},
		{"GET", "/.well-known/oauth-authorization-server"}, {"GET", "/.well-known/openid-configuration"},
		{"GET", "/.well-known/jwks.json"}, {"GET", "/no-such-page"}, {"GET", "/token"},
		{"POST", "/login"}, {"POST", "/logout"}, {"POST", "/consent"}, {"POST", "/account/revoke"},
		{"POST", "/token"}, {"POST", "/revoke"}, {"POST", "/introspect"}, {"POST", "/userinfo"}, {"POST", "/authorize"},
	}
	check := func(t *testing.T, r badInputRequest, who string) {
		t.Helper()
		p := badInputDo(t, srv, r)
		if p.StatusCode >= 500 {
			t.Errorf("%s %s (%s): got status %d, want a 4xx or success: %.300s", r.method, r.path, who, p.StatusCode, p.Body)
		}
	}
	for _, in := range inputs {
		t.Run("input: "+in.name, func(t *testing.T) {
			aliceCookie, aliceCSRF := signIn(t)
			for _, ep := range endpoints {
				r := badInputRequest{method: ep.method, path: ep.path}
				if ep.method == http.MethodGet {
					r.query = in.raw
				} else {
					r.body, r.contentType = in.raw, badInputForm
				}
				check(t, r, "anonymous")
				if ep.method == http.MethodPost {
					// An authenticated confidential client gets past client authentication.
					authed := r
					authed.clientID, authed.secret = "printing", printingSecret
					check(t, authed, "as client printing")
				}
				if ep.path == "/logout" {
					continue // it would end alice's session for the rest of the test
				}
				r.header = map[string]string{"Cookie": sessionCookie + "=" + aliceCookie}
				if ep.method == http.MethodPost {
					r.body += "&csrf_token=" + aliceCSRF
				}
				check(t, r, "signed in")
			}
		})
	}

	form := "grant_type=client_credentials&token=x&client_id=printing&request=x&csrf_token=x&decision=allow&scope=photos.read&username=alice&password=wrong"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	headers := []struct {
		name   string
		header map[string]string
	}{
		{"Basic that is not base64", map[string]string{"Authorization": "Basic !!!"}},
		{"Basic without a colon", map[string]string{"Authorization": "Basic " + b64("printing")}},
		{"Basic with bad form encoding", map[string]string{"Authorization": "Basic " + b64("%zz:%zz")}},
		{"Basic with an empty id", map[string]string{"Authorization": "Basic " + b64(":x")}},
		{"Basic with a NUL", map[string]string{"Authorization": "Basic " + b64("printing\x00:x")}},
		{"valid Basic plus client_id in the body", map[string]string{"Authorization": "Basic " + b64("printing:"+url.QueryEscape(printingSecret))}},
		{"a scheme and nothing else", map[string]string{"Authorization": "Basic"}},
		{"Bearer junk", map[string]string{"Authorization": "Bearer x.y.z"}},
		{"Bearer of 5000 bytes", map[string]string{"Authorization": "Bearer " + strings.Repeat("e", 5000)}},
		{"a junk session cookie", map[string]string{"Cookie": sessionCookie + "=%zz%00junk"}},
		{"an empty session cookie", map[string]string{"Cookie": sessionCookie + "="}},
		{"two session cookies", map[string]string{"Cookie": sessionCookie + "=a; " + sessionCookie + "=" + aliceCookie}},
		{"multipart Content-Type", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}},
		{"unparsable Content-Type", map[string]string{"Content-Type": "%%%; ;;="}},
		{"form Content-Type in UTF-16", map[string]string{"Content-Type": badInputForm + "; charset=utf-16"}},
	}
	for _, h := range headers {
		t.Run("header: "+h.name, func(t *testing.T) {
			for _, ep := range endpoints {
				r := badInputRequest{method: ep.method, path: ep.path, header: h.header}
				if ep.method == http.MethodGet {
					r.query = form
				} else {
					r.body, r.contentType = form, badInputForm
				}
				check(t, r, h.name)
			}
		})
	}
	t.Run("nothing was logged as an internal error", func(t *testing.T) {
		for _, line := range strings.Split(srv.Logs.String(), "\n") {
			if strings.Contains(line, "level=ERROR") {
				t.Errorf("logged an internal error: %.400s", line)
			}
		}
	})
}
