package web

import (
	"net/url"

	"github.com/valet/printing/internal/store"
)

// ignoreState is the broken callback of the attack lab's PRINTING_INSECURE_SKIP_STATE: it makes
// whatever answer arrived look like the answer to an attempt of this browser session, as a
// client that keeps "the" PKCE verifier in its session and never checks state would. When the
// state names an attempt of this session, its verifier is used; otherwise there is none, and
// only PKCE at Accounts can still tell that the code was not made for this browser
// (RFC 9700 §4.7.1). checkCallback then checks iss as always.
func ignoreState(cb callback, sess store.Session) callback {
	if sess.Username == "" {
		return cb // no one to connect: the answer is refused as usual
	}
	if cb.Attempt.CreatedAt.IsZero() || cb.Attempt.SessionKey != sess.Key {
		cb.Attempt = store.Attempt{SessionKey: sess.Key, Username: sess.Username, Scope: requestedScope, CreatedAt: cb.Now}
	}
	query := url.Values{}
	for k, v := range cb.Query {
		query[k] = v
	}
	query.Set("state", "ignored")
	cb.Query, cb.FirstTake, cb.SessionKey = query, true, sess.Key
	return cb
}
