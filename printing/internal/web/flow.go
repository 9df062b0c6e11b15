package web

// The walkthrough, /flow: the signed-in user's latest flow drawn as a sequence diagram from the
// events PrintShop recorded (package flow), each step with its real request and response, and
// the access token PrintShop holds, decoded (RFC 9068) and checked against Accounts' published
// keys (RFC 7515, RFC 7517). This is the one page that shows a token (contract: "Tokens never
// reach the browser ... The one exception is /flow"); the client secret and refresh tokens were
// masked before they were stored, and stay masked here.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// laneInfo is one participant of the diagram, a column.
type laneInfo struct {
	Lane flow.Lane
	Name string // the RFC 6749 role's holder, as the learner knows it
	Role string // the RFC 6749 role
}

// lanes are the diagram's columns, left to right. The browser stands between PrintShop and
// Accounts because every front-channel message passes through it (RFC 6749 §4.1, steps A and
// C): drawn there, a redirect is two short arrows through the browser, and the sign-in and the
// consent are drawn between the browser and Accounts alone, never across PrintShop's lane.
// Photos sits beside PrintShop, the only one that calls it. Back-channel arrows between
// PrintShop and Accounts pass over the browser's lifeline without stopping: it never sees them.
var lanes = []laneInfo{
	{flow.Photos, "Photos", "resource server"},
	{flow.PrintShop, "PrintShop", "client"},
	{flow.Browser, "Your browser", "user agent"},
	{flow.Accounts, "Accounts", "authorization server"},
}

func laneIndex(l flow.Lane) int {
	if l == flow.Attacker {
		return len(lanes) // the attack lab's fifth lane, right of Accounts (lanesFor)
	}
	return slices.IndexFunc(lanes, func(li laneInfo) bool { return li.Lane == l })
}

func laneName(l flow.Lane) string {
	if l == flow.Attacker {
		return attackerLane.Name
	}
	if i := laneIndex(l); i >= 0 {
		return lanes[i].Name
	}
	if l == "" {
		return "?"
	}
	return string(l)
}

// collapseAfter is the longest run of consecutive Photos calls drawn row by row; a longer run
// (a gallery loading its thumbnails) becomes one row, so the diagram stays readable.
const collapseAfter = 2

// flowPage is what flow.html shows.
type flowPage struct {
	HasFlow    bool
	Started    time.Time
	Lanes      []laneInfo
	Steps      []stepView
	Token      *tokenView // nil when PrintShop holds no token for the user
	AccountURL string     // Accounts' page of connected apps, on its public URL
	Connected  bool       // PrintShop holds a usable key: the experiments can run
	LostReason string     // why Accounts stopped honouring PrintShop's key, if it did
}

// stepView is one row of the diagram: one recorded event, or a run of Photos calls.
type stepView struct {
	ID           string // the row's anchor
	Number       int
	Kind         string
	Title        string
	Channel      string      // as recorded: "front", "back", or another value
	Class        string      // how the row is drawn: the channel, or "note" for a step on one lane
	ChannelLabel string      // "front channel" or "back channel": never colour alone
	From, To     string      // lane names
	Route        string      // "PrintShop → Accounts", or "at PrintShop" for a note
	Arrows       []arrowView // one per hop: two for a redirect through the browser; none when a lane is unknown
	Refused      string      // the check that refused this request, or "": the row is drawn in red
	Clock        string      // when, on PrintShop's clock
	Wire         string      // "GET /authorize → 303": the request at a glance
	Note         string
	Experiment   bool
	Request      *messageView
	Response     *messageView
	Compare      [][3]string // rows of (what, before, after), side by side
	Address      string      // a back-channel address that is not the public one, explained
	Reconnect    bool        // the last row, when PrintShop holds no usable key: offer to connect again
	Calls        []stepView  // the calls of a collapsed run
	Statuses     string      // a collapsed run's answers: "8 × 200"
}

// arrowView is one arrow of a row, placed with CSS classes, and its label.
type arrowView struct {
	Class string
	Label string
}

