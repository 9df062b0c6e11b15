package web

// Tests of /flow: the sequence diagram drawn from the recorded events, each step's real request
// and response with its parameters explained, secrets kept masked, the access token decoded and
// checked against Accounts' JWKS (RFC 9068, RFC 7515), and the experiments' forms.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"golang.org/x/crypto/bcrypt"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

// flowRowPattern finds the rows of the diagram, in order.
var flowRowPattern = regexp.MustCompile(`<details class="step [^"]*" id="[^"]*" data-kind="([^"]*)" data-channel="([^"]*)">`)

// flowRow is one row of the diagram as served: its kind, channel and HTML.
type flowRow struct {
	kind, channel, html string
}

func flowRows(body string) []flowRow {
	var rows []flowRow
	matches := flowRowPattern.FindAllStringSubmatchIndex(body, -1)
	for i, m := range matches {
		end := len(body)
		if i+1 < len(matches) {
			end = matches[i+1][0]
		}
		rows = append(rows, flowRow{kind: body[m[2]:m[3]], channel: body[m[4]:m[5]], html: body[m[0]:end]})
	}
	return rows
}

// htmlText is s as html/template writes it in a page's text.
func htmlText(s string) string {
	var b strings.Builder
	template.Must(template.New("").Parse("{{.}}")).Execute(&b, s)
	return b.String()
}

// flowConnect runs a real flow as alice and returns the authorization request PrintShop sent.
func flowConnect(t *testing.T, b *browser) url.Values {
	t.Helper()
	req := b.startConnect()
	code := b.shop.Accounts.issueCode(req.Get("code_challenge"), "alice")
	p := b.callback(url.Values{"code": {code}, "state": {req.Get("state")}, "iss": {b.shop.Accounts.srv.URL}})
	if p.StatusCode != http.StatusOK || p.Request.URL.Path != "/photos" {
		t.Fatalf("after the callback: got %d at %s, want the gallery", p.StatusCode, p.Request.URL)
	}
	return req
}

// After a real flow, /flow draws every recorded step in order, each with its channel and lanes.
func TestFlowPageDrawsEveryStepInOrder(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	_, events, err := shop.Store.Flow(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	p := b.get("/flow")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /flow: got %d, want 200:\n%s", p.StatusCode, p.Body)
	}
	rows := flowRows(p.Body)
	if len(rows) != len(events) {
		t.Fatalf("got %d rows, want one per recorded step (%d)", len(rows), len(events))
	}
	// RFC 6749 §4.1 (A) and (C): the front channel goes through the browser, so each
	// front-channel step is drawn through the browser's lane, and the sign-in and consent
	// between the browser and Accounts alone, never across PrintShop's lane.
	want := []struct{ kind, channel, route string }{
		{"metadata", "back", "PrintShop → Accounts"},
		{"authorize", "front", "PrintShop → Your browser → Accounts"},
		{"login", "front", "Your browser → Accounts"},
		{"consent", "front", "Your browser → Accounts"},
		{"callback", "front", "Accounts → Your browser → PrintShop"},
		{"token", "back", "PrintShop → Accounts"},
		{"photos", "back", "PrintShop → Photos"},
	}
	// The lanes, left to right: Photos 0, PrintShop 1, your browser 2, Accounts 3.
	arrowsWanted := [][]string{
		{`class="arrow lo-1 len-2 ltr back"`},
		{`class="arrow lo-1 len-1 ltr front"`, `class="arrow lo-2 len-1 ltr front"`},
		{`class="arrow lo-2 len-1 ltr front"`},
		{`class="arrow lo-2 len-1 ltr front"`},
		{`class="arrow lo-2 len-1 rtl front"`, `class="arrow lo-1 len-1 rtl front"`},
		{`class="arrow lo-1 len-2 ltr back"`},
		{`class="arrow lo-0 len-1 rtl back"`},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		row := rows[i]
		if row.kind != w.kind || row.channel != w.channel {
			t.Errorf("row %d: got %s/%s, want %s/%s", i+1, row.kind, row.channel, w.kind, w.channel)
		}
		for _, text := range []string{w.channel + " channel", w.route, htmlText(events[i].Title)} {
			if !strings.Contains(row.html, text) {
				t.Errorf("row %d (%s) lacks %q", i+1, w.kind, text)
			}
		}
		if got := strings.Count(row.html, `class="arrow lo-`); got != len(arrowsWanted[i]) {
			t.Errorf("row %d (%s): got %d arrows, want %d", i+1, w.kind, got, len(arrowsWanted[i]))
		}
		for _, arrow := range arrowsWanted[i] {
			if !strings.Contains(row.html, arrow) {
				t.Errorf("row %d (%s) lacks the arrow %s", i+1, w.kind, arrow)
			}
		}
		if w.channel == "front" && strings.Contains(row.html, "len-2 ltr front") || strings.Contains(row.html, "len-2 rtl front") {
			t.Errorf("row %d (%s): a front-channel arrow skips the browser's lane", i+1, w.kind)
		}
	}
	for _, lane := range []string{"<strong>Your browser</strong> <span>user agent</span>", "<strong>PrintShop</strong> <span>client</span>",
		"<strong>Accounts</strong> <span>authorization server</span>", "<strong>Photos</strong> <span>resource server</span>"} {
		if !strings.Contains(p.Body, lane) {
			t.Errorf("the diagram's lanes lack %q", lane)
		}
	}
	if !strings.Contains(p.Body, "PrintShop never sees them") {
		t.Error("the legend does not say why the front channel is drawn through the browser")
	}
}

