//go:build ex02

package web

// Workshop exercise 02: validate the callback (workshop/02-callback.md).
//
// Goal: Accounts has sent your browser back to PrintShop's redirect URI, /callback, with an
// answer: a code, or an error. Before PrintShop acts on it, decide whether this answer really
// is the answer to this browser's own connect attempt, from Accounts. Return the code to swap
// for tokens, or an error.
//
// What you get (type callback, in connect.go): the answer's query, the attempt its state named
// (zero if the state is unknown), whether this callback took that attempt first (FirstTake),
// the browser's session key, the issuer PrintShop sent the user to, and the time.
//
// The rules:
//   - RFC 6749 §10.12 and RFC 9700 §4.7.1 (state): the state must name an attempt made for this
//     browser session, used once, and younger than attemptTTL (10 minutes).
//   - RFC 9207 §2.4 (iss): "the client MUST" compare iss with the issuer it sent the user to,
//     and refuse the answer if they differ or iss is missing. It applies to error answers too.
//   - RFC 6749 §4.1.2.1 (error): an answer with error=... is shown to the user, with
//     authorizationError(code, description), but only after state and iss were checked.
//
// Return a plain error (errors.New) to refuse the answer; return authorizationError(...) for an
// error answer from Accounts; return the code otherwise.
//
// Hints:
//  1. FirstTake is false when another callback took this state before: a replayed answer.
//  2. Check in order: state, then iss, then error, then code.
//  3. query["iss"] tells a missing iss from an empty one; an answer may also repeat it.
//
// Check: make exercise N=02. Run it live: make run TAGS=ex02 and try /flow's experiments.

// checkCallback decides whether PrintShop may act on an answer at its redirect URI.
func checkCallback(cb callback) (string, error) {
	// The starting point takes the code and looks at nothing else. Replace this.
	if code := cb.Query.Get("error"); code != "" {
		return "", authorizationError(code, cb.Query.Get("error_description"))
	}
	return cb.Query.Get("code"), nil
}
