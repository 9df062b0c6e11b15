package web

// The guessing limit on user codes, RFC 8628 §5.1 ("User Code Brute Forcing"): a user code is
// short enough to type, so the page that accepts it must be rate-limited, or an attacker could
// try codes until one matches a kiosk someone else is about to approve.

import "time"

const (
	// maxWrongUserCodes is how many wrong user codes a browser session may enter.
	maxWrongUserCodes = 5
	// userCodeLockout is how long every try is refused once the limit is reached, counted from
	// the last wrong try.
	userCodeLockout = time.Minute
)

// userCodeGuessLimited decides whether a browser session may try a user code now. After
// maxWrongUserCodes wrong tries, the next try, right or wrong, is refused until userCodeLockout
// has passed since the last wrong one; each wrong try after that locks it again.
func userCodeGuessLimited(wrongTries int, lastWrong, now time.Time) bool {
	return wrongTries >= maxWrongUserCodes && now.Before(lastWrong.Add(userCodeLockout))
}