// The authorization request's row lists each parameter with its value and a one-line meaning
// (RFC 6749 §4.1.1, RFC 7636 §4.3); the callback's and the token request's rows do too.
func TestFlowPageExplainsEveryParameter(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	req := flowConnect(t, b)
	rows := flowRows(b.get("/flow").Body)
	byKind := map[string]string{}
	for _, r := range rows {
		byKind[r.kind] += r.html
	}
	tests := []struct {
		kind   string
		params []string
	}{
		{"authorize", []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}},
		{"callback", []string{"code", "state", "iss"}},
		{"token", []string{"grant_type", "code", "code_verifier", "redirect_uri", "access_token", "refresh_token", "token_type", "expires_in", "scope"}},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			row := byKind[tc.kind]
			if row == "" {
				t.Fatalf("no %s row", tc.kind)
			}
			for _, name := range tc.params {
				meaning := explainParam(name, "")
				if name == "grant_type" {
					meaning = explainParam(name, "authorization_code")
				}
				cell := fmt.Sprintf(`<th scope="row"><code>%s</code></th>`, name)
				if !strings.Contains(row, cell) || meaning == "" || !strings.Contains(row, htmlText(meaning)) {
					t.Errorf("the %s row does not list %s with its meaning %q", tc.kind, name, meaning)
				}
			}
		})
	}
	authorize := byKind["authorize"]
	for _, name := range []string{"client_id", "state", "code_challenge", "scope"} {
		if !strings.Contains(authorize, htmlText(req.Get(name))) {
			t.Errorf("the authorize row lacks the real %s %q", name, req.Get(name))
		}
	}
	if !strings.Contains(byKind["token"], "Basic base64(printing:••••••)") {
		t.Error("the token row does not show the client authentication header, masked")
	}
	if !strings.Contains(byKind["token"], "&#34;token_type&#34;: &#34;Bearer&#34;") {
		t.Error("the token response's JSON body is not pretty-printed")
	}
}

// The client secret and the refresh token never appear on /flow, masked or not by the recorder;
// the access token does: /flow is the one page meant to show it.
func TestFlowPageKeepsSecretsMasked(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	b.get("/photos/p-alice-0/thumbnail")
	p := b.get("/flow")
	conn, err := shop.Store.Connection(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Body, testClientSecret) || strings.Contains(p.Body, url.QueryEscape(testClientSecret)) {
		t.Error("/flow shows the client secret")
	}
	if strings.Contains(p.Body, conn.RefreshToken) {
		t.Errorf("/flow shows the refresh token %q unmasked", conn.RefreshToken)
	}
	if !strings.Contains(p.Body, flow.Mask(conn.RefreshToken)) {
		t.Error("/flow does not show the masked refresh token of the token response")
	}
	if !strings.Contains(p.Body, conn.AccessToken) || !strings.Contains(p.Body, "Bearer "+conn.AccessToken) {
		t.Error("/flow does not show the access token, or the Authorization header Photos got")
	}
}

