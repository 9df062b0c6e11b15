package e2e

// The walkthrough over HTTP: PrintShop's /flow page after a real flow, and each of its
// experiments run for real against Accounts and Photos. The experiments are lessons, so each
// test asserts the real outcome on the wire and what /flow says about it, never just that the
// page rendered: tamper (RFC 9068 §4), the trunk (RFC 6750 §3.1), a replayed code
// (RFC 6749 §4.1.2, RFC 9700 §4.2.4), refresh token rotation (RFC 9700 §4.14.2) and a grant
// revoked at Accounts, seen through a JWT and through introspection (RFC 7009, RFC 7662).

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// flowStep is one row of /flow's sequence diagram: a <details class="step …"> element.
type flowStep struct {
	ID, Kind, Channel, Class string // the attributes of the <details>
	Title                    string // the row's title, as text, without the "experiment" chip
	Label                    string // the channel chip a person reads: "front channel", "back channel", "no message"
	Wire                     string // the request at a glance: "POST /token → 200"
	Outcome                  string // an experiment's outcome: what it expected and what came back
	HTML                     string // the whole row, the request and response tables included
	Text                     string // the whole row as text (tags stripped, entities decoded)
}

// String names a row in messages.
func (r flowStep) String() string {
	s := r.Title + " [" + r.Label + "]"
	if r.Wire != "" {
		s += " " + r.Wire
	}
	return s
}

var (
	stepStart      = regexp.MustCompile(`<details class="step([^"]*)"([^>]*)>`)
	stepTitle      = regexp.MustCompile(`(?s)<span class="title">(.*?)<span class="meta">`)
	stepLabel      = regexp.MustCompile(`<span class="meta"><span class="chip [^"]*">([^<]*)</span>`)
	stepWire       = regexp.MustCompile(`(?s)<span class="route">[^<]*</span>\s*<code>([^<]*)</code>`)
	stepOutcome    = regexp.MustCompile(`(?s)<span class="outcome"><strong>Outcome</strong>(.*?)</span>`)
	htmlTagPattern = regexp.MustCompile(`(?s)<[^>]*>`)
	whitespaceRun  = regexp.MustCompile(`\s+`)
	verdictPattern = regexp.MustCompile(`(?s)<p class="verdict (ok|bad)">(.*?)</p>`)
	verifiedByKey  = regexp.MustCompile(`verified by key (\S+) \(([A-Za-z0-9]+)\)`)
	rawTokenParts  = regexp.MustCompile(`<span class="jwt-header">([A-Za-z0-9_-]+)</span>\.<span class="jwt-payload">([A-Za-z0-9_-]+)</span>\.<span class="jwt-signature">([A-Za-z0-9_-]+)</span>`)
)

// textOf turns a piece of our HTML into the text a person reads.
func textOf(s string) string {
	return strings.TrimSpace(whitespaceRun.ReplaceAllString(html.UnescapeString(htmlTagPattern.ReplaceAllString(s, " ")), " "))
}

// flowStepsOf reads the rows of a /flow page, in order.
func flowStepsOf(body string) []flowStep {
	diagramEnd := strings.Index(body, `<section class="card token"`)
	if diagramEnd < 0 {
		diagramEnd = len(body)
	}
	starts := stepStart.FindAllStringSubmatchIndex(body[:diagramEnd], -1)
	var rows []flowStep
	for i, m := range starts {
		end := diagramEnd
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		row := body[m[0]:end]
		attrs := map[string]string{}
		for _, a := range attrPattern.FindAllStringSubmatch(body[m[4]:m[5]], -1) {
			attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
		}
		r := flowStep{ID: attrs["id"], Kind: attrs["data-kind"], Channel: attrs["data-channel"],
			Class: strings.TrimSpace(body[m[2]:m[3]]), HTML: row, Text: textOf(row)}
		if t := stepTitle.FindStringSubmatch(row); t != nil {
			r.Title = strings.TrimPrefix(textOf(t[1]), "experiment ")
		}
		if l := stepLabel.FindStringSubmatch(row); l != nil {
			r.Label = textOf(l[1])
		}
		if w := stepWire.FindStringSubmatch(row); w != nil {
			r.Wire = textOf(w[1])
		}
		if o := stepOutcome.FindStringSubmatch(row); o != nil {
			r.Outcome = textOf(o[1])
		}
		rows = append(rows, r)
	}
	return rows
}

// describeSteps lists rows one a line, for failure messages.
func describeSteps(rows []flowStep) string {
	var lines []string
	for i, r := range rows {
		lines = append(lines, fmt.Sprintf("  %2d. %s", i+1, r))
	}
	return strings.Join(lines, "\n")
}

