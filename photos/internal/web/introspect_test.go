package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valet/photos/internal/access"
)

const (
	introspectTestClientID = "photos"
	introspectTestSecret   = "s3cret"
)

// introspectTestAccounts is a stand-in for Accounts' RFC 7662 introspection endpoint: it
// checks Photos' client credentials, counts calls, and answers from a map the test controls.
type introspectTestAccounts struct {
	srv    *httptest.Server
	secret string
	calls  atomic.Int64

	mu       sync.Mutex
	answers  map[string]map[string]any // token → answer; a missing token is {"active": false}
	lastForm url.Values
	lastAuth [2]string // the Basic user and password, form-decoded
	lastCT   string
	drop     bool // hang up without answering, as a crashing Accounts does
}

func newIntrospectTestAccounts(t *testing.T, secret string) *introspectTestAccounts {
	t.Helper()
	a := &introspectTestAccounts{secret: secret, answers: map[string]map[string]any{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *introspectTestAccounts) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/introspect" || r.Method != http.MethodPost {
		http.Error(w, "not here", http.StatusNotFound)
		return
	}
	a.calls.Add(1)
	a.mu.Lock()
	drop := a.drop
	a.mu.Unlock()
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	// RFC 6749 §2.3.1: the client id and secret are form-encoded, then put in Basic.
	user, pass, ok := r.BasicAuth()
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.lastForm = r.PostForm
	a.lastAuth = [2]string{id, secret}
	a.lastCT = r.Header.Get("Content-Type")
	answer, known := a.answers[r.PostForm.Get("token")]
	a.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if !ok || err1 != nil || err2 != nil || id != introspectTestClientID || secret != a.secret {
		w.Header().Set("WWW-Authenticate", `Basic realm="accounts"`)
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
		return
	}
	if !known {
		answer = map[string]any{"active": false}
	}
	json.NewEncoder(w).Encode(answer)
}

// set makes Accounts answer answer for token.
func (a *introspectTestAccounts) set(token string, answer map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.answers[token] = answer
}

func (a *introspectTestAccounts) setDrop(drop bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.drop = drop
}

// introspectTestActive is an active answer (RFC 7662 §2.2) for alice's token with scope.
func introspectTestActive(now time.Time, scope string) map[string]any {
	return map[string]any{
		"active": true, "scope": scope, "client_id": "printing", "sub": "alice",
		"aud": testAudience, "iss": testIssuer, "token_type": "Bearer",
		"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(),
	}
}

// introspectTestServer starts Photos with an introspection checker against endpoint.
func introspectTestServer(t *testing.T, endpoint, clientSecret string) *photosServer {
	t.Helper()
	return newPhotosServer(t, newFakeAccounts(t), func(o *photosOptions) {
		o.checker = func(clk *clock) access.Checker {
			return access.NewIntrospectionChecker(access.IntrospectionConfig{
				Endpoint: endpoint, ClientID: introspectTestClientID, ClientSecret: clientSecret,
				Issuer: testIssuer, Audience: testAudience, Now: clk.Now,
			})
		}
	})
}