// Secrets that somehow reached the store unmasked are masked again on the page.
func TestFlowPageMasksWhatTheRecorderMissed(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"refresh_token", "refresh-plain-123456"},
		{"client_secret", "secret-plain-123456"},
		{"token", "an-access-token"},
	} {
		got := keepMasked(tc.name, tc.value)
		if flow.IsSecret(tc.name) && (got == tc.value || strings.Contains(got, "plain")) {
			t.Errorf("%s: got %q, want it masked", tc.name, got)
		}
		if !flow.IsSecret(tc.name) && got != tc.value {
			t.Errorf("%s: got %q, want it as it is", tc.name, got)
		}
		if again := keepMasked(tc.name, got); again != got {
			t.Errorf("%s: masking twice changed %q to %q", tc.name, got, again)
		}
	}
	_, body := bodyViews(`{"refresh_token":"refresh-plain-123456","scope":"photos.read"}`)
	if strings.Contains(body, "refresh-plain-123456") {
		t.Errorf("a JSON body kept its refresh token: %s", body)
	}
	if got := maskURL("http://x.test/cb?refresh_token=refresh-plain-123456&a=b"); strings.Contains(got, "plain") {
		t.Errorf("a URL kept its refresh token: %s", got)
	}
}

// A run of Photos calls (a gallery's thumbnails) becomes one row that still lists every call.
func TestFlowPageCollapsesPhotosCalls(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b) // the gallery: one call for the list
	for i := range 3 {
		if p := b.get(fmt.Sprintf("/photos/p-alice-%d/thumbnail", i)); p.StatusCode != http.StatusOK {
			t.Fatalf("thumbnail %d: got %d, want 200", i, p.StatusCode)
		}
	}
	rows := flowRows(b.get("/flow").Body)
	last := rows[len(rows)-1]
	if last.kind != "photos" || !strings.Contains(last.html, "4 Photos API calls") {
		t.Fatalf("got last row %s, want one row of 4 Photos API calls:\n%s", last.kind, last.html)
	}
	if n := strings.Count(last.html, `<details class="call">`); n != 4 {
		t.Errorf("got %d calls in the collapsed row, want 4", n)
	}
	for _, want := range []string{"GET /api/photos → 200", "GET /api/photos/p-alice-2/content → 200", "4 × 200", "image/jpeg"} {
		if !strings.Contains(last.html, want) {
			t.Errorf("the collapsed row lacks %q", want)
		}
	}
	if len(rows) != 7 {
		t.Errorf("got %d rows, want the 6 steps of the authorization and one for the Photos calls", len(rows))
	}
}

// A row of kind "experiment" is drawn like any other, with its outcome in plain view.
func TestFlowPageShowsExperimentOutcome(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	rec := flow.NewRecorder(shop.Store, shop.Clock.Now)
	err := rec.Record(context.Background(), "alice", flow.Event{
		Kind: "experiment", Title: "Tamper: photos.delete added, not re-signed", Channel: flow.Back, From: flow.PrintShop, To: flow.Photos,
		Request:  flow.Message{Method: http.MethodGet, URL: shop.Photos.srv.URL + "/api/photos", Headers: [][2]string{{"Authorization", "Bearer x.y.z"}}},
		Response: flow.Message{Status: http.StatusUnauthorized, Headers: [][2]string{{"WWW-Authenticate", `Bearer error="invalid_token"`}}},
		Note:     "Expected: 401 invalid_token. Got: 401 invalid_token.",
	})
	if err != nil {
		t.Fatal(err)
	}
	// What the experiment proved, recorded on PrintShop's own lane: nothing crossed the wire.
	err = rec.Record(context.Background(), "alice", flow.Event{Kind: "experiment", Title: "Tamper: what Photos made of it",
		Channel: flow.Back, From: flow.PrintShop, To: flow.PrintShop, Note: "Expected 401 invalid_token, got 401 invalid_token."})
	if err != nil {
		t.Fatal(err)
	}
	rows := flowRows(b.get("/flow").Body)
	call, note := rows[len(rows)-2], rows[len(rows)-1]
	if call.kind != "experiment" || !strings.Contains(call.html, `class="step back experiment refused"`) || !strings.Contains(call.html, `class="arrow lo-0 len-1 rtl back refused"`) || !strings.Contains(call.html, "Photos refused it: 401 invalid_token") {
		t.Fatalf("the experiment's call is not drawn as a back-channel call from PrintShop to Photos, marked as an experiment:\n%s", call.html)
	}
	summary, _, _ := strings.Cut(call.html, "</summary>")
	if !strings.Contains(summary, "Expected: 401 invalid_token. Got: 401 invalid_token.") {
		t.Error("the experiment's outcome is not in the row itself")
	}
	if !strings.Contains(call.html, "Why Photos refused the token") {
		t.Error("the WWW-Authenticate header is not explained")
	}
	if !strings.Contains(note.html, `class="step note experiment"`) || !strings.Contains(note.html, `id="latest"`) ||
		!strings.Contains(note.html, `class="arrow mark lo-1 note"`) || !strings.Contains(note.html, "at PrintShop") {
		t.Errorf("the outcome on PrintShop's lane is not drawn as a mark on that lane, last:\n%s", note.html)
	}
	if summary, _, _ := strings.Cut(note.html, "</summary>"); !strings.Contains(summary, "Expected 401 invalid_token, got 401 invalid_token.") {
		t.Error("the outcome's note is not in its row")
	}
	if strings.Contains(note.html, "back channel") {
		t.Error("a step on one lane claims a channel")
	}
}

