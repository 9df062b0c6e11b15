//go:build !ex02

package web

// Workshop exercise 02 (workshop/02-callback.md): the solution. Its twin, callback_check_ex02.go,
// is the student's starting file, built with -tags ex02.

import (
	"errors"
	"fmt"
	"net/url"
)

// checkCallback decides whether PrintShop may act on an answer at its redirect URI, and returns
// the code to swap for tokens. It checks state, then iss, before it looks at the answer at all:
// an error answer is shown only once it is known to be the answer to this browser's own attempt
// from Accounts (RFC 9207 §2.4 applies to error responses too).
//
// state (RFC 6749 §10.12, RFC 9700 §4.7.1): it must name an attempt PrintShop made, for this
// browser session, taken here for the first time, and younger than attemptTTL. A state used
// twice is a replayed answer.
//
// A refusal is a plain error (the caller shows callbackRefused); an explained error answer from
// Accounts is a *pageError.
func checkCallback(cb callback) (string, error) {
	switch {
	case cb.Query.Get("state") == "":
		return "", errors.New("the answer has no state, so PrintShop cannot tell which connect attempt it belongs to")
	case cb.Attempt.CreatedAt.IsZero():
		return "", errors.New("the state is unknown or was already used")
	case !cb.FirstTake:
		return "", errors.New("the state is unknown or was already used")
	case cb.SessionKey == 0 || cb.Attempt.SessionKey != cb.SessionKey:
		return "", errors.New("the state belongs to a connect attempt from another browser session")
	case cb.Now.Sub(cb.Attempt.CreatedAt) > attemptTTL:
		return "", fmt.Errorf("the connect attempt is older than %s", attemptTTL)
	}
	if err := checkIssuer(cb.Query, cb.Issuer); err != nil {
		return "", err
	}
	if code := cb.Query.Get("error"); code != "" {
		return "", authorizationError(code, cb.Query.Get("error_description"))
	}
	code := cb.Query.Get("code")
	if code == "" {
		return "", errors.New("the answer has neither a code nor an error")
	}
	return code, nil
}

// checkIssuer enforces RFC 9207 §2.4: the iss in the answer must be present (Accounts says it
// sends it) and identical to the issuer PrintShop sent the user to. Otherwise the answer may come
// from another authorization server the user was steered to (a mix-up attack), and its code must
// not go to Accounts' token endpoint.
func checkIssuer(query url.Values, issuer string) error {
	iss, ok := query["iss"]
	switch {
	case !ok || len(iss) == 0 || iss[0] == "":
		return errors.New("the answer has no iss, so PrintShop cannot tell which authorization server sent it (RFC 9207)")
	case len(iss) > 1:
		return errors.New("the answer has more than one iss")
	case iss[0] != issuer:
		return fmt.Errorf("the answer comes from issuer %q, but PrintShop sent you to %q (RFC 9207)", iss[0], issuer)
	}
	return nil
}