// messageView is a request or response laid out to read: every parameter explained.
type messageView struct {
	Heading    string
	Method     string
	Endpoint   string // the URL without its query, which is listed in Params
	Status     int
	StatusText string
	Params     []paramView
	Headers    []paramView
	Form       []paramView
	Fields     []paramView
	Body       string
	Proof      *proofView // the DPoP header, decoded
}

// paramView is one parameter, header or field, with its one-line meaning.
type paramView struct {
	Name, Value, Meaning string
}

// handleFlow shows the user's latest flow and the access token PrintShop holds for them.
func handleFlow(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		started, events, err := a.store.Flow(ctx, sess.Username)
		if err != nil {
			return err
		}
		data := flowPage{HasFlow: len(events) > 0, Started: started, Lanes: lanesFor(events), Steps: buildSteps(events),
			AccountURL: a.oauth.Issuer() + "/account"}
		for i := range data.Steps {
			data.Steps[i].Address = addressNote(data.Steps[i], a.oauth.Issuer())
		}
		conn, err := a.store.Connection(ctx, sess.Username)
		switch {
		case err == nil:
			data.Token = a.decodeToken(ctx, conn)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		// Without a usable key the experiments cannot run: the last row offers to connect
		// again, and to come back here.
		data.Connected = err == nil && conn.Connected()
		if !data.Connected && len(data.Steps) > 0 {
			data.Steps[len(data.Steps)-1].Reconnect = true
		}
		if err == nil {
			data.LostReason = conn.LostReason
		}
		return a.pages.render(c, http.StatusOK, "flow.html", pageData{Title: "What really happened", User: sess.Username,
			CSRFToken: sess.CSRFToken, Notice: takeNotice(c, a.sessions.secure), Data: data})
	}
}

// buildSteps turns the recorded events into rows, collapsing long runs of Photos calls.
func buildSteps(events []flow.Event) []stepView {
	var steps []stepView
	for i := 0; i < len(events); {
		j := i
		for j < len(events) && events[j].Kind == "photos" {
			j++
		}
		if j-i > collapseAfter {
			steps = append(steps, photosRun(events[i:j]))
			i = j
			continue
		}
		steps = append(steps, stepOf(events[i]))
		i++
	}
	for i := range steps {
		steps[i].Number = i + 1
		steps[i].ID = fmt.Sprintf("step-%d", i+1)
	}
	if len(steps) > 0 {
		steps[len(steps)-1].ID = "latest" // experiments can send the browser to /flow#latest
	}
	return steps
}

func stepOf(e flow.Event) stepView {
	s := stepView{
		Kind: e.Kind, Title: e.Title, Channel: string(e.Channel), Class: string(e.Channel), ChannelLabel: channelLabel(e.Channel),
		From: laneName(e.From), To: laneName(e.To),
		Note: e.Note, Experiment: e.Kind == "experiment", Wire: wire(e), Refused: refusal(e), Compare: e.Compare,
	}
	s.Route = s.From + " → " + s.To
	s.Arrows = arrows(e, s.ChannelLabel)
	if hops := frontChannelHops(e.Channel, e.From, e.To); len(hops) == 2 {
		s.Route = s.From + " → " + laneName(flow.Browser) + " → " + s.To
	}
	if e.From == e.To && e.Request.Method == "" && e.Request.URL == "" {
		// Nothing crossed the wire: a conclusion PrintShop drew on its own lane. Draw a mark on
		// the lane, not an arrow, and do not claim a channel.
		s.Class, s.ChannelLabel, s.Route = "note", "no message", "at "+s.From
		s.Arrows = nil
		if i := laneIndex(e.From); i >= 0 {
			s.Arrows = []arrowView{{Class: fmt.Sprintf("mark lo-%d", i), Label: s.Route}}
		}
	}
	if e.From == flow.Attacker || e.To == flow.Attacker {
		s.Class += " attack" // drawn in red: the attack lab's fifth lane
	}
	if s.Title == "" {
		s.Title = e.Kind
	}
	if !e.At.IsZero() {
		s.Clock = e.At.UTC().Format("15:04:05")
	}
	if e.Request.Method != "" || e.Request.URL != "" || len(e.Request.Headers) > 0 || e.Request.Body != "" {
		s.Request = requestView(e.Request)
	}
	if e.Response.Status != 0 || len(e.Response.Headers) > 0 || e.Response.Body != "" {
		s.Response = responseView(e.Response)
	}
	return s
}