// /flow is the signed-in user's own: without a session it sends the browser to sign in.
func TestFlowPageRequiresSignIn(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	p := b.get("/flow")
	if p.Request.URL.Path != "/" || p.Request.URL.Query().Get("notice") != "sign-in" {
		t.Fatalf("GET /flow signed out: ended at %s, want /?notice=sign-in", p.Request.URL)
	}
	if !strings.Contains(p.Body, notices["sign-in"]) {
		t.Error("the home page does not ask to sign in")
	}
}

// A user with no flow yet reads why, and gets the Connect button.
func TestFlowPageWithoutFlow(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	p := b.get("/flow")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /flow: got %d, want 200", p.StatusCode)
	}
	for _, want := range []string{"nothing to draw yet", `href="/connect"`, "Connect your Photos", "PrintShop holds no access token"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if rows := flowRows(p.Body); len(rows) != 0 {
		t.Errorf("got %d rows, want none", len(rows))
	}
	if strings.Contains(p.Body, "/flow/experiments/") {
		t.Error("experiments are offered before there is anything to experiment on")
	}
}

// Every form on /flow posts a csrf_token bound to the session; the experiments are all there.
func TestFlowPageFormsCarryCSRFToken(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	p := b.get("/flow")
	token := csrf(t, p)
	forms := regexp.MustCompile(`(?s)<form.*?</form>`).FindAllString(p.Body, -1)
	actions := map[string]bool{}
	for _, f := range forms {
		if !strings.Contains(f, `method="post"`) {
			t.Errorf("a form is not posted:\n%s", f)
		}
		if !strings.Contains(f, `name="csrf_token" value="`+token+`"`) {
			t.Errorf("a form has no csrf_token of this session:\n%s", f)
		}
		if m := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(f); m != nil {
			actions[m[1]] = true
		}
	}
	for _, name := range []string{"tamper", "trunk", "replay", "refresh", "revoke"} {
		if !actions["/flow/experiments/"+name] {
			t.Errorf("no form posts to /flow/experiments/%s", name)
		}
	}
	for _, want := range []string{shop.Accounts.srv.URL + "/account", "PHOTOS_TOKEN_CHECK=introspect", "401 invalid_token", "403 insufficient_scope", "invalid_grant"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the experiments lack %q", want)
		}
	}
}

// The countdown is an external script (the CSP allows no inline script), and the page says the
// seconds left without it.
func TestFlowPageCountdownScript(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	p := b.get("/flow")
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(p.Body, -1) {
		if !strings.Contains(tag, `src="/static/`) {
			t.Errorf("an inline script: %s", tag)
		}
	}
	if !strings.Contains(p.Body, `<script src="/static/countdown.js" defer></script>`) {
		t.Error("the page does not load /static/countdown.js")
	}
	if !strings.Contains(p.Body, `data-seconds-left="600">600 seconds left`) {
		t.Error("the page does not say the seconds left at render")
	}
	js := b.get("/static/countdown.js")
	if js.StatusCode != http.StatusOK || !strings.Contains(js.Header.Get("Content-Type"), "javascript") || !strings.Contains(js.Body, "data-seconds-left") {
		t.Errorf("GET /static/countdown.js: got %d %s", js.StatusCode, js.Header.Get("Content-Type"))
	}
}