// RFC 7662 §2.1: the protected resource POSTs the token, with token_type_hint, as a form, and
// authenticates as a client (here with HTTP Basic, RFC 6749 §2.3.1). An active answer with the
// right scope opens the API.
func TestIntrospectionActiveToken(t *testing.T) {
	accounts := newIntrospectTestAccounts(t, introspectTestSecret)
	srv := introspectTestServer(t, accounts.srv.URL+"/introspect", introspectTestSecret)
	accounts.set("opaque-read", introspectTestActive(srv.Clock.Now(), "photos.read"))

	r := srv.get(t, "/api/photos", "opaque-read")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", r.StatusCode, r.Body)
	}
	accounts.mu.Lock()
	form, auth, ct := accounts.lastForm, accounts.lastAuth, accounts.lastCT
	accounts.mu.Unlock()
	tests := []struct {
		name, got, want string
	}{
		{"the token is sent in the form (RFC 7662 §2.1)", form.Get("token"), "opaque-read"},
		{"token_type_hint is access_token (RFC 7662 §2.1)", form.Get("token_type_hint"), "access_token"},
		{"the body is a form (RFC 7662 §2.1)", ct, "application/x-www-form-urlencoded"},
		{"Basic user is Photos' client id (RFC 6749 §2.3.1)", auth[0], introspectTestClientID},
		{"Basic password is Photos' secret (RFC 6749 §2.3.1)", auth[1], introspectTestSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if ids := apiTestIDs(apiTestListPhotos(t, srv, "opaque-read")); len(ids) != 1 || ids[0] != srv.AlicePhoto {
		t.Errorf("got ids %v, want alice's photo only", ids)
	}
}

// RFC 6749 §2.3.1: the client id and secret are form-encoded (application/x-www-form-urlencoded)
// before they go into Basic, so a secret with reserved characters still authenticates.
func TestIntrospectionCredentialsFormEncoded(t *testing.T) {
	const secret = "p@ss:w/rd+ 100%é"
	accounts := newIntrospectTestAccounts(t, secret)
	srv := introspectTestServer(t, accounts.srv.URL+"/introspect", secret)
	accounts.set("opaque-read", introspectTestActive(srv.Clock.Now(), "photos.read"))
	if r := srv.get(t, "/api/photos", "opaque-read"); r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200: %s", r.StatusCode, r.Body)
	}
}

// RFC 7662 §2.2 and RFC 9068 §4's checks applied to the answer: an inactive token, or one that
// Accounts says is meant for another resource or comes from another issuer, is 401
// invalid_token (RFC 6750 §3.1). The scope from the answer drives 403 insufficient_scope.
func TestIntrospectionAnswers(t *testing.T) {
	accounts := newIntrospectTestAccounts(t, introspectTestSecret)
	srv := introspectTestServer(t, accounts.srv.URL+"/introspect", introspectTestSecret)
	now := srv.Clock.Now()
	with := func(change func(map[string]any)) map[string]any {
		a := introspectTestActive(now, "photos.read")
		change(a)
		return a
	}
	tests := []struct {
		name, method, path string
		answer             map[string]any // nil: Accounts never heard of the token
		want               int
		error              string
		scope              string
	}{
		{"active with photos.read opens GET (RFC 7662 §2.2)", "GET", "/api/photos", introspectTestActive(now, "photos.read"), 200, "", ""},
		{"active: false is invalid_token (RFC 7662 §2.2)", "GET", "/api/photos", map[string]any{"active": false}, 401, "invalid_token", ""},
		{"a token Accounts never issued is invalid_token", "GET", "/api/photos", nil, 401, "invalid_token", ""},
		{"aud of another resource is invalid_token (RFC 9068 §4)", "GET", "/api/photos",
			with(func(a map[string]any) { a["aud"] = "http://localhost:9000" }), 401, "invalid_token", ""},
		{"iss of another issuer is invalid_token (RFC 9068 §4)", "GET", "/api/photos",
			with(func(a map[string]any) { a["iss"] = "http://evil.example" }), 401, "invalid_token", ""},
		{"aud as a list that names Photos passes (RFC 9068 §4: aud contains Photos)", "GET", "/api/photos",
			with(func(a map[string]any) { a["aud"] = []string{testAudience, testIssuer} }), 200, "", ""},
		{"aud as a list without Photos is invalid_token (RFC 9068 §4)", "GET", "/api/photos",
			with(func(a map[string]any) { a["aud"] = []string{testIssuer, "http://localhost:9000"} }), 401, "invalid_token", ""},
		{"aud as a one-element list naming Photos passes (RFC 7662 §2.2: string or list of strings)", "GET", "/api/photos",
			with(func(a map[string]any) { a["aud"] = []string{testAudience} }), 200, "", ""},
		{"an active answer without sub is invalid_token", "GET", "/api/photos",
			with(func(a map[string]any) { delete(a, "sub") }), 401, "invalid_token", ""},
		{"scope photos.read from the answer cannot DELETE (RFC 6750 §3.1)", "DELETE", "/api/photos/" + srv.AlicePhoto,
			introspectTestActive(now, "photos.read"), 403, "insufficient_scope", "photos.delete"},
		{"scope photos.write from the answer cannot list", "GET", "/api/photos",
			introspectTestActive(now, "photos.write"), 403, "insufficient_scope", "photos.read"},
		{"scope photos.delete from the answer deletes", "DELETE", "/api/photos/" + srv.AlicePhoto,
			introspectTestActive(now, "photos.read photos.delete"), 204, "", ""},
	}
	wantChallenge := regexp.MustCompile(`^Bearer realm="photos", error="(invalid_token|insufficient_scope)", error_description="[^"]*"(, scope="[^"]*")?, resource_metadata="`)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := "opaque-" + string(rune('a'+i))
			if tc.answer != nil {
				accounts.set(token, tc.answer)
			}
			r := srv.call(t, tc.method, tc.path, "Bearer "+token, nil, "")
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
			if tc.error == "" {
				return
			}
			body := r.jsonBody(t)
			if body["error"] != tc.error {
				t.Errorf("got error %v, want %s", body["error"], tc.error)
			}
			if tc.scope != "" && body["scope"] != tc.scope {
				t.Errorf("got scope %v, want %s", body["scope"], tc.scope)
			}
			m := wantChallenge.FindStringSubmatch(r.Header.Get("WWW-Authenticate"))
			if m == nil || m[1] != tc.error {
				t.Errorf("got WWW-Authenticate %q, want a %s challenge", r.Header.Get("WWW-Authenticate"), tc.error)
			}
		})
	}
}