// photosRun is one row for many Photos calls, each still there to open.
func photosRun(run []flow.Event) stepView {
	first := stepOf(run[0])
	s := stepView{Kind: "photos", Title: fmt.Sprintf("%d Photos API calls, each with the access token", len(run)),
		Channel: first.Channel, Class: first.Class, ChannelLabel: first.ChannelLabel, From: first.From, To: first.To,
		Route: first.Route, Arrows: first.Arrows, Clock: first.Clock}
	counts := map[string]int{}
	var order []string
	for _, e := range run {
		call := stepOf(e)
		s.Calls = append(s.Calls, call)
		status := "no answer"
		if e.Response.Status != 0 {
			status = fmt.Sprint(e.Response.Status)
		}
		if counts[status] == 0 {
			order = append(order, status)
		}
		counts[status]++
	}
	var parts []string
	for _, status := range order {
		parts = append(parts, fmt.Sprintf("%d × %s", counts[status], status))
	}
	s.Statuses = strings.Join(parts, ", ")
	s.Wire = "answers: " + s.Statuses
	for _, call := range s.Calls {
		if call.Refused != "" {
			s.Refused = call.Refused
		}
	}
	return s
}

func channelLabel(c flow.Channel) string {
	switch c {
	case flow.Front:
		return "front channel"
	case flow.Back:
		return "back channel"
	case "":
		return "channel not recorded"
	}
	return string(c) + " channel"
}

// arrows draws a step: one arrow from lane to lane, or, for a front-channel message between
// two servers, two arrows through the browser: the redirect, and the request the browser makes.
func arrows(e flow.Event, channelLabel string) []arrowView {
	hops := frontChannelHops(e.Channel, e.From, e.To)
	if len(hops) == 1 {
		if class := arrowClasses(e.From, e.To); class != "" {
			return []arrowView{{Class: class, Label: channelLabel}}
		}
		return nil
	}
	request := "GET"
	if u, err := url.Parse(e.Request.URL); err == nil && e.Request.URL != "" {
		request = "GET " + u.EscapedPath()
	}
	redirect, follow := arrowClasses(hops[0][0], hops[0][1]), arrowClasses(hops[1][0], hops[1][1])
	if redirect == "" || follow == "" {
		return nil // a lane the diagram does not have
	}
	return []arrowView{{Class: redirect, Label: "redirect"}, {Class: follow, Label: request}}
}

// arrowClasses places the arrow between two lanes with CSS classes (the CSP allows no inline
// styles): lo-N starts it at lane N's centre, len-N spans N lanes, ltr or rtl points it.
func arrowClasses(from, to flow.Lane) string {
	f, t := laneIndex(from), laneIndex(to)
	switch {
	case f < 0 || t < 0:
		return ""
	case f == t:
		return fmt.Sprintf("self lo-%d", f)
	case f < t:
		return fmt.Sprintf("lo-%d len-%d ltr", f, t-f)
	}
	return fmt.Sprintf("lo-%d len-%d rtl", t, f-t)
}

// wire sums up a step's request: method, path and answer.
func wire(e flow.Event) string {
	var parts []string
	if e.Request.Method != "" {
		parts = append(parts, e.Request.Method)
	}
	if u, err := url.Parse(e.Request.URL); err == nil && e.Request.URL != "" {
		parts = append(parts, u.EscapedPath())
	}
	if e.Response.Status != 0 {
		parts = append(parts, "→", fmt.Sprint(e.Response.Status))
	}
	return strings.Join(parts, " ")
}

