package web

// Tests of the walkthrough's experiments, through real HTTP against the fake Accounts and Photos:
// a tampered JWT is refused (RFC 9068 §4), a photos.read key cannot delete (RFC 6750 §3.1), a
// replayed code is refused and its grant dies (RFC 6749 §4.1.2, RFC 9700 §4.2.4), refresh tokens
// rotate (RFC 9700 §4.14.2), and a revoked grant is seen from Photos and the token endpoint.
// Every experiment is a CSRF-checked POST of a signed-in, connected user, and records its steps
// and its outcome in the user's flow without a secret.

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/photosapi"
)

// experimentRun posts the named experiment's form with the session's CSRF token. It does not
// follow the redirect, so the test sees PrintShop's own answer, and it returns the steps the
// experiment added to alice's flow.
func experimentRun(t *testing.T, shop *printShop, b *browser, name string) (page, []flow.Event) {
	t.Helper()
	before := len(experimentFlow(t, shop, "alice"))
	p := experimentPost(b, name, url.Values{"csrf_token": {csrf(t, b.get("/"))}})
	return p, experimentFlow(t, shop, "alice")[before:]
}

// experimentPost posts a form to /flow/experiments/{name} without following redirects.
func experimentPost(b *browser, name string, form url.Values) page {
	b.t.Helper()
	client := *b.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	nf := *b
	nf.client = &client
	return nf.post("/flow/experiments/"+name, form)
}

// experimentFlow returns the user's recorded steps.
func experimentFlow(t *testing.T, shop *printShop, username string) []flow.Event {
	t.Helper()
	_, events, err := shop.Store.Flow(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// experimentOutcome checks that the experiment answered 303 to the end of /flow and that its
// last step is its outcome, and returns that outcome.
func experimentOutcome(t *testing.T, p page, steps []flow.Event) flow.Event {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/flow#latest" {
		t.Fatalf("got %d to %q, want 303 to /flow#latest:\n%s", p.StatusCode, p.Header.Get("Location"), p.Body)
	}
	if len(steps) == 0 {
		t.Fatal("the experiment recorded no step")
	}
	out := steps[len(steps)-1]
	if out.Kind != "experiment" || out.Note == "" || out.From != flow.PrintShop || out.To != flow.PrintShop {
		t.Fatalf("last step: got kind %q from %s to %s with note %q, want the experiment's outcome", out.Kind, out.From, out.To, out.Note)
	}
	return out
}

// experimentRequests returns the recorded requests among steps, as "kind METHOD path → status".
func experimentRequests(steps []flow.Event) []string {
	var out []string
	for _, e := range steps {
		if e.Request.Method == "" {
			continue
		}
		u, _ := url.Parse(e.Request.URL)
		out = append(out, fmt.Sprintf("%s %s %s → %d", e.Kind, e.Request.Method, u.Path, e.Response.Status))
	}
	return out
}

func experimentWantRequests(t *testing.T, steps []flow.Event, want ...string) {
	t.Helper()
	if got := experimentRequests(steps); !slices.Equal(got, want) {
		t.Errorf("recorded requests:\n got %q\nwant %q", got, want)
	}
}

func experimentWantNote(t *testing.T, out flow.Event, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out.Note, want) {
			t.Errorf("the outcome's note lacks %q:\n%s", want, out.Note)
		}
	}
}

// experimentJWT makes a signed JWT access token (RFC 9068) for username, as Accounts would.
func experimentJWT(t *testing.T, username string, exp time.Time) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := json.Marshal(map[string]string{"typ": "at+jwt", "alg": "EdDSA", "kid": "test-key"})
	claims, _ := json.Marshal(map[string]any{"iss": "http://accounts.test", "sub": username, "aud": "http://photos.test",
		"exp": exp.Unix(), "iat": exp.Add(-10 * time.Minute).Unix(), "jti": "jti-1", "client_id": testClientID, "scope": "photos.read"})
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(signing)))
}

