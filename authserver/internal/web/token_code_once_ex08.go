//go:build ex08

package web

// Workshop exercise 08: single-use codes, with replay revoking what the code issued
// (workshop/08-single-use-codes.md).
//
// Goal: an authorization code is a one-time valet ticket. PrintShop swaps it once for a key.
// If the same ticket is presented again, someone copied it: maybe an attacker who found it in
// a log, maybe the attacker was first. Accounts cannot tell who is honest, so it refuses, and
// it takes back every key that ticket bought.
//
// The store has already marked the code used, atomically: firstUse is true for exactly one
// request per code. checkCodeRedemption has checked what the code is bound to (client, expiry,
// redirect URI, PKCE): bindingErr is its verdict, nil when all is well. Decide: refuse or not
// (err), and whether to revoke the grant with every token issued from the code (revokeGrant).
//
// The rules:
//   - RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
//     server MUST deny the request and SHOULD revoke (when possible) all tokens previously
//     issued based on that authorization code." (RFC 9700 §4.2.4 says it again.)
//   - Valet gives a code one attempt: a failed first redemption also revokes its grant, so an
//     attacker's wrong guess at the verifier burns the code for everyone.
//   - Refuse with errInvalidGrant("...") (RFC 6749 §5.2), saying what happened.
//
// Hints:
//  1. Three cases: a reuse, a first use that failed its checks, a good first use.
//  2. Revoking is what makes the replay detection worth it: the first redemption may have been
//     the attacker's.
//
// Check: make exercise N=08. Run it live: make run TAGS=ex08 and /flow's "Replay the code".

// checkCodeUse decides what a redemption of an authorization code does.
func checkCodeUse(firstUse bool, bindingErr error) (revokeGrant bool, err error) {
	// The starting point only looks at the bindings: a used code works again. Replace this.
	return false, bindingErr
}