// openFlow loads /flow and returns the page and its rows.
func (b *browser) openFlow(s *stack) (*page, []flowStep) {
	b.t.Helper()
	p := b.get(s.PrintURL + "/flow").ok(b.t)
	return p, flowStepsOf(p.Body)
}

// runExperiment presses an experiment's button on /flow (POST /flow/experiments/NAME with the
// form's csrf_token), follows the redirect back to /flow#latest, and returns the page and the
// rows the experiment added. The last of them must be its outcome.
func (b *browser) runExperiment(s *stack, name string) (*page, []flowStep) {
	t := b.t
	t.Helper()
	before, rows := b.openFlow(s)
	action := "/flow/experiments/" + name
	if len(formsWithAction(before.Body, action)) != 1 {
		t.Fatalf("/flow has no form that posts to %s:\n%s", action, excerpt(before.Body))
	}
	to := b.post(s.PrintURL+action, url.Values{"csrf_token": {experimentCSRF(t, before, action)}}).redirect(t)
	if !sameOrigin(to, s.PrintURL) || to.Path != "/flow" || to.Fragment != "latest" {
		t.Fatalf("POST %s redirected to %s, want /flow#latest", action, to)
	}
	after, all := b.openFlow(s)
	if len(all) <= len(rows) {
		t.Fatalf("the %s experiment added no row to /flow; it shows:\n%s", name, describeSteps(all))
	}
	added := all[len(rows):]
	last := added[len(added)-1]
	if last.ID != "latest" || last.Kind != "experiment" || last.Outcome == "" {
		t.Fatalf("the last row after the %s experiment is %v (id %q, kind %q), want its outcome (id latest, kind experiment, an Outcome)",
			name, last, last.ID, last.Kind)
	}
	t.Logf("the %s experiment added:\n%s\noutcome: %s", name, describeSteps(added), last.Outcome)
	return after, added
}

// experimentCSRF is the csrf_token of the form that posts to action.
func experimentCSRF(t *testing.T, p *page, action string) string {
	t.Helper()
	i := strings.Index(p.Body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posts to %s", action)
	}
	end := strings.Index(p.Body[i:], "</form>")
	if end < 0 {
		t.Fatalf("the form that posts to %s does not end", action)
	}
	for _, in := range tags(p.Body[i:i+end], "input") {
		if in.Attrs["name"] == "csrf_token" && in.Attrs["value"] != "" {
			return in.Attrs["value"]
		}
	}
	t.Fatalf("the form that posts to %s has no csrf_token", action)
	return ""
}

// outcomeOf is the experiment's outcome row: the last of the rows it added.
func outcomeOf(rows []flowStep) flowStep { return rows[len(rows)-1] }

// findStep returns the first row the predicate accepts, failing the test if there is none.
func findStep(t *testing.T, rows []flowStep, what string, match func(flowStep) bool) flowStep {
	t.Helper()
	i := slices.IndexFunc(rows, match)
	if i < 0 {
		t.Fatalf("/flow has no row for %s; the rows are:\n%s", what, describeSteps(rows))
	}
	return rows[i]
}

// wireStatus is the status at the end of a row's wire summary ("POST /token → 400"), or "".
func wireStatus(r flowStep) string {
	_, status, ok := strings.Cut(r.Wire, "→ ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(status)
}

// connectAlice signs alice in at PrintShop, connects her Photos (Accounts' sign-in and consent
// in the same cookie jar), and follows the callback to the gallery.
func connectAlice(t *testing.T, s *stack) (*browser, *page) {
	t.Helper()
	b := newBrowser(t)
	b.signInAtPrintShop(s, "alice", "wonderland")
	auth := b.connectPhotos(s, "alice", "wonderland", "allow")
	if auth.Consent == nil {
		t.Fatal("Accounts showed no consent page: the user was not reset")
	}
	return b, followToGallery(t, b, s, auth.Callback)
}

// printingRow is the part of PrintShop's connections row the walkthrough tests read.
type printingRow struct {
	connection
	LostReason string
}

// printingConnectionRow reads a user's tokens and lost_reason from
// PrintShop's database. Guard it with s.hasDatabase.
func printingConnectionRow(t *testing.T, s *stack, username string) (printingRow, bool) {
	t.Helper()
	conn, ok := printingConnection(t, s, username)
	if !ok {
		return printingRow{}, false
	}
	db, err := sql.Open("sqlite", "file:"+s.PrintingDB+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lost sql.NullString
	if err := db.QueryRow(`SELECT lost_reason FROM connections WHERE username = ?`, username).Scan(&lost); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return printingRow{}, false
		}
		t.Fatalf("read PrintShop's connections table: %v", err)
	}
	return printingRow{connection: conn, LostReason: lost.String}, true
}