// experimentUseJWT replaces alice's opaque access token with a JWT that the fake Photos accepts.
func experimentUseJWT(t *testing.T, shop *printShop) string {
	t.Helper()
	conn := tokensConnection(t, shop)
	conn.AccessToken = experimentJWT(t, "alice", conn.ExpiresAt)
	if err := shop.Store.SaveConnection(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	shop.Photos.allow(conn.AccessToken, "alice")
	return conn.AccessToken
}

// experimentClaims decodes a JWT's payload.
func experimentClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload is not base64url without padding: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// experimentPhotosDelete teaches the fake Photos DELETE /api/photos/{id}: 403 insufficient_scope
// naming photos.delete when scope (what its tokens carry) lacks it, else 204 and the photo is
// gone. Called before any request reaches Photos.
func experimentPhotosDelete(shop *printShop, scope string) {
	p := shop.Photos
	inner := p.srv.Config.Handler
	p.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/api/photos/")
		if r.Method != http.MethodDelete || !ok {
			inner.ServeHTTP(w, r)
			return
		}
		user, ok := p.check(w, r)
		if !ok {
			return
		}
		if !slices.Contains(strings.Fields(scope), "photos.delete") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="photos", error="insufficient_scope", scope="photos.delete"`)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		p.mu.Lock()
		p.library[user] = slices.DeleteFunc(p.library[user], func(ph photosapi.Photo) bool { return ph.ID == id })
		p.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

// experimentLibrary returns the ids of a user's photos at the fake Photos.
func experimentLibrary(shop *printShop, username string) []string {
	shop.Photos.mu.Lock()
	defer shop.Photos.mu.Unlock()
	var ids []string
	for _, ph := range shop.Photos.library[username] {
		ids = append(ids, ph.ID)
	}
	return ids
}

// experimentNoSecrets fails if any recorded step of the user's flow holds the client secret or
// one of the refresh tokens the fake Accounts ever issued, unmasked.
func experimentNoSecrets(t *testing.T, shop *printShop, username string) {
	t.Helper()
	view := tokensAccounts(shop)
	secrets := []string{testClientSecret}
	for rt := range view.live {
		secrets = append(secrets, rt)
	}
	for rt := range view.usedRefresh {
		secrets = append(secrets, rt)
	}
	if len(secrets) < 2 {
		t.Fatal("the fake Accounts issued no refresh token")
	}
	for i, e := range experimentFlow(t, shop, username) {
		data, _ := json.Marshal(e)
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("step %d (%s %q) holds the secret %q unmasked", i, e.Kind, e.Title, s)
			}
		}
	}
}

// Every experiment is a form of PrintShop's own: a POST with the session's CSRF token, from a
// signed-in user whose Photos are connected. Anything else is refused before a request leaves.
func TestExperimentGuards(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(t *testing.T, b *browser) // signs in and connects as needed
		method   string
		path     string
		csrf     string // "session": the session's token; "": none; else this value
		status   int
		location string
		body     string
	}{
		{"without a CSRF token the form is refused (403)", experimentConnect, http.MethodPost, "/flow/experiments/refresh", "", http.StatusForbidden, "", "This form has expired"},
		{"a CSRF token of another session is refused (403)", experimentConnect, http.MethodPost, "/flow/experiments/refresh", "forged-token", http.StatusForbidden, "", "This form has expired"},
		{"GET does not run an experiment (405)", experimentConnect, http.MethodGet, "/flow/experiments/refresh", "", http.StatusMethodNotAllowed, "", ""},
		{"an unknown experiment is 404", experimentConnect, http.MethodPost, "/flow/experiments/explode", "session", http.StatusNotFound, "", "No such experiment"},
		{"a visitor who is not signed in is sent to sign in", func(t *testing.T, b *browser) {}, http.MethodPost, "/flow/experiments/refresh", "session", http.StatusSeeOther, "/?notice=sign-in", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shop := newPrintShop(t)
			b := newBrowser(t, shop)
			tc.prepare(t, b)
			form := url.Values{}
			switch tc.csrf {
			case "session":
				form.Set("csrf_token", csrf(t, b.get("/")))
			case "":
			default:
				form.Set("csrf_token", tc.csrf)
			}
			before := tokensAccounts(shop)
			eventsBefore := len(experimentFlow(t, shop, "alice"))
			client := *b.client
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			nf := *b
			nf.client = &client
			p := nf.do(tc.method, tc.path, form)
			if p.StatusCode != tc.status {
				t.Fatalf("got %d, want %d:\n%s", p.StatusCode, tc.status, p.Body)
			}
			if got := p.Header.Get("Location"); got != tc.location {
				t.Errorf("Location: got %q, want %q", got, tc.location)
			}
			if !strings.Contains(p.Body, tc.body) {
				t.Errorf("the page lacks %q:\n%s", tc.body, p.Body)
			}
			if tc.status == http.StatusConflict && !strings.Contains(p.Body, `action="/connect"`) && !strings.Contains(p.Body, `href="/connect"`) {
				t.Errorf("the not-connected page offers no way to connect:\n%s", p.Body)
			}
			if after := tokensAccounts(shop); after.tokenRequests != before.tokenRequests {
				t.Error("a refused experiment reached Accounts' token endpoint")
			}
			if n := len(experimentFlow(t, shop, "alice")); n != eventsBefore {
				t.Errorf("a refused experiment recorded %d steps", n-eventsBefore)
			}
		})
	}
}

// experimentConnect signs alice in and connects her Photos.
func experimentConnect(t *testing.T, b *browser) {
	t.Helper()
	b.signIn("alice", "wonderland")
	if p := b.connect("alice"); p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("connect: got %d at %s, want the gallery", p.StatusCode, p.Request.URL.Path)
	}
}

// tamperScope edits the payload only: the header and the signature stay Accounts', so the
// signature no longer matches (RFC 7515 §5.2).
func TestTamperScope(t *testing.T) {
	exp := time.Date(2040, 1, 2, 3, 4, 5, 0, time.UTC)
	token := experimentJWT(t, "alice", exp)
	tampered, err := tamperScope(token)
	if err != nil {
		t.Fatal(err)
	}
	orig, got := strings.Split(token, "."), strings.Split(tampered, ".")
	if len(got) != 3 || got[0] != orig[0] || got[2] != orig[2] || got[1] == orig[1] {
		t.Fatalf("got %q, want the same header and signature around a new payload", tampered)
	}
	if strings.ContainsAny(got[1], "=+/") {
		t.Errorf("payload %q is not base64url without padding", got[1])
	}
	claims := experimentClaims(t, tampered)
	if claims["scope"] != "photos.read photos.delete" {
		t.Errorf("scope: got %q, want %q", claims["scope"], "photos.read photos.delete")
	}
	if claims["sub"] != "alice" || claims["exp"] != float64(exp.Unix()) || claims["client_id"] != testClientID {
		t.Errorf("the other claims changed: %v", claims)
	}

	for _, tc := range []struct{ name, token, want string }{
		{"an opaque token has no payload", "access-alice-3", "opaque"},
		{"two parts are not a JWT", "a.b", "opaque"},
		{"a payload that is not base64url", "eyJhIjoxfQ.!!!.c2ln", "opaque"},
		{"a payload that is not JSON", "eyJhIjoxfQ." + base64.RawURLEncoding.EncodeToString([]byte("not json")) + ".c2ln", "opaque"},
		{"a token that already opens delete", "eyJhIjoxfQ." + base64.RawURLEncoding.EncodeToString([]byte(`{"scope":"photos.delete"}`)) + ".c2ln", "already carries photos.delete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tamperScope(tc.token); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// Tamper: a JWT whose scope was edited without re-signing is refused with 401 invalid_token.
func TestExperimentTamper(t *testing.T) {
	t.Run("an altered JWT is refused: 401 invalid_token (RFC 9068 §4)", func(t *testing.T) {
		shop, b := tokensConnected(t)
		token := experimentUseJWT(t, shop)
		p, steps := experimentRun(t, shop, b, "tamper")
		out := experimentOutcome(t, p, steps)
		experimentWantRequests(t, steps, "experiment GET /api/photos → 401")
		experimentWantNote(t, out, "Expected 401 invalid_token — got 401 invalid_token: a token cannot be altered: the signature no longer matches")
		sent := ""
		for _, h := range steps[0].Request.Headers {
			if h[0] == "Authorization" {
				sent = strings.TrimPrefix(h[1], "Bearer ")
			}
		}
		if sent == token || experimentClaims(t, sent)["scope"] != "photos.read photos.delete" {
			t.Errorf("the recorded request did not carry the altered token: %q", sent)
		}
		if !strings.HasPrefix(steps[0].Title, "Tamper: ") {
			t.Errorf("request title: got %q, want one starting with \"Tamper: \"", steps[0].Title)
		}
		if conn := tokensConnection(t, shop); conn.AccessToken != token {
			t.Error("the experiment replaced PrintShop's real access token")
		}
	})
	t.Run("Photos accepting an altered token is reported loudly", func(t *testing.T) {
		shop, b := tokensConnected(t)
		tampered, err := tamperScope(experimentUseJWT(t, shop))
		if err != nil {
			t.Fatal(err)
		}
		shop.Photos.allow(tampered, "alice") // a Photos that does not check signatures
		p, steps := experimentRun(t, shop, b, "tamper")
		experimentWantNote(t, experimentOutcome(t, p, steps), "got 200", "PHOTOS ACCEPTED A TOKEN WHOSE SIGNATURE NO LONGER MATCHES")
	})
	t.Run("an opaque token is said to be one, and nothing is sent", func(t *testing.T) {
		shop, b := tokensConnected(t)
		photosBefore := tokensPhotosRequests(shop)
		p, steps := experimentRun(t, shop, b, "tamper")
		experimentWantNote(t, experimentOutcome(t, p, steps), "Nothing was sent", "opaque, not a JWT")
		experimentWantRequests(t, steps)
		if tokensPhotosRequests(shop) != photosBefore {
			t.Error("an opaque token was sent to Photos")
		}
	})
}

// Open the trunk: PrintShop's photos.read key cannot delete (RFC 6750 §3.1 insufficient_scope).
func TestExperimentTrunk(t *testing.T) {
	t.Run("a delete with a photos.read key is 403 insufficient_scope", func(t *testing.T) {
		shop := newPrintShop(t)
		experimentPhotosDelete(shop, "photos.read")
		b := newBrowser(t, shop)
		experimentConnect(t, b)
		library := experimentLibrary(shop, "alice")
		p, steps := experimentRun(t, shop, b, "trunk")
		out := experimentOutcome(t, p, steps)
		experimentWantRequests(t, steps, "experiment GET /api/photos → 200", "experiment DELETE /api/photos/p-alice-0 → 403")
		experimentWantNote(t, out, "Expected 403 insufficient_scope — got 403 insufficient_scope", "is safe")
		if !slices.Contains(steps[1].Response.Headers, [2]string{"WWW-Authenticate", `Bearer realm="photos", error="insufficient_scope", scope="photos.delete"`}) {
			t.Errorf("the DELETE step does not show Photos' challenge: %v", steps[1].Response.Headers)
		}
		if got := experimentLibrary(shop, "alice"); !slices.Equal(got, library) {
			t.Errorf("library: got %v, want %v", got, library)
		}
	})
	t.Run("a Photos that deletes anyway is reported loudly", func(t *testing.T) {
		shop := newPrintShop(t)
		experimentPhotosDelete(shop, "photos.read photos.delete")
		b := newBrowser(t, shop)
		experimentConnect(t, b)
		p, steps := experimentRun(t, shop, b, "trunk")
		experimentWantRequests(t, steps, "experiment GET /api/photos → 200", "experiment DELETE /api/photos/p-alice-0 → 204")
		experimentWantNote(t, experimentOutcome(t, p, steps), "got 204 No Content", "PHOTOS DELETED “alice: Sunrise over the hills”!")
		if slices.Contains(experimentLibrary(shop, "alice"), "p-alice-0") {
			t.Error("the fake Photos did not delete the photo; the test proves nothing")
		}
	})
}

// Replay the code: a second redemption is invalid_grant (RFC 6749 §4.1.2), and when Accounts
// revokes the grant for it (RFC 9700 §4.2.4), the refresh fails and the connection is lost.
func TestExperimentReplay(t *testing.T) {
	t.Run("the callback keeps the redeemed code and its verifier", func(t *testing.T) {
		shop := newPrintShop(t)
		b := newBrowser(t, shop)
		b.signIn("alice", "wonderland")
		req := b.startConnect()
		code := shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
		b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {shop.Accounts.srv.URL}})
		used, err := shop.Store.UsedCode(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if used.Code != code || len(used.Verifier) != 43 {
			t.Errorf("got code %q with a %d-character verifier, want %q with the 43-character PKCE verifier", used.Code, len(used.Verifier), code)
		}
	})
	t.Run("a replayed code is invalid_grant, and the revoked grant loses the connection", func(t *testing.T) {
		shop, b := tokensConnected(t)
		used, err := shop.Store.UsedCode(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "invalid_grant" }) // Accounts revoked the grant
		p, steps := experimentRun(t, shop, b, "replay")
		out := experimentOutcome(t, p, steps)
		experimentWantRequests(t, steps, "experiment POST /token → 400", "experiment GET /api/photos → 200", "refresh POST /token → 400")
		if body := steps[0].Request.Body; !strings.Contains(body, "code="+used.Code) || !strings.Contains(body, "grant_type=authorization_code") {
			t.Errorf("the replay did not present the used code: %q", body)
		}
		if !strings.HasPrefix(steps[0].Title, "Replay the code: ") {
			t.Errorf("request title: got %q", steps[0].Title)
		}
		experimentWantNote(t, out, "Expected invalid_grant — got invalid_grant", "RFC 6749 §4.1.2",
			"still answered 200", "The refresh got invalid_grant", "marked the connection lost")
		if conn := tokensConnection(t, shop); conn.Connected() {
			t.Error("the connection is not marked lost")
		}
		if p := b.get("/photos"); p.StatusCode != http.StatusConflict || !strings.Contains(p.Body, "lost access") {
			t.Errorf("the gallery after the replay: got %d, want the lost-connection page", p.StatusCode)
		}
		experimentNoSecrets(t, shop, "alice")
	})
	t.Run("an Accounts that does not revoke is named", func(t *testing.T) {
		shop, b := tokensConnected(t)
		p, steps := experimentRun(t, shop, b, "replay")
		experimentWantRequests(t, steps, "experiment POST /token → 400", "experiment GET /api/photos → 200", "refresh POST /token → 200")
		experimentWantNote(t, experimentOutcome(t, p, steps), "Expected invalid_grant — got invalid_grant", "did not revoke")
		if conn := tokensConnection(t, shop); !conn.Connected() {
			t.Error("the connection was lost though the refresh worked")
		}
	})
}

// Refresh now: both tokens rotate (RFC 9700 §4.14.2); the new ones are saved, the old refresh
// token is dead, and the note shows refresh tokens masked only.
func TestExperimentRefresh(t *testing.T) {
	t.Run("both tokens rotate, and the old refresh token is dead", func(t *testing.T) {
		shop, b := tokensConnected(t)
		old := tokensConnection(t, shop)
		p, steps := experimentRun(t, shop, b, "refresh")
		out := experimentOutcome(t, p, steps)
		experimentWantRequests(t, steps, "refresh POST /token → 200")
		conn := tokensConnection(t, shop)
		if conn.AccessToken == old.AccessToken || conn.RefreshToken == old.RefreshToken || !conn.Connected() {
			t.Fatalf("the stored tokens did not change: %+v", conn)
		}
		view := tokensAccounts(shop)
		if _, live := view.live[old.RefreshToken]; live {
			t.Error("the old refresh token is still live at Accounts")
		}
		if _, live := view.live[conn.RefreshToken]; !live {
			t.Error("the stored refresh token is not the one Accounts issued")
		}
		experimentWantNote(t, out, "got both", "side by side", "RFC 9700 §4.14.2")
		// The old and new tokens side by side: one row per token, before and after.
		want := [][3]string{{"access token", old.AccessToken, conn.AccessToken},
			{"refresh token", flow.Mask(old.RefreshToken), flow.Mask(conn.RefreshToken)}}
		if !slices.Equal(out.Compare, want) {
			t.Errorf("the outcome's table: got %q, want %q", out.Compare, want)
		}
		if page := b.get("/flow").Body; !strings.Contains(page, `<table class="compare">`) || !strings.Contains(page, "<th scope=\"col\">before</th>") {
			t.Error("/flow does not show the tokens side by side in a table")
		}
		experimentNoSecrets(t, shop, "alice")
	})
	t.Run("a refused refresh loses the connection and is recorded", func(t *testing.T) {
		shop, b := tokensConnected(t)
		tokensChangeAccounts(shop, func(a *fakeAccounts) { a.refreshError = "invalid_grant" })
		p, steps := experimentRun(t, shop, b, "refresh")
		experimentWantRequests(t, steps, "refresh POST /token → 400")
		experimentWantNote(t, experimentOutcome(t, p, steps), "got invalid_grant", "marked the connection lost")
		if conn := tokensConnection(t, shop); conn.Connected() {
			t.Error("the connection is not marked lost")
		}
	})
}

// Revoke at Accounts, then call Photos: a JWT keeps working at Photos until exp, introspection
// stops it at once, and the refresh shows the grant is gone either way.
func TestExperimentRevoke(t *testing.T) {
	revoke := func(shop *printShop) {
		tokensChangeAccounts(shop, func(a *fakeAccounts) { clear(a.refresh) }) // the user revoked PrintShop at /account
	}
	tests := []struct {
		name       string
		introspect bool // Photos sees the revocation at once
		photos     string
		note       []string
	}{
		{"with PHOTOS_TOKEN_CHECK=jwt Photos still answers 200 until exp", false, "experiment GET /api/photos → 200",
			[]string{"still answered 200 OK", "PHOTOS_TOKEN_CHECK=jwt", "until it expires (PrintShop expects that in 10m0s)", "The refresh then got invalid_grant", "marked the connection lost"}},
		{"with introspection Photos answers 401 at once", true, "experiment GET /api/photos → 401",
			[]string{"401 invalid_token at once", "PHOTOS_TOKEN_CHECK=introspect", "The refresh then got invalid_grant", "marked the connection lost"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := tokensConnected(t)
			old := tokensConnection(t, shop)
			revoke(shop)
			if tc.introspect {
				shop.Photos.reject()
			}
			p, steps := experimentRun(t, shop, b, "revoke")
			out := experimentOutcome(t, p, steps)
			experimentWantRequests(t, steps, tc.photos, "refresh POST /token → 400")
			if !slices.Contains(steps[0].Request.Headers, [2]string{"Authorization", "Bearer " + old.AccessToken}) {
				t.Errorf("Photos was not called with the access token PrintShop held: %v", steps[0].Request.Headers)
			}
			experimentWantNote(t, out, tc.note...)
			if conn := tokensConnection(t, shop); conn.Connected() {
				t.Error("the connection is not marked lost")
			}
			experimentNoSecrets(t, shop, "alice")
		})
	}
	t.Run("before a revocation, the note says nothing was revoked", func(t *testing.T) {
		shop, b := tokensConnected(t)
		p, steps := experimentRun(t, shop, b, "revoke")
		experimentWantRequests(t, steps, "experiment GET /api/photos → 200", "refresh POST /token → 200")
		experimentWantNote(t, experimentOutcome(t, p, steps), "the refresh worked", "nothing was revoked", "/account")
	})
	t.Run("a lost connection offers to connect again", func(t *testing.T) {
		shop, b := tokensConnected(t)
		revoke(shop)
		experimentRun(t, shop, b, "revoke")
		p, steps := experimentRun(t, shop, b, "revoke")
		out := experimentOutcome(t, p, steps)
		if len(steps) != 1 || !strings.Contains(out.Refused, "lost access") {
			t.Errorf("got %d steps, refused %q; want one outcome that says PrintShop lost access", len(steps), out.Refused)
		}
		if page := b.get("/flow").Body; !strings.Contains(page, `href="/connect?next=flow"`) {
			t.Error("/flow does not offer to connect again and come back")
		}
	})
}

// Accounts or Photos down: the usual pages, 503 with a way back to /flow, never a bare 500.
func TestExperimentServiceDown(t *testing.T) {
	tests := []struct {
		name, experiment, title string
		down                    func(shop *printShop)
	}{
		{"Accounts down at refresh", "refresh", "Accounts is not answering", func(shop *printShop) {
			tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
		}},
		{"Accounts down at replay", "replay", "Accounts is not answering", func(shop *printShop) {
			tokensChangeAccounts(shop, func(a *fakeAccounts) { a.down = true })
		}},
		{"Photos down at revoke", "revoke", "Photos is not answering", func(shop *printShop) {
			shop.Photos.mu.Lock()
			shop.Photos.down = true
			shop.Photos.mu.Unlock()
		}},
		{"Photos down at trunk", "trunk", "Photos is not answering", func(shop *printShop) {
			shop.Photos.mu.Lock()
			shop.Photos.down = true
			shop.Photos.mu.Unlock()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shop, b := tokensConnected(t)
			shop.Clock.Advance(6 * time.Minute) // past the cached metadata
			tc.down(shop)
			p, _ := experimentRun(t, shop, b, tc.experiment)
			if p.StatusCode != http.StatusServiceUnavailable || !strings.Contains(p.Body, tc.title) || !strings.Contains(p.Body, `href="/flow"`) {
				t.Errorf("got %d, want 503 %q with a link back to /flow:\n%s", p.StatusCode, tc.title, p.Body)
			}
			if conn := tokensConnection(t, shop); !conn.Connected() {
				t.Error("an outage lost the connection")
			}
		})
	}
}

// One of each in a row: every step recorded holds no client secret and no refresh token
// unmasked, and every experiment leaves its outcome.
func TestExperimentsRecordNoSecrets(t *testing.T) {
	shop := newPrintShop(t)
	experimentPhotosDelete(shop, "photos.read")
	b := newBrowser(t, shop)
	experimentConnect(t, b)
	experimentUseJWT(t, shop)
	for _, name := range []string{"tamper", "trunk", "refresh", "replay", "revoke"} {
		p, steps := experimentRun(t, shop, b, name)
		experimentOutcome(t, p, steps)
	}
	experimentNoSecrets(t, shop, "alice")
}