// The fake Accounts' tokens are opaque strings: the page says so instead of failing.
func TestFlowPageOpaqueToken(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	b.signIn("alice", "wonderland")
	flowConnect(t, b)
	p := b.get("/flow")
	token, _, _ := strings.Cut(p.Body[strings.Index(p.Body, `id="token"`):], "</section>")
	for _, want := range []string{"opaque", "cannot be decoded", "access-alice-", "photos.read", "introspection"} {
		if !strings.Contains(token, want) {
			t.Errorf("the token section lacks %q:\n%s", want, token)
		}
	}
}

// flowJWKS is the fake Accounts' JWKS endpoint, which the harness lacks.
type flowJWKS struct {
	mu   sync.Mutex
	set  []byte
	down bool
}

func (j *flowJWKS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(j.set)
}

// newPrintShopWithJWKS is newPrintShop with a server in front of the fake Accounts that adds
// GET /.well-known/jwks.json: PrintShop's back channel goes to the wrapper, while the issuer,
// the front channel, stays the fake Accounts' URL.
func newPrintShopWithJWKS(t *testing.T, jwks http.Handler) *printShop {
	t.Helper()
	accounts, photos := newFakeAccounts(t), newFakePhotos(t)
	accounts.photos = photos
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/jwks.json", jwks)
	mux.Handle("/", accounts.srv.Config.Handler)
	backChannel := httptest.NewServer(mux)
	t.Cleanup(backChannel.Close)

	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "printing.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, _ := bcrypt.GenerateFromPassword([]byte("wonderland"), bcrypt.MinCost)
	if err := st.SaveUser(ctx, store.User{Username: "alice", Name: "Alice", PasswordHash: string(h)}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Now().Truncate(time.Second)}
	flows := flow.NewRecorder(st, clk.Now)
	recording := &flow.Transport{Base: http.DefaultTransport, Recorder: flows}
	client := oauth.NewClient(oauth.Config{
		Issuer: accounts.srv.URL, AuthServerURL: backChannel.URL,
		ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: "http://printshop.test/callback", Scope: []string{"photos.read"}, Now: clk.Now,
		HTTPClient: &http.Client{Transport: recording, Timeout: 10 * time.Second},
	})
	logs := &syncBuffer{}
	handler, err := NewServer(slog.New(slog.NewTextHandler(logs, nil)), st, client,
		photosapi.New(photos.srv.URL, &http.Client{Transport: recording, Timeout: 10 * time.Second}), flows,
		Config{PublicURL: "http://printshop.test", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &printShop{URL: srv.URL, Store: st, Clock: clk, Logs: logs, Accounts: accounts, Photos: photos, DBPath: dbPath}
}

// flowSigningKey is an RSA key with a kid, as Accounts publishes them.
func flowSigningKey(t *testing.T, kid string) jwk.Key {
	t.Helper()
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, kid)
	key.Set(jwk.AlgorithmKey, jwa.RS256)
	return key
}

// flowSignJWT signs an RFC 9068 access token with key.
func flowSignJWT(t *testing.T, key jwk.Key, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	headers := jws.NewHeaders()
	headers.Set(jws.TypeKey, "at+jwt")
	headers.Set(jws.KeyIDKey, key.KeyID())
	signed, err := jws.Sign(payload, jws.WithKey(jwa.RS256, key, jws.WithProtectedHeaders(headers)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// A JWT access token is decoded, each claim explained, its exp counted down, and its signature
// checked with the key of Accounts' JWKS whose kid it names (RFC 7515 §5.2, RFC 8725 §3.1).
func TestFlowPageDecodesJWT(t *testing.T) {
	published := flowSigningKey(t, "test-key-1")
	impostor := flowSigningKey(t, "test-key-1") // same kid, another key
	public, err := jwk.PublicKeyOf(published)
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	set.AddKey(public)
	setJSON, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		signWith  jwk.Key
		kid       string
		jwksDown  bool
		want      string
		verified  bool
		wantClass string
	}{
		{"a token signed by the published key verifies", published, "test-key-1", false, "verified by key test-key-1 (RS256)", true, "verdict ok"},
		{"a token signed by another key with the same kid does not", impostor, "test-key-1", false, "does NOT verify with key test-key-1", false, "verdict bad"},
		{"a kid Accounts does not publish is named", published, "retired-key", false, "has no key &#34;retired-key&#34;", false, "verdict bad"},
		{"Accounts down: the keys could not be fetched", published, "test-key-1", true, "could not fetch the keys", false, "verdict bad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jwks := &flowJWKS{set: setJSON, down: tc.jwksDown}
			shop := newPrintShopWithJWKS(t, jwks)
			now := shop.Clock.Now()
			key := tc.signWith
			if tc.kid != key.KeyID() {
				key, _ = key.Clone()
				key.Set(jwk.KeyIDKey, tc.kid)
			}
			token := flowSignJWT(t, key, map[string]any{
				"iss": shop.Accounts.srv.URL, "sub": "alice", "aud": "http://photos.test", "client_id": testClientID,
				"scope": "photos.read", "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "auth_time": now.Add(-time.Minute).Unix(),
				"jti": "jti-123",
			})
			err := shop.Store.SaveConnection(context.Background(), store.Connection{Username: "alice", AccessToken: token,
				RefreshToken: "refresh-alice-secret", ExpiresAt: now.Add(5 * time.Minute), Scope: []string{"photos.read"}, ConnectedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, shop)
			b.signIn("alice", "wonderland")
			p := b.get("/flow")
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET /flow: got %d, want 200:\n%s", p.StatusCode, p.Body)
			}
			if !strings.Contains(p.Body, tc.want) || !strings.Contains(p.Body, `class="`+tc.wantClass+`"`) {
				t.Errorf("the signature check does not say %q in a %q box", tc.want, tc.wantClass)
			}
			parts := strings.Split(token, ".")
			if !strings.Contains(p.Body, `<span class="jwt-header">`+parts[0]+`</span>.<span class="jwt-payload">`+parts[1]+`</span>.<span class="jwt-signature">`+parts[2]+`</span>`) {
				t.Error("the raw token is not shown in its three parts")
			}
			for name, meaning := range headerMeanings {
				if !strings.Contains(p.Body, `<code>`+name+`</code>`) || !strings.Contains(p.Body, htmlText(meaning)) {
					t.Errorf("the header parameter %s is not shown with its meaning", name)
				}
			}
			for _, name := range []string{"iss", "sub", "aud", "client_id", "scope", "exp", "iat", "auth_time", "jti"} {
				cell := `<th scope="row"><code>` + name + `</code></th>`
				if !strings.Contains(p.Body, cell) || !strings.Contains(p.Body, htmlText(claimMeanings[name])) {
					t.Errorf("the claim %s is not shown with its meaning", name)
				}
			}
			for _, want := range []string{"at&#43;jwt", "jti-123", `data-seconds-left="300">300 seconds left`, now.Add(5 * time.Minute).UTC().Format("15:04:05 UTC")} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("the decoded token lacks %q", want)
				}
			}
			if strings.Contains(p.Body, "refresh-alice-secret") {
				t.Error("the refresh token is on the page")
			}
		})
	}
}

// The JWKS method fetches Accounts' keys over the back channel, and says when it cannot.
func TestOAuthClientJWKS(t *testing.T) {
	key := flowSigningKey(t, "k1")
	public, _ := jwk.PublicKeyOf(key)
	set := jwk.NewSet()
	set.AddKey(public)
	data, _ := json.Marshal(set)
	jwks := &flowJWKS{set: data}
	srv := httptest.NewServer(jwks)
	t.Cleanup(srv.Close)
	client := oauth.NewClient(oauth.Config{Issuer: "http://accounts.test", AuthServerURL: srv.URL})
	got, err := client.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.LookupKeyID("k1"); !ok || got.Len() != 1 {
		t.Errorf("got %d keys, want k1 alone", got.Len())
	}
	jwks.mu.Lock()
	jwks.down = true
	jwks.mu.Unlock()
	if _, err := client.JWKS(context.Background()); !errors.Is(err, oauth.ErrUnreachable) {
		t.Errorf("with the JWKS down: got %v, want ErrUnreachable", err)
	}
}
