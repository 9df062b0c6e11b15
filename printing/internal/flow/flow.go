// Package flow records what really crossed the wire during a user's OAuth flow, so that /flow
// can draw it: every front-channel redirect PrintShop sent or received, and every back-channel
// request it made to Accounts and Photos, with the answers.
//
// Secrets are masked before anything is stored: the client secret never, and refresh tokens
// only by their first characters. Access tokens are kept whole, because /flow is the one page
// meant to teach with them (contract: "Tokens never reach the browser ... The one exception is
// /flow").
package flow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Lane is one participant of the sequence diagram.
type Lane string

// The four lanes of /flow.
const (
	Browser   Lane = "browser"   // the resource owner, in their browser
	PrintShop Lane = "printshop" // the client
	Accounts  Lane = "accounts"  // the authorization server
	Photos    Lane = "photos"    // the resource server
	// Attacker is the attack lab's fifth lane (workshop/attacks/): a party that is no role of
	// OAuth, drawn only in a flow recorded under an attack.
	Attacker Lane = "attacker"
)

// Channel says how a message travelled.
type Channel string

const (
	// Front is through the browser: redirects the user can see in the address bar.
	Front Channel = "front"
	// Back is server to server: the browser never sees it.
	Back Channel = "back"
)

// Event is one step of a flow: one request and its response.
type Event struct {
	Kind     string    `json:"kind"`  // authorize, login, consent, callback, token, photos, refresh, revoke, metadata, experiment
	Title    string    `json:"title"` // what a learner reads in the row
	Channel  Channel   `json:"channel"`
	From     Lane      `json:"from"`
	To       Lane      `json:"to"`
	At       time.Time `json:"at"`
	Request  Message   `json:"request"`
	Response Message   `json:"response"`
	Note     string    `json:"note,omitempty"` // why this step matters, or what it proved
	// Refused names the check that refused this message, when the refusal is not in a
	// recorded answer: PrintShop refusing a callback, or an experiment that could not run.
	Refused string `json:"refused,omitempty"`
	// Compare holds rows of (what, before, after), shown side by side: the "Refresh now"
	// experiment's tokens.
	Compare [][3]string `json:"compare,omitempty"`
}

// Message is a request or a response, as shown on /flow.
type Message struct {
	Method  string      `json:"method,omitempty"`
	URL     string      `json:"url,omitempty"`
	Status  int         `json:"status,omitempty"`
	Headers [][2]string `json:"headers,omitempty"` // only the headers that matter
	Body    string      `json:"body,omitempty"`
}

// Store keeps the events of each user's latest flow.
type Store interface {
	// StartFlow begins a new flow for the user, forgetting the previous one.
	StartFlow(ctx context.Context, username string, at time.Time) error
	// AddEvent appends an event to the user's latest flow (starting one if there is none).
	AddEvent(ctx context.Context, username string, e Event) error
}

// Recorder records events for users.
type Recorder struct {
	store Store
	now   func() time.Time
}

// NewRecorder returns a recorder writing to st.
func NewRecorder(st Store, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{store: st, now: now}
}

// Start begins a new flow for the user: called when they press "Connect your Photos".
func (r *Recorder) Start(ctx context.Context, username string) error {
	return r.store.StartFlow(ctx, username, r.now())
}

// Record adds an event to the user's latest flow, masking secrets first.
func (r *Recorder) Record(ctx context.Context, username string, e Event) error {
	if e.At.IsZero() {
		e.At = r.now()
	}
	e.Request = maskMessage(e.Request)
	e.Response = maskMessage(e.Response)
	return r.store.AddEvent(ctx, username, e)
}

type stepKey struct{}

type step struct {
	username, kind, title, note string
	from, to                    Lane
}

// WithStep marks ctx so that the back-channel request made with it is recorded as a step of
// the user's flow, from PrintShop to the given lane.
func WithStep(ctx context.Context, username, kind, title string, to Lane) context.Context {
	return context.WithValue(ctx, stepKey{}, step{username: username, kind: kind, title: title, from: PrintShop, to: to})
}

// Username is the user a WithStep context's request is made for, or "".
func Username(ctx context.Context) string {
	s, _ := ctx.Value(stepKey{}).(step)
	return s.username
}

// Transport is an http.RoundTripper that records the requests made with a WithStep context.
type Transport struct {
	Base     http.RoundTripper
	Recorder *Recorder
}

// maxBody is the most of a body a step keeps.
const maxBody = 16 << 10