// The trade-off of introspection (RFC 7662 §4) against self-contained JWTs: Photos may cache an
// answer, but only briefly. A revoked token keeps working for at most IntrospectionTTL, then
// fails; within the TTL, repeated calls cost one introspection.
func TestIntrospectionCache(t *testing.T) {
	accounts := newIntrospectTestAccounts(t, introspectTestSecret)
	srv := introspectTestServer(t, accounts.srv.URL+"/introspect", introspectTestSecret)
	accounts.set("opaque-read", introspectTestActive(srv.Clock.Now(), "photos.read"))

	t.Run("repeated calls within the TTL make one introspection call", func(t *testing.T) {
		for i := range 5 {
			if r := srv.get(t, "/api/photos", "opaque-read"); r.StatusCode != http.StatusOK {
				t.Fatalf("call %d: got status %d, want 200", i+1, r.StatusCode)
			}
		}
		if got := accounts.calls.Load(); got != 1 {
			t.Errorf("got %d introspection calls, want 1", got)
		}
	})

	accounts.set("opaque-read", map[string]any{"active": false}) // the user revokes the grant
	t.Run("a revoked token works from the cache within the TTL", func(t *testing.T) {
		srv.Clock.Advance(access.IntrospectionTTL - time.Second)
		if r := srv.get(t, "/api/photos", "opaque-read"); r.StatusCode != http.StatusOK {
			t.Errorf("got status %d, want 200 (cached)", r.StatusCode)
		}
		if got := accounts.calls.Load(); got != 1 {
			t.Errorf("got %d introspection calls, want 1", got)
		}
	})
	t.Run("after the TTL the revoked token fails", func(t *testing.T) {
		srv.Clock.Advance(2 * time.Second) // 6 s after the first answer
		r := srv.get(t, "/api/photos", "opaque-read")
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got status %d, want 401: %s", r.StatusCode, r.Body)
		}
		if e := r.jsonBody(t)["error"]; e != "invalid_token" {
			t.Errorf("got error %v, want invalid_token", e)
		}
		if got := accounts.calls.Load(); got != 2 {
			t.Errorf("got %d introspection calls, want 2", got)
		}
	})
	t.Run("a cached answer never outlives the token's exp", func(t *testing.T) {
		now := srv.Clock.Now()
		short := introspectTestActive(now, "photos.read")
		short["exp"] = now.Add(2 * time.Second).Unix()
		accounts.set("opaque-short", short)
		if r := srv.get(t, "/api/photos", "opaque-short"); r.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200", r.StatusCode)
		}
		accounts.set("opaque-short", map[string]any{"active": false}) // Accounts: expired
		srv.Clock.Advance(3 * time.Second)
		if r := srv.get(t, "/api/photos", "opaque-short"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("got status %d after exp, want 401", r.StatusCode)
		}
	})
}

