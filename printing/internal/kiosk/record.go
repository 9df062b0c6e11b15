package kiosk

// The kiosk records its flow for the walkthrough, as PrintShop records its own: every
// back-channel request with its answer, secrets masked, plus the steps that happen on Alice's
// phone, which the kiosk never sees and draws from what Accounts answers.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valet/printing/internal/flow"
)

// The lanes of the kiosk's walkthrough. Accounts and Photos are PrintShop's lanes; the phone
// is the browser lane, held by Alice.
const (
	Kiosk flow.Lane = "kiosk"
	Phone           = flow.Browser
)

// Screen is the channel of a step that crosses no network: the kiosk shows the code on its
// screen, and Alice reads it.
const Screen flow.Channel = "screen"

// memoryFlow keeps the events in memory until the kiosk knows whose flow it was.
type memoryFlow struct {
	mu     sync.Mutex
	events []flow.Event
}

func (m *memoryFlow) StartFlow(context.Context, string, time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = nil
	return nil
}

func (m *memoryFlow) AddEvent(_ context.Context, _ string, e flow.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
	return nil
}

func (m *memoryFlow) Events() []flow.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]flow.Event(nil), m.events...)
}

// recorder is an http.RoundTripper that records every request the kiosk makes, and tells the
// kiosk what each poll of the token endpoint answered.
type recorder struct {
	base   http.RoundTripper
	rec    *flow.Recorder
	now    func() time.Time
	onPoll func(answer string)

	mu    sync.Mutex
	polls int
}

// kioskSecrets are masked on top of what flow masks: the device code is the kiosk's claim to
// the tokens, and the kiosk's walkthrough page never shows a whole access token.
var kioskSecrets = []string{"device_code", "access_token"}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	e := flow.Event{Channel: flow.Back, From: Kiosk, To: flow.Accounts, At: r.now(),
		Request: flow.Message{Method: req.Method, URL: req.URL.String(), Headers: headers(req.Header, "Authorization", "Content-Type")}}
	e.Kind, e.Title = "metadata", "Discover Accounts (RFC 8414)"
	switch {
	case strings.HasPrefix(req.URL.Path, "/api/"):
		e.Kind, e.Title, e.To = "photos", "Use the valet key at Photos", flow.Photos
	case req.URL.Path == "/device_authorization":
		e.Kind, e.Title = "device_authorization", "Ask for a device code and a user code (RFC 8628 §3.1)"
	case req.URL.Path == "/token":
		r.mu.Lock()
		r.polls++
		e.Kind, e.Title = "poll", "Poll "+strconv.Itoa(r.polls)+" of the token endpoint (RFC 8628 §3.4)"
		r.mu.Unlock()
	}
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(body, 16<<10))
			body.Close()
			e.Request.Body = maskFields(string(data))
		}
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		e.Response = flow.Message{Body: "no answer: " + err.Error()}
		r.rec.Record(req.Context(), "", e)
		return nil, err
	}
	data, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	e.Response = flow.Message{Status: resp.StatusCode, Headers: headers(resp.Header, "Content-Type", "Cache-Control", "WWW-Authenticate")}
	if rerr == nil {
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
			e.Response.Body = "[" + resp.Header.Get("Content-Type") + ", " + strconv.Itoa(len(data)) + " bytes]"
		} else {
			e.Response.Body = maskFields(string(data))
		}
	}
	if e.Kind == "poll" {
		answer := pollAnswer(data)
		e.Title += ": " + answer
		e.Note = pollNotes[answer]
		if r.onPoll != nil {
			r.onPoll(answer)
		}
		if answer == "tokens" || answer == "access_denied" {
			r.recordPhone(req.Context(), answer == "tokens", e.At)
		}
	}
	r.rec.Record(req.Context(), "", e)
	return resp, nil
}

// recordPhone draws what happened on Alice's phone between two polls. The kiosk never sees it:
// it learns only from the poll that she decided.
func (r *recorder) recordPhone(ctx context.Context, allowed bool, before time.Time) {
	title, decision := "Meanwhile, on her phone, Alice enters the code, signs in and allows", "Allow"
	if !allowed {
		title, decision = "Meanwhile, on her phone, Alice enters the code, signs in and denies", "Deny"
	}
	r.rec.Record(ctx, "", flow.Event{Kind: "verify", Title: title, Channel: flow.Front, From: Phone, To: flow.Accounts,
		At:      before.Add(-time.Millisecond),
		Request: flow.Message{Body: "GET /device, POST /device (the user code), POST /login, POST /device/confirm (decision=" + decision + ")"},
		Note: "The kiosk never sees this: it happens between Alice's phone and Accounts. Accounts shows her the code to compare " +
			"with the kiosk's screen and says to continue only at the kiosk (RFC 8628 §5.4), so a code someone sent her gets them nothing."})
}

// pollNotes explain each answer of a poll on the walkthrough.
var pollNotes = map[string]string{
	"authorization_pending": "Alice has not decided yet. The kiosk waits the interval and asks again.",
	"slow_down":             "The kiosk asked too soon. RFC 8628 §3.5: it MUST add 5 seconds to its interval, for this and every later poll.",
	"access_denied":         "Alice pressed Deny on her phone. The kiosk stops and gets nothing.",
	"expired_token":         "The code lived 10 minutes and nobody allowed it. The kiosk must start again.",
	"tokens":                "Alice allowed it: the kiosk gets its valet key, without ever seeing her password.",
}

// pollAnswer names what a token endpoint answer says: its error code, or "tokens".
func pollAnswer(body []byte) string {
	var answer struct {
		Error       string `json:"error"`
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &answer) != nil {
		return "an answer that is not JSON"
	}
	if answer.AccessToken != "" {
		return "tokens"
	}
	return answer.Error
}

// maskFields masks the kiosk's secrets in a form or JSON body; flow masks the rest.
func maskFields(body string) string {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") {
		var obj map[string]any
		if json.Unmarshal([]byte(trimmed), &obj) != nil {
			return body
		}
		for _, name := range kioskSecrets {
			if s, ok := obj[name].(string); ok {
				obj[name] = flow.Mask(s)
			}
		}
		out, _ := json.MarshalIndent(obj, "", "  ")
		return string(out)
	}
	q, err := url.ParseQuery(trimmed)
	if err != nil || !strings.Contains(trimmed, "=") {
		return body
	}
	for _, name := range kioskSecrets {
		if v := q.Get(name); v != "" {
			q.Set(name, flow.Mask(v))
		}
	}
	return q.Encode()
}

// headers copies the named headers, with a bearer token masked.
func headers(h http.Header, names ...string) [][2]string {
	var out [][2]string
	for _, name := range names {
		for _, v := range h.Values(name) {
			if scheme, token, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
				v = scheme + " " + flow.Mask(token)
			}
			out = append(out, [2]string{name, v})
		}
	}
	return out
}