func requestView(m flow.Message) *messageView {
	v := &messageView{Heading: "Request", Method: m.Method, Endpoint: m.URL}
	if u, err := url.Parse(m.URL); err == nil && u.RawQuery != "" {
		v.Params = orderedParams(u.RawQuery)
		u.RawQuery, u.Fragment = "", ""
		v.Endpoint = u.String()
	}
	v.Headers = headerViews(m.Headers)
	v.Proof = decodeProof(m.Headers)
	body := strings.TrimSpace(m.Body)
	if body != "" && hasHeader(m.Headers, "Content-Type", "application/x-www-form-urlencoded") {
		v.Form = orderedParams(body)
	} else {
		v.Fields, v.Body = bodyViews(body)
	}
	return v
}

func responseView(m flow.Message) *messageView {
	v := &messageView{Heading: "Response", Status: m.Status, StatusText: http.StatusText(m.Status)}
	if m.Status == 0 {
		v.StatusText = "no answer"
	}
	v.Headers = headerViews(m.Headers)
	v.Fields, v.Body = bodyViews(strings.TrimSpace(m.Body))
	return v
}

func hasHeader(headers [][2]string, name, mediaType string) bool {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) && strings.HasPrefix(strings.ToLower(h[1]), mediaType) {
			return true
		}
	}
	return false
}

// orderedParams lists a query or form's parameters in the order they were sent.
func orderedParams(raw string) []paramView {
	var out []paramView
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		value = keepMasked(name, value)
		out = append(out, paramView{Name: name, Value: value, Meaning: explainParam(name, value)})
	}
	return out
}

func headerViews(headers [][2]string) []paramView {
	var out []paramView
	for _, h := range headers {
		value := h[1]
		if strings.EqualFold(h[0], "Authorization") && strings.HasPrefix(strings.ToLower(value), "basic ") && !strings.Contains(value, "••••••") {
			value = "Basic ••••••" // the recorder masks it; never show a secret if it did not
		}
		if strings.EqualFold(h[0], "Location") {
			value = maskURL(value)
		}
		out = append(out, paramView{Name: h[0], Value: value, Meaning: explainHeader(h[0], value)})
	}
	return out
}

// bodyViews pretty-prints a JSON body and explains its top-level fields; any other body is
// shown as it came.
func bodyViews(body string) ([]paramView, string) {
	if body == "" || !json.Valid([]byte(body)) {
		return nil, body
	}
	var obj map[string]any
	if json.Unmarshal([]byte(body), &obj) == nil {
		masked := false
		for name, v := range obj {
			if s, ok := v.(string); ok && keepMasked(name, s) != s {
				obj[name], masked = keepMasked(name, s), true
			}
		}
		if masked {
			data, _ := json.Marshal(obj)
			body = string(data)
		}
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(body), "", "  "); err != nil {
		return nil, body
	}
	return jsonFields(body), pretty.String()
}

// maxFieldValue is the longest value the table of a body's fields shows whole.
const maxFieldValue = 120

// jsonFields lists a JSON object's top-level fields in the order they were sent.
func jsonFields(body string) []paramView {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []paramView
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		name, _ := tok.(string)
		var value any
		if err := dec.Decode(&value); err != nil {
			return out
		}
		shown := shortValue(value)
		meaning := explainParam(name, shown)
		if len(shown) > maxFieldValue {
			// A token in full is in the body just below; here it would be a wall of letters.
			shown = strings.ToValidUTF8(shown[:maxFieldValue/2], "") + "… (in full in the body below)"
		}
		out = append(out, paramView{Name: name, Value: shown, Meaning: meaning})
	}
	return out
}

// shortValue shows a field's value on one line: lists of words joined, larger things counted.
func shortValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var words []string
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return fmt.Sprintf("[%d items]", len(v))
			}
			words = append(words, s)
		}
		return strings.Join(words, ", ")
	case map[string]any:
		return fmt.Sprintf("{%d fields}", len(v))
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

func keepMasked(name, value string) string {
	// The recorder masked secrets before storing; this is the second lock on the same door.
	if !flow.IsSecret(name) || value == "••••••" || strings.HasSuffix(value, "…(masked)") {
		return value
	}
	return flow.Mask(value)
}

