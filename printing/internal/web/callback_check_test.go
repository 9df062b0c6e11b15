package web

// Workshop exercise 02's checker: the callback's state (RFC 6749 §10.12, RFC 9700 §4.7.1), iss
// (RFC 9207 §2.4) and error (RFC 6749 §4.1.2.1), checked in that order.

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/valet/printing/internal/store"
)

func TestExercise02CallbackRFC9207Section2_4(t *testing.T) {
	readNext(t, "RFC 6749 §10.12, RFC 9207 §2.4, RFC 6749 §4.1.2.1; workshop/02-callback.md, hints 1 and 2")
	const issuer = "http://accounts.example"
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	good := func() callback {
		return callback{
			Query:      url.Values{"state": {"s-1"}, "code": {"c-1"}, "iss": {issuer}},
			Attempt:    store.Attempt{SessionKey: 7, Username: "alice", Verifier: "v", CreatedAt: now.Add(-time.Minute)},
			FirstTake:  true,
			SessionKey: 7,
			Issuer:     issuer,
			Now:        now,
		}
	}
	if code, err := checkCallback(good()); err != nil || code != "c-1" {
		t.Fatalf("a good answer: got code %q, err %v; want code c-1 and no error. Return the code when every check passes.", code, err)
	}
	refused := []struct {
		name    string
		change  func(cb *callback)
		mistake string
	}{
		{"no state, RFC 6749 §10.12", func(cb *callback) { cb.Query.Del("state"); cb.Attempt = store.Attempt{} },
			"you accepted an answer with no state: anyone can send a browser to /callback with their own code (login CSRF, RFC 6749 §10.12)"},
		{"unknown state, RFC 6749 §10.12", func(cb *callback) { cb.Attempt = store.Attempt{}; cb.FirstTake = false },
			"you accepted a state PrintShop never issued (cb.Attempt is zero): check that the state named an attempt"},
		{"state used twice, RFC 9700 §4.7.1", func(cb *callback) { cb.FirstTake = false },
			"you compared the state but did not make it single use: cb.FirstTake is false, another callback already used this state (hint 1)"},
		{"state of another browser, RFC 6749 §10.12", func(cb *callback) { cb.SessionKey = 8 },
			"you accepted a state from another browser session: an attacker can start a connect, and send you to its callback (CSRF)"},
		{"no session, RFC 6749 §10.12", func(cb *callback) { cb.SessionKey = 0; cb.Attempt.SessionKey = 0 },
			"you accepted an answer in a browser with no session: a zero session key matches nothing"},
		{"state older than ten minutes", func(cb *callback) { cb.Attempt.CreatedAt = now.Add(-attemptTTL - time.Second) },
			"you accepted an attempt older than attemptTTL: an old state lying in a log or history must not work"},
		{"no iss, RFC 9207 §2.4", func(cb *callback) { cb.Query.Del("iss") },
			"you accepted an answer with no iss: Accounts always sends it, so its absence means another server answered (RFC 9207 §2.4)"},
		{"another iss, RFC 9207 §2.4", func(cb *callback) { cb.Query.Set("iss", "http://evil.example") },
			"you accepted an answer from another issuer: in a mix-up attack that code must never reach Accounts (RFC 9207 §2.4)"},
		{"two iss, RFC 9207 §2.4", func(cb *callback) { cb.Query["iss"] = []string{issuer, "http://evil.example"} },
			"you accepted an answer with two iss values: query.Get reads only the first (hint 3)"},
		{"an error with a forged state, RFC 6749 §10.12", func(cb *callback) {
			cb.Query = url.Values{"error": {"access_denied"}, "iss": {issuer}, "state": {"forged"}}
			cb.Attempt, cb.FirstTake = store.Attempt{}, false
		}, "you showed an error answer before checking its state: anyone can make PrintShop show their error page (hint 2)"},
		{"an error from another issuer, RFC 9207 §2.4", func(cb *callback) {
			cb.Query = url.Values{"error": {"access_denied"}, "iss": {"http://evil.example"}, "state": {"s-1"}}
		}, "you showed an error answer before checking iss: RFC 9207 §2.4 applies to error answers too (hint 2)"},
		{"neither code nor error", func(cb *callback) { cb.Query.Del("code") },
			"you returned an empty code: an answer with neither code nor error must be refused"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			cb := good()
			tc.change(&cb)
			code, err := checkCallback(cb)
			var answer *pageError
			if err == nil || errors.As(err, &answer) {
				t.Errorf("%s (got code %q, err %v)", tc.mistake, code, err)
			}
		})
	}
	t.Run("an error answer after good state and iss is explained, RFC 6749 §4.1.2.1", func(t *testing.T) {
		cb := good()
		cb.Query.Del("code")
		cb.Query.Set("error", "access_denied")
		code, err := checkCallback(cb)
		var answer *pageError
		if code != "" || !errors.As(err, &answer) {
			t.Errorf("an access_denied answer: got code %q, err %v; want authorizationError(...) so the user is told what happened", code, err)
		}
	})
}