// masked is how /flow may show a secret: its first six characters and an ellipsis.
func masked(secret string) string {
	if len(secret) <= 6 {
		return "••••••"
	}
	return secret[:6] + "…"
}

// checkNoSecrets asserts that a page shows neither PrintShop's client secret nor any of the
// refresh tokens whole.
func checkNoSecrets(t *testing.T, s *stack, p *page, refreshTokens []string) {
	t.Helper()
	if s.PrintingSecret != "" && strings.Contains(p.Body, s.PrintingSecret) {
		t.Errorf("%s %s shows PrintShop's client secret", p.Method, p.URL.Path)
	}
	for i, rt := range refreshTokens {
		if rt != "" && strings.Contains(p.Body, rt) {
			t.Errorf("%s %s shows refresh token #%d (%s) unmasked%s", p.Method, p.URL.Path, i+1, masked(rt), inRow(p.Body, rt))
		}
	}
	// Without the database, at least every refresh_token value the page shows must be masked,
	// and so must every token a request names as RFC 7009's token parameter, unless it is an
	// access token (a JWT), which /flow may show.
	for _, m := range secretParamValue.FindAllStringSubmatch(p.Body, -1) {
		name, v := m[1], html.UnescapeString(m[2])
		if v == "••••••" || strings.HasSuffix(v, "…(masked)") || (name == "token" && jwtPattern.MatchString(v)) {
			continue
		}
		t.Errorf("%s %s shows a %s value that is not masked: %s%s", p.Method, p.URL.Path, name, masked(v), inRow(p.Body, v))
	}
}

// inRow names the /flow row whose HTML holds s, for messages: ", in the row …".
func inRow(body, s string) string {
	for _, r := range flowStepsOf(body) {
		if strings.Contains(r.HTML, s) {
			return ", in the row " + r.String()
		}
	}
	return ""
}

// secretParamValue finds the value of a refresh_token or token parameter in /flow's tables.
var secretParamValue = regexp.MustCompile(`<code>(refresh_token|token)</code></th><td><code class="value">([^<]*)</code>`)

// jwtHeader decodes a JWT's header.
func jwtHeader(t *testing.T, token string) map[string]any {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatalf("the token's header is not base64url: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("the token's header is not JSON: %v", err)
	}
	return h
}

// jwtClaims decodes a JWT's payload.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("the token's payload is not base64url: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("the token's payload is not JSON: %v", err)
	}
	return c
}

// flowAccessToken is the access token /flow's decoded-token section shows, put back together
// from its three coloured parts; empty if the section shows none.
func flowAccessToken(body string) string {
	m := rawTokenParts.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1] + "." + m[2] + "." + m[3]
}

// jwksKids lists the key ids Accounts publishes.
func jwksKids(t *testing.T, s *stack) []string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.AuthURL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /.well-known/jwks.json: status %d, %v", resp.StatusCode, err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// tokenEndpoint posts a form to Accounts' /token as the printing client and returns the status
// and the error code of the answer.
func tokenEndpoint(t *testing.T, s *stack, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.AuthURL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("printing", s.PrintingSecret)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &answer)
	return resp.StatusCode, answer.Error
}

