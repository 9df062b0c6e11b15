package web

// slow_down, RFC 8628 §3.5: a device code polled sooner than its interval after its previous
// poll. The interval then grows, and the client must keep to the new one.

import (
	"net/http"
	"strconv"
	"time"
)

// slowDownStep is what each slow_down adds to the interval. RFC 8628 §3.5: "the interval MUST
// be increased by 5 seconds for this and all subsequent requests."
const slowDownStep = 5 * time.Second

// pollTooFast decides slow_down: a poll that comes sooner than the interval after the previous
// poll of the same device code. The first poll may come at once. RFC 8628 §3.2: interval is
// "the minimum amount of time in seconds that the client SHOULD wait between polling requests".
func pollTooFast(previousPoll, now time.Time, interval time.Duration) bool {
	return !previousPoll.IsZero() && now.Sub(previousPoll) < interval
}

// errSlowDown is RFC 8628 §3.5's slow_down, naming the new interval.
func errSlowDown(interval time.Duration) *oauthError {
	return &oauthError{Code: "slow_down", Status: http.StatusBadRequest,
		Description: "polled sooner than the interval; wait at least " + strconv.Itoa(int(interval/time.Second)) +
			" seconds between polls from now on (RFC 8628 §3.5: the interval grows by 5 seconds)"}
}