func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	changed := false
	for name, vs := range q {
		for i, v := range vs {
			if m := keepMasked(name, v); m != v {
				vs[i], changed = m, true
			}
		}
	}
	if !changed {
		return raw
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// paramMeanings explains, in one line, each parameter and field a learner meets in the flow.
var paramMeanings = map[string]string{
	// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3).
	"response_type":         "What PrintShop asks for: an authorization code, to swap later over the back channel (RFC 6749 §4.1.1).",
	"client_id":             "Who is asking: PrintShop's registration at Accounts.",
	"redirect_uri":          "Where Accounts must send your browser back; it must match PrintShop's registration exactly.",
	"scope":                 "What the valet key should open: photos.read lets PrintShop look at photos, not change or delete them.",
	"state":                 "A random value tied to your browser session; the answer must bring it back, so nobody can slip you their own answer (CSRF, RFC 6749 §10.12).",
	"code_challenge":        "The SHA-256 hash of PKCE's secret verifier. The verifier itself stays at PrintShop until the token request (RFC 7636).",
	"code_challenge_method": "S256: the challenge is BASE64URL(SHA-256(code_verifier)), so seeing it does not reveal the verifier.",
	"nonce":                 "OpenID Connect: a random value the ID token must carry back, against replayed ID tokens.",
	"prompt":                "Whether Accounts should ask you to sign in or consent again.",
	// The answer (RFC 6749 §4.1.2, RFC 9207).
	"code":              "The authorization code: the room key card. Short-lived and single use, and worthless without PrintShop's secret and PKCE verifier.",
	"iss":               "Who answered: must equal the issuer PrintShop sent you to, or PrintShop refuses it (RFC 9207, against mix-up attacks).",
	"error":             "What went wrong, as an OAuth error code.",
	"error_description": "What went wrong, in words for the developer.",
	"error_uri":         "A page about the error.",
	// The token request (RFC 6749 §4.1.3, §6) and revocation (RFC 7009).
	"grant_type":      "Which swap PrintShop asks for at the token endpoint.",
	"code_verifier":   "PKCE's secret: Accounts hashes it and compares with the code_challenge, so only the client that started the flow can redeem the code.",
	"refresh_token":   "The long-lived key that gets new access tokens without asking you again. Masked here: PrintShop never shows it.",
	"client_secret":   "PrintShop's password at Accounts. Masked: it never leaves the back channel.",
	"token":           "The token PrintShop asks Accounts to revoke.",
	"token_type_hint": "Which kind of token it is, so Accounts looks in the right place (RFC 7009 §2.1).",
	// The token response (RFC 6749 §5.1).
	"access_token": "The valet key itself. PrintShop sends it to Photos in the Authorization header.",
	"token_type":   "Bearer: whoever holds the token can use it, so it must never leak (RFC 6750). DPoP: it works only with proofs signed by PrintShop's key (RFC 9449 §5).",
	"expires_in":   "Seconds until the access token stops working.",
	"id_token":     "OpenID Connect's proof of who signed in, meant for the client. PrintShop does not ask for one.",
	// Accounts' metadata (RFC 8414).
	"issuer":                                         "Accounts' identifier. It must be exactly the issuer PrintShop expects, or the metadata is not used (RFC 8414 §3.3).",
	"authorization_endpoint":                         "Where PrintShop sends your browser to ask you: the front channel.",
	"token_endpoint":                                 "Where PrintShop swaps the code for tokens: the back channel.",
	"revocation_endpoint":                            "Where PrintShop gives a key back when you disconnect (RFC 7009).",
	"introspection_endpoint":                         "Where an authenticated client or resource server may ask whether a token is still good (RFC 7662).",
	"jwks_uri":                                       "Accounts' public keys, to check the signature on its tokens.",
	"userinfo_endpoint":                              "OpenID Connect: who the signed-in user is, for a token that carries openid.",
	"registration_endpoint":                          "Where clients may register themselves.",
	"scopes_supported":                               "The scopes Accounts knows.",
	"response_types_supported":                       "The kinds of authorization answer Accounts gives: code.",
	"response_modes_supported":                       "How the answer travels back to the client.",
	"grant_types_supported":                          "The swaps the token endpoint does. Never password or implicit.",
	"code_challenge_methods_supported":               "The PKCE methods Accounts takes; PrintShop will not go on without S256.",
	"token_endpoint_auth_methods_supported":          "How a client may prove who it is at the token endpoint.",
	"revocation_endpoint_auth_methods_supported":     "How a client may prove who it is when revoking.",
	"introspection_endpoint_auth_methods_supported":  "How a caller may prove who it is when introspecting.",
	"authorization_response_iss_parameter_supported": "Accounts adds iss to every answer, so PrintShop can check who answered (RFC 9207).",
	"id_token_signing_alg_values_supported":          "OpenID Connect: how ID tokens are signed.",
	"subject_types_supported":                        "OpenID Connect: whether sub is the same for every client.",
	"claims_supported":                               "OpenID Connect: the claims Accounts can tell about a user.",
	// Photos' answers and introspection.
	"photos": "Your photos: the protected resource, as far as the token opens it.",
	"active": "Whether Accounts still honours the token (RFC 7662).",
}

// grantTypes and errorCodes explain the values that change a parameter's meaning.
var grantTypes = map[string]string{
	"authorization_code": "the code from the front channel, for tokens (RFC 6749 §4.1.3).",
	"refresh_token":      "the refresh token, for a new access token (RFC 6749 §6).",
	"client_credentials": "the client acting for itself, with no user (RFC 6749 §4.4).",
}

var errorCodes = map[string]string{
	"invalid_request":         "the request is malformed.",
	"invalid_client":          "the client could not prove who it is.",
	"invalid_grant":           "the code or refresh token is not (or no longer) good: used, revoked or expired.",
	"unauthorized_client":     "this client may not use this kind of request.",
	"unsupported_grant_type":  "the token endpoint does not do this swap.",
	"invalid_scope":           "a scope is unknown, or not allowed for this client.",
	"access_denied":           "you said no.",
	"invalid_token":           "the access token is not good: forged, altered, expired or revoked (RFC 6750 §3.1).",
	"invalid_dpop_proof":      "the DPoP proof failed a check: the description names it (RFC 9449 §5, §7.1).",
	"use_dpop_nonce":          "the server wants its nonce in the proof: PrintShop signs the request again with the one in DPoP-Nonce (RFC 9449 §8).",
	"insufficient_scope":      "the token is good, but does not open this (RFC 6750 §3.1).",
	"server_error":            "the server hit an internal error.",
	"temporarily_unavailable": "the server is overloaded or down for maintenance.",
}

func explainParam(name, value string) string {
	meaning := paramMeanings[name]
	switch name {
	case "grant_type":
		if g := grantTypes[value]; g != "" {
			meaning = "Which swap PrintShop asks for: " + g
		}
	case "error":
		if e := errorCodes[value]; e != "" {
			meaning = "What went wrong: " + e
		}
	}
	return meaning
}

func explainHeader(name, value string) string {
	lower := strings.ToLower(value)
	switch strings.ToLower(name) {
	case "authorization":
		if strings.HasPrefix(lower, "basic ") {
			return "PrintShop proves who it is to Accounts: its client id and secret (the secret is masked here; RFC 6749 §2.3.1)."
		}
		if strings.HasPrefix(lower, "dpop ") {
			return "The access token, under the DPoP scheme: it is bound to PrintShop's key, and works only with the proof beside it (RFC 9449 §7.1)."
		}
		return "The access token, as a bearer token: whoever holds it may use it (RFC 6750 §2.1). Here it is shown; in logs it must never be."
	case "dpop":
		return "A DPoP proof: a JWT signed with PrintShop's private key for this one request. Decoded below (RFC 9449 §4)."
	case "dpop-nonce":
		return "A nonce from the server: PrintShop puts it in its next proofs, so no proof can be made ahead of time (RFC 9449 §8)."
	case "content-type":
		return "The format of the body."
	case "cache-control":
		if strings.Contains(lower, "no-store") {
			return "no-store: nothing between the two may keep a copy of the tokens (RFC 6749 §5.1)."
		}
		return "Whether the answer may be cached."
	case "www-authenticate":
		if strings.HasPrefix(lower, "basic") {
			return "Accounts asks the client to authenticate (RFC 6749 §5.2)."
		}
		return "Why Photos refused the token, and what it would need (RFC 6750 §3)."
	case "location":
		return "Where the browser is sent next. Redirects like this one are how the front channel carries messages."
	}
	return ""
}

// tokenView is the access token PrintShop holds, decoded.
type tokenView struct {
	Raw          string
	JWT          bool
	DecodeError  string // set when the token looks like a JWT but cannot be read
	HeaderPart   string // the three base64url parts, to colour them apart
	PayloadPart  string
	Signature    string
	Header       []claimView
	Claims       []claimView
	Scope        []string
	ExpiresAt    string
	SecondsLeft  int64
	Expired      bool
	Verified     bool
	Verification string // which key verified it, or why it could not be checked
	LostReason   string
	JKT          string // cnf.jkt: the thumbprint of the DPoP key the token is bound to (RFC 9449 §6)
	KeyMatches   bool   // JKT is the thumbprint of the key PrintShop keeps with the tokens
}

// claimView is one header parameter or claim: its value, its time if it is one, and its meaning.
type claimView struct {
	Name, Value, When, Meaning string
	Countdown                  bool  // exp: show the seconds left next to it
	SecondsLeft                int64 // for the countdown
}

// headerOrder and claimOrder are the order of the tables; anything else follows, sorted.
var (
	headerOrder = []string{"typ", "alg", "kid"}
	claimOrder  = []string{"iss", "sub", "aud", "client_id", "scope", "exp", "iat", "nbf", "auth_time", "jti"}
)

var headerMeanings = map[string]string{
	"typ": "at+jwt: this is an access token (RFC 9068). An ID token says JWT, and Photos must refuse one.",
	"alg": "How Accounts signed it. Photos takes the algorithm from Accounts' key, never from the token (RFC 8725 §3.1).",
	"kid": "Which of Accounts' keys signed it: the key with this id in Accounts' JWKS.",
}

var claimMeanings = map[string]string{
	"iss":       "Who vouches for the key: Accounts, the issuer. Photos accepts tokens from this issuer only.",
	"sub":       "Whose photos it opens: the resource owner, as Accounts knows them.",
	"aud":       "Which door it opens: Photos. Any other resource server must refuse it.",
	"client_id": "Who was given the key: PrintShop.",
	"scope":     "What the valet key opens: with photos.read PrintShop may look, not upload or delete.",
	"exp":       "When it stops working. Then PrintShop uses its refresh token to get a new one.",
	"iat":       "When Accounts issued it.",
	"nbf":       "Not before: it does not work before this time.",
	"auth_time": "When you last signed in at Accounts.",
	"jti":       "This token's unique id, so that one token can be told from another (and refused, once revoked).",
	"cnf":       "Confirmation (RFC 7800): jkt, the thumbprint of the key the token is bound to. Photos asks every request for a proof signed by that key (RFC 9449 §6).",
	"azp":       "The client the token was issued to (OpenID Connect).",
	"name":      "Your name, for a client granted profile (OpenID Connect).",
}

var timeClaims = map[string]bool{"exp": true, "iat": true, "nbf": true, "auth_time": true}

// decodeToken decodes the connection's access token and checks its signature with Accounts'
// keys. A token that is not a JWT is opaque: only Accounts can say what it means.
func (a *app) decodeToken(ctx context.Context, conn store.Connection) *tokenView {
	now := a.now()
	v := &tokenView{Raw: conn.AccessToken, Scope: conn.Scope, LostReason: conn.LostReason}
	expires := conn.ExpiresAt
	parts := strings.Split(conn.AccessToken, ".")
	if len(parts) == 3 {
		v.HeaderPart, v.PayloadPart, v.Signature = parts[0], parts[1], parts[2]
		header, herr := decodeSegment(parts[0])
		payload, perr := decodeSegment(parts[1])
		if herr != nil || perr != nil {
			v.DecodeError = "It has three parts like a JWT, but they are not base64url-encoded JSON, so it cannot be decoded."
		} else {
			v.JWT = true
			v.Header = claimViews(header, headerOrder, headerMeanings)
			v.Claims = claimViews(payload, claimOrder, claimMeanings)
			if exp, ok := payload["exp"].(json.Number); ok {
				if n, err := exp.Int64(); err == nil {
					expires = time.Unix(n, 0)
				}
			}
			if s, ok := payload["scope"].(string); ok {
				v.Scope = strings.Fields(s)
			}
			v.JKT, v.KeyMatches = boundKey(payload, conn.DPoPKey)
			alg, _ := header["alg"].(string)
			kid, _ := header["kid"].(string)
			v.Verified, v.Verification = a.verifyToken(ctx, conn.AccessToken, kid, alg)
		}
	}
	v.ExpiresAt = expires.UTC().Format("15:04:05 UTC, 2 January 2006")
	v.SecondsLeft = int64(expires.Sub(now) / time.Second)
	v.Expired = v.SecondsLeft <= 0
	for i := range v.Claims {
		v.Claims[i].SecondsLeft = v.SecondsLeft
	}
	return v
}

func decodeSegment(segment string) (map[string]any, error) {
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func claimViews(m map[string]any, order []string, meanings map[string]string) []claimView {
	names := make([]string, 0, len(m))
	for name := range m {
		if !slices.Contains(order, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []claimView
	for _, name := range append(slices.Clone(order), names...) {
		value, ok := m[name]
		if !ok {
			continue
		}
		c := claimView{Name: name, Value: shortValue(value), Meaning: meanings[name], Countdown: name == "exp"}
		if n, ok := value.(json.Number); ok && timeClaims[name] {
			if secs, err := n.Int64(); err == nil {
				c.When = time.Unix(secs, 0).UTC().Format("15:04:05 UTC, 2 January 2006")
			}
		}
		out = append(out, c)
	}
	return out
}

// jwksTimeout bounds the JWKS fetch: the page must not hang when Accounts does.
const jwksTimeout = 3 * time.Second

// verifyToken checks the token's signature with the key Accounts publishes under its kid, as
// Photos does: the algorithm comes from the key, never from the token (RFC 8725 §3.1).
func (a *app) verifyToken(ctx context.Context, token, kid, alg string) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	set, err := a.oauth.JWKS(ctx)
	if err != nil {
		return false, "PrintShop could not fetch the keys from Accounts (" + err.Error() + "), so the signature was not checked here. Photos needs the same keys: while Accounts is down, Photos can check only tokens whose key it already holds."
	}
	if kid == "" {
		return false, "The token names no key (no kid), so it cannot be matched with a key in Accounts' JWKS."
	}
	key, ok := set.LookupKeyID(kid)
	if !ok {
		return false, fmt.Sprintf("Accounts' JWKS has no key %q: this token was not signed by any key Accounts publishes now.", kid)
	}
	keyAlg := key.Algorithm().String()
	if keyAlg == "" {
		keyAlg = alg
	} else if keyAlg != alg {
		return false, fmt.Sprintf("The token says alg %s, but key %s is for %s: refused, the algorithm comes from the key.", alg, kid, keyAlg)
	}
	if _, err := jws.Verify([]byte(token), jws.WithKey(jwa.SignatureAlgorithm(keyAlg), key)); err != nil {
		return false, fmt.Sprintf("The signature does NOT verify with key %s (%s): the token was changed after Accounts signed it, or someone else signed it. Photos refuses it.", kid, keyAlg)
	}
	return true, fmt.Sprintf("verified by key %s (%s)", kid, keyAlg)
}
