//go:build !ex08

package web

// Workshop exercise 08 (workshop/08-single-use-codes.md): the solution. Its twin,
// token_code_once_ex08.go, is the student's starting file, built with -tags ex08.

// checkCodeUse decides what a redemption of an authorization code does, once the store has
// marked the code used (firstUse reports whether this request was its first use) and
// checkCodeRedemption has checked what the code is bound to (bindingErr).
//
// RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once. If an
// authorization code is used more than once, the authorization server MUST deny the request and
// SHOULD revoke (when possible) all tokens previously issued based on that authorization code."
// RFC 9700 §4.2.4 repeats it. Valet also gives every code one attempt: a failed redemption (a
// wrong verifier, say) revokes the grant too, so that nothing is ever issued from a code an
// attacker has tried.
func checkCodeUse(firstUse bool, bindingErr error) (revokeGrant bool, err error) {
	if !firstUse {
		return true, errInvalidGrant("the authorization code was already used; every token issued from it is now revoked")
	}
	if bindingErr != nil {
		return true, bindingErr
	}
	return false, nil
}