// RoundTrip sends the request and, if its context names a step, records it and its answer.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	s, ok := req.Context().Value(stepKey{}).(step)
	if !ok || t.Recorder == nil {
		return base.RoundTrip(req)
	}
	// The path names the call: "… — GET /api/photos/p123/content".
	e := Event{Kind: s.kind, Title: s.title + " — " + req.Method + " " + req.URL.Path, Channel: Back, From: s.from, To: s.to, At: t.Recorder.now(),
		Request: Message{Method: req.Method, URL: req.URL.String(), Headers: pick(req.Header, "Authorization", "DPoP", "Content-Type")}}
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			e.Request.Body = readBody(body, req.Header.Get("Content-Type"))
		}
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		e.Response = Message{Body: "no answer: " + err.Error()}
		t.Recorder.Record(req.Context(), s.username, e)
		return nil, err
	}
	e.Response = Message{Status: resp.StatusCode, Headers: pick(resp.Header, "Content-Type", "Cache-Control", "WWW-Authenticate", "DPoP-Nonce")}
	// Read the body for the record, then hand an identical one to the caller.
	data, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if rerr == nil {
		e.Response.Body = describeBody(data, resp.Header.Get("Content-Type"))
	}
	t.Recorder.Record(req.Context(), s.username, e)
	return resp, nil
}

func readBody(body io.ReadCloser, contentType string) string {
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err != nil {
		return ""
	}
	return describeBody(data, contentType)
}

// describeBody keeps text bodies (cut at maxBody) and describes binary ones.
func describeBody(data []byte, contentType string) string {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if strings.HasPrefix(mediaType, "image/") {
		return "[" + mediaType + ", " + humanBytes(len(data)) + "]"
	}
	if len(data) > maxBody {
		return string(data[:maxBody]) + "… [" + humanBytes(len(data)) + " in all]"
	}
	return string(data)
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// pick copies the named headers, in that order.
func pick(h http.Header, names ...string) [][2]string {
	var out [][2]string
	for _, name := range names {
		for _, v := range h.Values(name) {
			out = append(out, [2]string{name, v})
		}
	}
	return out
}

// secretParams are masked wherever they appear: in a query, a form or a JSON body. "token" is
// what RFC 7009 revocation sends: PrintShop revokes its refresh token.
var secretParams = map[string]bool{"client_secret": true, "refresh_token": true, "password": true, "token": true}

// IsSecret reports whether a parameter named name carries a secret that is only ever shown
// masked. /flow asks it too, so there is one list to keep right.
func IsSecret(name string) bool { return secretParams[name] }

// Mask hides all but the first characters of a secret, so two values can still be told apart.
func Mask(secret string) string {
	if len(secret) <= 6 {
		return "••••••"
	}
	return secret[:6] + "…(masked)"
}

// maskMessage masks the client secret in a Basic header and secret parameters in the URL and
// body.
func maskMessage(m Message) Message {
	for i, h := range m.Headers {
		if strings.EqualFold(h[0], "Authorization") {
			m.Headers[i][1] = maskAuthorization(h[1])
		}
	}
	// Re-encode only what holds a secret, so everything else stays byte for byte as sent.
	if u, err := url.Parse(m.URL); err == nil && u.RawQuery != "" {
		if q, err := url.ParseQuery(u.RawQuery); err == nil && hasSecret(q) {
			u.RawQuery = maskValues(q).Encode()
			m.URL = u.String()
		}
	}
	m.Body = maskBody(m.Body)
	return m
}

// maskAuthorization shows who authenticated, but not with what: "Basic printing:•••…".
func maskAuthorization(v string) string {
	scheme, cred, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return v // a bearer or DPoP access token: shown
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "Basic ••••••"
	}
	id, _, _ := strings.Cut(string(raw), ":")
	return "Basic base64(" + id + ":" + "••••••" + ") — the client secret is masked"
}

func hasSecret(q url.Values) bool {
	for name := range q {
		if secretParams[name] {
			return true
		}
	}
	return false
}

func maskValues(q url.Values) url.Values {
	for name, vs := range q {
		if secretParams[name] {
			for i := range vs {
				vs[i] = Mask(vs[i])
			}
		}
	}
	return q
}

// maskBody masks secrets in a form body or a JSON object body.
func maskBody(body string) string {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") {
		var obj map[string]any
		if json.Unmarshal([]byte(trimmed), &obj) != nil {
			return body
		}
		masked := false
		for name, v := range obj {
			if s, ok := v.(string); ok && secretParams[name] {
				obj[name], masked = Mask(s), true
			}
		}
		if !masked {
			return body
		}
		out, _ := json.MarshalIndent(obj, "", "  ")
		return string(out)
	}
	if q, err := url.ParseQuery(trimmed); err == nil && strings.Contains(trimmed, "=") && !strings.ContainsAny(trimmed, " \n<") && hasSecret(q) {
		return maskValues(q).Encode()
	}
	return body
}