// introspectActive asks Accounts' /introspect, as the printing client, whether a token is active
// (RFC 7662: any authenticated confidential client may ask).
func introspectActive(t *testing.T, s *stack, token string) bool {
	t.Helper()
	form := url.Values{"token": {token}}
	req, err := http.NewRequest(http.MethodPost, s.AuthURL+"/introspect", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("printing", s.PrintingSecret)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer struct {
		Active *bool `json:"active"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || resp.StatusCode != http.StatusOK || answer.Active == nil {
		t.Fatalf("POST /introspect as printing: got %d %s; want 200 with an active member", resp.StatusCode, body)
	}
	return *answer.Active
}

// checkLostAccess asserts that PrintShop has given up on alice's grant: /photos shows the
// lost-access page with a Connect link, and (given the database) the connection has a
// lost_reason.
func checkLostAccess(t *testing.T, b *browser, s *stack, gallery []apiPhoto) {
	t.Helper()
	photos := b.get(s.PrintURL + "/photos")
	if photos.Status >= 500 || !strings.Contains(photos.Body, "PrintShop lost access to your Photos") || !hasLink(photos.Body, "/connect") {
		t.Errorf("GET /photos after the grant was revoked: got %d; want the lost-access page (\"PrintShop lost access to your Photos\") with a link to /connect:\n%s",
			photos.Status, excerpt(photos.Body))
	}
	if found, _ := titlesIn(photos.Body, gallery); len(found) > 0 {
		t.Errorf("the lost-access page still shows photos %q", found)
	}
	if s.hasDatabase(t, "that PrintShop's connection has lost_reason set") {
		row, ok := printingConnectionRow(t, s, "alice")
		switch {
		case !ok:
			t.Error("PrintShop's database has no connection row for alice; want it kept, with lost_reason set")
		case row.LostReason == "":
			t.Error("PrintShop's connection for alice has no lost_reason after its refresh got invalid_grant")
		default:
			t.Logf("PrintShop's lost_reason: %s", row.LostReason)
		}
	}
}

// TestFlowPageAfterRealFlow: after a real connect and a gallery, /flow draws every step in order,
// each with its channel; it shows the access token (the one page allowed to) but never the client
// secret or a refresh token whole; and the decoded token names the key that verified it. A
// refresh and a disconnect add their rows, still without a refresh token in sight.
func TestFlowPageAfterRealFlow(t *testing.T) {
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	b, gallery := connectAlice(t, s)
	// Load the thumbnails as a browser would: PrintShop fetches each picture from Photos.
	var thumbs int
	for _, img := range tags(gallery.Body, "img") {
		if src := img.Attrs["src"]; strings.HasPrefix(src, "/photos/") && strings.HasSuffix(src, "/thumbnail") {
			decodeJPEG(t, b.get(s.PrintURL+src))
			thumbs++
		}
	}
	if thumbs == 0 {
		t.Fatalf("the gallery has no thumbnails:\n%s", excerpt(gallery.Body))
	}

	haveDB := s.hasDatabase(t, "the tokens PrintShop holds against what /flow shows")
	var refreshTokens []string // every refresh token PrintShop held during the test
	var accessToken string
	if haveDB {
		conn, ok := printingConnection(t, s, "alice")
		if !ok {
			t.Fatal("PrintShop holds no tokens for alice after connecting")
		}
		refreshTokens = append(refreshTokens, conn.RefreshToken)
		accessToken = conn.AccessToken
	}

	// 1. The steps, in order, each with its channel.
	flowPage, rows := b.openFlow(s)
	steps := []struct {
		kind, title, label string
	}{
		{"authorize", "The authorization request: PrintShop sends your browser to Accounts", "front channel"},
		{"login", "Sign-in at Accounts", "front channel"},
		{"consent", "Consent at Accounts: you decide what PrintShop may do", "front channel"},
		{"callback", "The redirect back: Accounts sends your browser to PrintShop with the code", "front channel"},
		{"token", "The token request: the code and the PKCE verifier, for tokens", "back channel"},
		{"photos", "", "back channel"}, // one call, or a run of them drawn as one row
	}
	next := 0
	found := map[string]flowStep{}
	for _, want := range steps {
		i := slices.IndexFunc(rows[next:], func(r flowStep) bool { return r.Kind == want.kind })
		if i < 0 {
			t.Errorf("/flow has no %s row after row %d; the rows are:\n%s", want.kind, next, describeSteps(rows))
			continue
		}
		r := rows[next+i]
		next += i + 1
		found[want.kind] = r
		if !strings.HasPrefix(r.Title, want.title) {
			t.Errorf("the %s row's title is %q, want it to start %q", want.kind, r.Title, want.title)
		}
		if r.Label != want.label || r.Channel != strings.Fields(want.label)[0] {
			t.Errorf("the %s row is labelled %q (data-channel %q), want %q", want.kind, r.Label, r.Channel, want.label)
		}
	}
	t.Logf("/flow after connecting and loading the gallery (%d thumbnails):\n%s", thumbs, describeSteps(rows))
	if r, ok := found["callback"]; ok && !strings.Contains(r.HTML, "<code>code</code>") {
		t.Errorf("the redirect back shows no code parameter:\n%s", excerpt(r.Text))
	}
	if r, ok := found["token"]; ok {
		if wireStatus(r) != "200" || !strings.Contains(r.HTML, "<code>code_verifier</code>") {
			t.Errorf("the token request row is %v; want → 200 and the code_verifier it sent", r)
		}
	}
	if r, ok := found["photos"]; ok {
		if !regexp.MustCompile(`^(A Photos API call with the access token|\d+ Photos API calls, each with the access token)`).MatchString(r.Title) {
			t.Errorf("the Photos row's title is %q", r.Title)
		}
	}

	// 2. Secrets: the access token shows (the one page allowed to), the client secret and the
	// refresh token never do.
	checked := map[*page]bool{} // the /flow pages checked as they came
	check := func(p *page) {
		t.Helper()
		checkNoSecrets(t, s, p, refreshTokens)
		checked[p] = true
	}
	check(flowPage)
	if haveDB {
		if !strings.Contains(flowPage.Body, accessToken) {
			t.Error("/flow does not show the access token PrintShop holds; it is the one page meant to")
		}
		if r := found["token"]; !strings.Contains(r.Text, masked(refreshTokens[0])) {
			t.Errorf("the token response on /flow does not show the refresh token masked (%s); it shows:\n%s", masked(refreshTokens[0]), excerpt(r.Text))
		}
	}

	// 3. The decoded token names the key that verified it, one Accounts publishes.
	shown := flowAccessToken(flowPage.Body)
	if shown == "" {
		t.Fatalf("/flow's decoded token section shows no JWT:\n%s", excerpt(flowPage.Body))
	}
	if haveDB && shown != accessToken {
		t.Errorf("/flow decodes a token other than the one PrintShop holds")
	}
	verdict := verdictPattern.FindStringSubmatch(flowPage.Body)
	if verdict == nil || verdict[1] != "ok" {
		t.Fatalf("/flow's decoded token has no good verdict: %v", verdict)
	}
	m := verifiedByKey.FindStringSubmatch(textOf(verdict[2]))
	if m == nil {
		t.Fatalf("/flow's verdict does not name the key: %q", textOf(verdict[2]))
	}
	kids := jwksKids(t, s)
	if !slices.Contains(kids, m[1]) {
		t.Errorf("/flow says the token was verified by key %q; Accounts' JWKS has %q", m[1], kids)
	}
	if kid, _ := jwtHeader(t, shown)["kid"].(string); kid != m[1] {
		t.Errorf("/flow says key %q verified the token, whose header names kid %q", m[1], kid)
	}
	t.Logf("/flow: %s (JWKS kids %q)", m[0], kids)

	// 4. A refresh: its row is on the back channel, and the rotated refresh token stays masked.
	flowPage, added := b.runExperiment(s, "refresh")
	refresh := findStep(t, added, "the refresh", func(r flowStep) bool { return r.Kind == "refresh" })
	if refresh.Label != "back channel" || refresh.Channel != "back" || wireStatus(refresh) != "200" {
		t.Errorf("the refresh row is %v (data-channel %q); want a back-channel POST /token → 200", refresh, refresh.Channel)
	}
	if haveDB {
		conn, ok := printingConnection(t, s, "alice")
		if !ok {
			t.Fatal("PrintShop holds no tokens for alice after the refresh")
		}
		refreshTokens = append(refreshTokens, conn.RefreshToken)
	}
	check(flowPage)

	// 5. Disconnect: the revocation row, on the back channel.
	home := b.get(s.PrintURL + "/").ok(t)
	b.post(s.PrintURL+"/disconnect", url.Values{"csrf_token": {inputValue(t, home, "csrf_token")}}).redirect(t)
	flowPage, rows = b.openFlow(s)
	revoke := findStep(t, rows, "the revocation", func(r flowStep) bool { return r.Kind == "revoke" })
	if revoke.Label != "back channel" || revoke.Channel != "back" || !strings.HasPrefix(revoke.Wire, "POST /revoke") || wireStatus(revoke) != "200" {
		t.Errorf("the revocation row is %v (data-channel %q); want a back-channel POST /revoke → 200", revoke, revoke.Channel)
	}
	if !strings.HasPrefix(revoke.Title, "Revocation: PrintShop asks Accounts to end the grant") {
		t.Errorf("the revocation row's title is %q", revoke.Title)
	}
	if flowAccessToken(flowPage.Body) != "" {
		t.Error("/flow still decodes an access token after disconnecting")
	}
	check(flowPage)

	// Every other /flow this browser loaded (the experiment's before and after), none with a
	// secret, now that every refresh token of the test is known.
	flows := 0
	for _, p := range b.pagesFrom(s.PrintURL) {
		if p.URL.Path == "/flow" && !checked[p] {
			checkNoSecrets(t, s, p, refreshTokens)
		}
		if p.URL.Path == "/flow" {
			flows++
		}
	}
	t.Logf("checked %d /flow pages for the client secret and %d refresh tokens", flows, len(refreshTokens))
}

// TestExperimentTamper: the access token with photos.delete added to its payload, signature
// unchanged, gets 401 invalid_token from Photos (RFC 9068 §4, RFC 6750 §3.1).
func TestExperimentTamper(t *testing.T) {
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	b, _ := connectAlice(t, s)

	_, added := b.runExperiment(s, "tamper")
	call := findStep(t, added, "the tampered call to Photos", func(r flowStep) bool {
		return r.Kind == "experiment" && strings.HasPrefix(r.Wire, "GET /api/photos")
	})
	if wireStatus(call) != "401" || call.Label != "back channel" {
		t.Errorf("Photos answered the tampered token with %v; want a back-channel call answered 401", call)
	}
	if !strings.Contains(call.Text, `error="invalid_token"`) {
		t.Errorf("the tampered call's answer has no WWW-Authenticate error=\"invalid_token\":\n%s", excerpt(call.Text))
	}
	// What was sent: the real token's header and signature, the payload with photos.delete added.
	m := regexp.MustCompile(`Bearer ([A-Za-z0-9_.-]+)`).FindStringSubmatch(call.Text)
	if m == nil {
		t.Fatalf("the tampered call shows no bearer token:\n%s", excerpt(call.Text))
	}
	tampered := m[1]
	if scope, _ := jwtClaims(t, tampered)["scope"].(string); !slices.Contains(strings.Fields(scope), "photos.delete") {
		t.Errorf("the tampered token's scope is %q; want photos.delete added", scope)
	}
	if s.hasDatabase(t, "that the tampered token kept the real token's header and signature") {
		conn, _ := printingConnection(t, s, "alice")
		real := strings.Split(conn.AccessToken, ".")
		fake := strings.Split(tampered, ".")
		if len(real) != 3 || len(fake) != 3 || real[0] != fake[0] || real[2] != fake[2] || real[1] == fake[1] {
			t.Errorf("the tampered token should differ from PrintShop's only in its payload")
		}
	}
	out := outcomeOf(added)
	if !strings.HasPrefix(out.Outcome, "Expected 401 invalid_token — got 401 invalid_token") {
		t.Errorf("the tamper experiment's outcome is %q; want \"Expected 401 invalid_token — got 401 invalid_token…\"", out.Outcome)
	}
}

// TestExperimentTrunk: a DELETE with PrintShop's photos.read token gets 403 insufficient_scope
// (RFC 6750 §3.1), and the photo is still there.
func TestExperimentTrunk(t *testing.T) {
	s := startStack(t, stackOptions{})
	before, _ := libraryOf(t, s, "alice", "wonderland") // before the reset: see libraryOf
	resetUser(t, s, "alice", "wonderland")
	b, _ := connectAlice(t, s)

	_, added := b.runExperiment(s, "trunk")
	del := findStep(t, added, "the DELETE at Photos", func(r flowStep) bool {
		return r.Kind == "experiment" && strings.HasPrefix(r.Wire, "DELETE /api/photos/")
	})
	if wireStatus(del) != "403" || del.Label != "back channel" {
		t.Errorf("Photos answered the DELETE with %v; want a back-channel call answered 403", del)
	}
	if !strings.Contains(del.Text, `error="insufficient_scope"`) || !strings.Contains(del.Text, `scope="photos.delete"`) {
		t.Errorf("the DELETE's answer lacks error=\"insufficient_scope\" and scope=\"photos.delete\":\n%s", excerpt(del.Text))
	}
	out := outcomeOf(added)
	if !strings.HasPrefix(out.Outcome, "Expected 403 insufficient_scope — got 403 insufficient_scope") {
		t.Errorf("the trunk experiment's outcome is %q; want \"Expected 403 insufficient_scope — got 403 insufficient_scope…\"", out.Outcome)
	}

	// The photo is still there, seen with the test's own token.
	path := strings.Fields(strings.TrimPrefix(del.Wire, "DELETE "))[0]
	id := strings.TrimPrefix(path, "/api/photos/")
	after, tok := libraryOf(t, s, "alice", "wonderland")
	if !slices.ContainsFunc(after, func(p apiPhoto) bool { return p.ID == id }) {
		t.Errorf("photo %s is gone from alice's library after the trunk experiment", id)
	}
	if len(after) != len(before) {
		t.Errorf("alice had %d photos before the trunk experiment and %d after", len(before), len(after))
	}
	if resp, body := apiGet(t, s, tok.AccessToken, path); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s after the trunk experiment: %d %s; want 200, the photo untouched", path, resp.StatusCode, body)
	}
}

// TestExperimentReplay: the code PrintShop already redeemed, presented again, gets invalid_grant,
// and Accounts revokes the tokens issued from it (RFC 6749 §4.1.2, RFC 9700 §4.2.4): the refresh
// that follows fails, and PrintShop asks to reconnect.
func TestExperimentReplay(t *testing.T) {
	s := startStack(t, stackOptions{})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	resetUser(t, s, "alice", "wonderland")
	b, _ := connectAlice(t, s)
	flowPage, _ := b.openFlow(s)
	accessToken := flowAccessToken(flowPage.Body) // the access token issued from the code
	if accessToken == "" {
		t.Fatal("/flow shows no access token after connecting")
	}
	if !introspectActive(t, s, accessToken) {
		t.Fatal("Accounts says the fresh access token is not active")
	}

	_, added := b.runExperiment(s, "replay")
	replay := findStep(t, added, "the replayed code", func(r flowStep) bool {
		return r.Kind == "experiment" && strings.HasPrefix(r.Wire, "POST /token")
	})
	if wireStatus(replay) != "400" || !strings.Contains(replay.Text, "invalid_grant") || replay.Label != "back channel" {
		t.Errorf("Accounts answered the replayed code with %v; want a back-channel 400 invalid_grant:\n%s", replay, excerpt(replay.Text))
	}
	refresh := findStep(t, added, "the refresh after the replay", func(r flowStep) bool { return r.Kind == "refresh" })
	if wireStatus(refresh) != "400" || !strings.Contains(refresh.Text, "invalid_grant") {
		t.Errorf("the refresh after the replay is %v; want 400 invalid_grant, the grant revoked", refresh)
	}
	out := outcomeOf(added)
	if !strings.HasPrefix(out.Outcome, "Expected invalid_grant — got invalid_grant") {
		t.Errorf("the replay experiment's outcome is %q; want \"Expected invalid_grant — got invalid_grant…\"", out.Outcome)
	}
	if !strings.Contains(out.Outcome, "The refresh got invalid_grant: Accounts revoked the grant") {
		t.Errorf("the replay experiment's outcome does not say the grant was revoked: %q", out.Outcome)
	}

	// The tokens from that code are revoked at Accounts, and PrintShop knows it.
	if introspectActive(t, s, accessToken) {
		t.Error("Accounts still says the access token issued from the replayed code is active; RFC 6749 §4.1.2: it SHOULD revoke it")
	}
	checkLostAccess(t, b, s, alice)
}

// TestExperimentRefresh: "Refresh now" rotates both tokens (RFC 9700 §4.14.2), and the old
// refresh token is dead at Accounts.
func TestExperimentRefresh(t *testing.T) {
	s := startStack(t, stackOptions{})
	resetUser(t, s, "alice", "wonderland")
	b, _ := connectAlice(t, s)
	haveDB := s.hasDatabase(t, "the tokens before and after the refresh, and that the old refresh token is dead")
	var before connection
	if haveDB {
		before, _ = printingConnection(t, s, "alice")
	}

	flowPage, added := b.runExperiment(s, "refresh")
	refresh := findStep(t, added, "the refresh", func(r flowStep) bool { return r.Kind == "refresh" })
	if wireStatus(refresh) != "200" || refresh.Label != "back channel" {
		t.Errorf("the refresh row is %v; want a back-channel POST /token → 200", refresh)
	}
	out := outcomeOf(added)
	if !strings.HasPrefix(out.Outcome, "Expected a new access token and a new refresh token — got both.") {
		t.Errorf("the refresh experiment's outcome is %q; want \"Expected a new access token and a new refresh token — got both.…\"", out.Outcome)
	}
	if !haveDB {
		return
	}
	after, ok := printingConnection(t, s, "alice")
	if !ok {
		t.Fatal("PrintShop holds no tokens for alice after the refresh")
	}
	if after.AccessToken == before.AccessToken {
		t.Error("PrintShop's database holds the same access token after the refresh")
	}
	if after.RefreshToken == before.RefreshToken {
		t.Error("PrintShop's database holds the same refresh token after the refresh: Accounts did not rotate it (RFC 9700 §4.14.2)")
	}
	// The old and new tokens side by side, in the outcome's table.
	_, table, _ := strings.Cut(flowPage.Body, `<table class="compare">`)
	table, _, _ = strings.Cut(table, "</table>")
	for _, rt := range []string{before.RefreshToken, after.RefreshToken} {
		if !strings.Contains(html.UnescapeString(table), masked(rt)) {
			t.Errorf("the outcome's table does not show the refresh token %s masked:\n%s", masked(rt), table)
		}
	}
	checkNoSecrets(t, s, flowPage, []string{before.RefreshToken, after.RefreshToken})
	if shown := flowAccessToken(flowPage.Body); shown != after.AccessToken {
		t.Error("/flow does not decode the new access token after the refresh")
	}
	if resp, body := apiGet(t, s, after.AccessToken, "/api/photos"); resp.StatusCode != http.StatusOK {
		t.Errorf("the new access token at Photos: %d %s; want 200", resp.StatusCode, body)
	}

	// Last, since it costs the grant: the old refresh token is dead. Presenting a rotated-out
	// refresh token is taken as theft, and Accounts revokes the whole grant (RFC 9700 §4.14.2),
	// so the new one dies with it.
	if status, code := tokenEndpoint(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {before.RefreshToken}}); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("the rotated-out refresh token at /token: got %d %q, want 400 invalid_grant", status, code)
	}
	if status, code := tokenEndpoint(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {after.RefreshToken}}); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Errorf("after the rotated-out refresh token was presented, the new one at /token: got %d %q, want 400 invalid_grant (the whole grant revoked, RFC 9700 §4.14.2)", status, code)
	}
}

// TestExperimentRevokeJWT: revoked at Accounts' /account, the access token PrintShop holds still
// opens Photos, which checks a JWT on its own until exp; the refresh then gets invalid_grant and
// PrintShop asks to reconnect (RFC 7009, RFC 9068).
func TestExperimentRevokeJWT(t *testing.T) {
	testExperimentRevoke(t, "jwt")
}

// TestExperimentRevokeIntrospect: with PHOTOS_TOKEN_CHECK=introspect, Photos asks Accounts
// (RFC 7662), so the revoked grant's access token gets 401 at once.
func TestExperimentRevokeIntrospect(t *testing.T) {
	testExperimentRevoke(t, "introspect")
}

// introspectionCache is how long Photos may remember Accounts' answer about a token
// (photos/internal/access.IntrospectionTTL; the README: "at most 5 seconds").
const introspectionCache = 5 * time.Second

func testExperimentRevoke(t *testing.T, tokenCheck string) {
	s := startStack(t, stackOptions{TokenCheck: tokenCheck})
	alice, _ := libraryOf(t, s, "alice", "wonderland")
	resetUser(t, s, "alice", "wonderland")
	b, _ := connectAlice(t, s)
	galleryLoaded := time.Now() // Photos last saw the token here

	// Revoke PrintShop at Accounts' /account, in the same cookie jar: signed in there already.
	account := b.get(s.AuthURL + "/account").ok(t)
	if account.URL.Path != "/account" || !listsClient(account.Body, "printing") {
		t.Fatalf("Accounts' /account does not list PrintShop after connecting:\n%s", excerpt(account.Body))
	}
	to := b.post(s.AuthURL+"/account/revoke", url.Values{
		"csrf_token": {inputValue(t, account, "csrf_token")},
		"client_id":  {"printing"},
	}).redirect(t)
	if account = b.get(to.String()).ok(t); listsClient(account.Body, "printing") {
		t.Fatalf("Accounts still lists PrintShop after Revoke:\n%s", excerpt(account.Body))
	}

	if tokenCheck == "introspect" {
		// Photos may remember that the token was active for a few seconds after the gallery;
		// a class takes longer than that to find the button.
		if wait := time.Until(galleryLoaded.Add(introspectionCache + 500*time.Millisecond)); wait > 0 {
			t.Logf("waiting %s: Photos remembers an introspection answer for up to %s", wait.Round(100*time.Millisecond), introspectionCache)
			time.Sleep(wait)
		}
	}

	_, added := b.runExperiment(s, "revoke")
	call := findStep(t, added, "the call to Photos with the token PrintShop held", func(r flowStep) bool {
		return r.Kind == "experiment" && strings.HasPrefix(r.Wire, "GET /api/photos")
	})
	refresh := findStep(t, added, "the refresh after the revocation", func(r flowStep) bool { return r.Kind == "refresh" })
	out := outcomeOf(added)
	switch tokenCheck {
	case "jwt":
		if wireStatus(call) != "200" {
			t.Errorf("PHOTOS_TOKEN_CHECK=jwt: Photos answered the revoked grant's access token with %v; want 200, the JWT checked on its own until exp", call)
		}
		if !strings.HasPrefix(out.Outcome, "Photos still answered 200 OK to the access token PrintShop held") {
			t.Errorf("the revoke experiment's outcome is %q; want \"Photos still answered 200 OK…\"", out.Outcome)
		}
	case "introspect":
		if wireStatus(call) != "401" || !strings.Contains(call.Text, `error="invalid_token"`) {
			t.Errorf("PHOTOS_TOKEN_CHECK=introspect: Photos answered the revoked grant's access token with %v; want 401 invalid_token at once", call)
		}
		if !strings.HasPrefix(out.Outcome, "Photos answered 401 invalid_token at once") {
			t.Errorf("the revoke experiment's outcome is %q; want \"Photos answered 401 invalid_token at once…\"", out.Outcome)
		}
	}
	if wireStatus(refresh) != "400" || !strings.Contains(refresh.Text, "invalid_grant") || refresh.Label != "back channel" {
		t.Errorf("the refresh after the revocation is %v; want a back-channel 400 invalid_grant", refresh)
	}
	if !strings.Contains(out.Outcome, "The refresh then got invalid_grant") {
		t.Errorf("the revoke experiment's outcome does not say the refresh got invalid_grant: %q", out.Outcome)
	}
	checkLostAccess(t, b, s, alice)
}