// When Photos cannot ask Accounts, that is not the client's fault: 503 with Retry-After
// (RFC 9110 §15.6.4, §10.2.3) and a message that names what to fix, never 401. Such a failure
// is not an answer about the token, so it is not cached: the next call asks again.
func TestIntrospectionUnavailable(t *testing.T) {
	t.Run("endpoint down: 503 naming Accounts", func(t *testing.T) {
		closed := httptest.NewServer(http.NotFoundHandler())
		endpoint := closed.URL + "/introspect"
		closed.Close()
		srv := introspectTestServer(t, endpoint, introspectTestSecret)
		for i := range 2 {
			r := srv.get(t, "/api/photos", "opaque-read")
			introspectTestCheck503(t, r, "Accounts")
			if t.Failed() {
				t.Fatalf("call %d", i+1)
			}
		}
	})

	t.Run("the next call tries again, and succeeds once Accounts is back", func(t *testing.T) {
		accounts := newIntrospectTestAccounts(t, introspectTestSecret)
		srv := introspectTestServer(t, accounts.srv.URL+"/introspect", introspectTestSecret)
		accounts.set("opaque-read", introspectTestActive(srv.Clock.Now(), "photos.read"))
		accounts.setDrop(true)
		introspectTestCheck503(t, srv.get(t, "/api/photos", "opaque-read"), "Accounts")
		first := accounts.calls.Load()
		if first < 1 {
			t.Fatalf("got %d introspection calls, want at least 1", first)
		}
		introspectTestCheck503(t, srv.get(t, "/api/photos", "opaque-read"), "Accounts")
		if got := accounts.calls.Load(); got <= first {
			t.Errorf("got %d introspection calls after a second request, want more than %d (the failure was cached)", got, first)
		}
		accounts.setDrop(false)
		if r := srv.get(t, "/api/photos", "opaque-read"); r.StatusCode != http.StatusOK {
			t.Errorf("got status %d once Accounts is back, want 200: %s", r.StatusCode, r.Body)
		}
	})

	t.Run("wrong credentials: 503 naming PHOTOS_CLIENT_ID", func(t *testing.T) {
		accounts := newIntrospectTestAccounts(t, introspectTestSecret)
		srv := introspectTestServer(t, accounts.srv.URL+"/introspect", "not-the-secret")
		accounts.set("opaque-read", introspectTestActive(srv.Clock.Now(), "photos.read"))
		for range 2 {
			introspectTestCheck503(t, srv.get(t, "/api/photos", "opaque-read"), "PHOTOS_CLIENT_ID")
		}
		if got := accounts.calls.Load(); got != 2 {
			t.Errorf("got %d introspection calls, want 2 (a refusal of Photos is not an answer about the token)", got)
		}
	})
}

// introspectTestCheck503 checks a 503 answer: Retry-After, temporarily_unavailable, no-store,
// no Bearer challenge (the token is not at fault), and a description naming want.
func introspectTestCheck503(t *testing.T, r response, want string) {
	t.Helper()
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got status %d, want %d: %s", r.StatusCode, http.StatusServiceUnavailable, r.Body)
		return
	}
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("a 503 without Retry-After")
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("got Cache-Control %q, want no-store", got)
	}
	if got := r.Header.Get("WWW-Authenticate"); strings.Contains(got, "invalid_token") {
		t.Errorf("got WWW-Authenticate %q: the token is not at fault", got)
	}
	body := r.jsonBody(t)
	if d, _ := body["error_description"].(string); !strings.Contains(d, want) {
		t.Errorf("got error_description %q, want it to name %s", d, want)
	}
}
