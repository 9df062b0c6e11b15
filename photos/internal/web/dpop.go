package web

// DPoP at the resource server, RFC 9449 §7: a token bound to a key (cnf.jkt) opens the API only
// with "Authorization: DPoP <token>" and a fresh proof, signed by that key, for this very
// request. A thief who copied the token has no key, so the token is no use to them.

import (
	"errors"
	"net/http"
	"strings"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/dpop"
)

// dpopReplayLimit bounds the proofs Photos remembers at once (RFC 9449 §11.1).
const dpopReplayLimit = 100_000

// senderConstraint checks that the presenter of a token may use it: nothing more for a bearer
// token, a proof of possession for a bound one.
type senderConstraint struct {
	proofs    *dpop.Verifier
	publicURL string // htu is Photos' public URL + the path, whatever address the client used
}

// check runs after the token itself was found valid. scheme is the Authorization scheme the
// token came with, "bearer" or "dpop" (lower case).
func (s senderConstraint) check(r *http.Request, scheme, token string, p access.Principal, ch challenger) error {
	switch {
	case p.JKT == "" && scheme == "dpop":
		return ch.invalidToken("this token is not bound to a DPoP key (it has no cnf.jkt); send it as Authorization: Bearer")
	case p.JKT == "":
		return nil // a bearer token, exactly as before
	case scheme != "dpop":
		// RFC 9449 §7.2: a DPoP-bound token sent as Bearer is refused; otherwise a thief could
		// simply leave the proof out.
		return ch.invalidToken("this token is bound to a DPoP key (cnf.jkt); send it as Authorization: DPoP with a DPoP proof signed by that key (RFC 9449 §7.2)")
	}
	proof, err := s.proofs.Verify(r.Header.Values("DPoP"),
		dpop.Request{Method: r.Method, URL: s.publicURL + r.URL.EscapedPath(), AccessToken: token})
	if err == nil {
		err = checkKeyBinding(proof.Thumbprint, p.JKT)
	}
	var pe *dpop.Error
	if errors.As(err, &pe) {
		return ch.invalidProof(pe.Error())
	}
	return err
}

// checkKeyBinding is RFC 9449 §7.1: the resource server "MUST ... ensure that the public key
// to which the access token is bound matches the public key from the DPoP proof". A thief's
// own key makes a valid proof, but not one for this token.
func checkKeyBinding(proofJKT, tokenJKT string) error {
	if proofJKT != tokenJKT {
		return &dpop.Error{Check: "jkt", Description: "the proof is signed by key " + proofJKT +
			", but the token is bound to key " + tokenJKT + " (cnf.jkt); only the client the token was issued to can use it"}
	}
	return nil
}

// authorizationToken reads the token from the Authorization header: the Bearer scheme (RFC 6750
// §2.1) or the DPoP scheme (RFC 9449 §7.1), either case-insensitive. It returns the scheme in
// lower case. Nothing else is read: not the query string, not a form body.
func authorizationToken(r *http.Request) (scheme, token string, ok bool) {
	scheme, token, ok = strings.Cut(r.Header.Get("Authorization"), " ")
	scheme, token = strings.ToLower(scheme), strings.TrimSpace(token)
	if !ok || (scheme != "bearer" && scheme != "dpop") || token == "" {
		return "", "", false
	}
	return scheme, token, true
}

// dpopChallenge is the DPoP challenge of RFC 9449 §7.1, with the algorithms a proof may use,
// after any attributes given.
func dpopChallenge(attrs ...string) string {
	var parts []string
	for i := 0; i+1 < len(attrs); i += 2 {
		parts = append(parts, attrs[i]+`="`+quotable(attrs[i+1])+`"`)
	}
	parts = append(parts, `algs="`+strings.Join(dpop.AlgorithmNames(), " ")+`"`)
	return "DPoP " + strings.Join(parts, ", ")
}

// unauthorized is every 401 challenge of the API: the Bearer challenge with attrs, then the
// DPoP one, so a client learns both schemes Photos accepts.
func (ch challenger) unauthorized(attrs ...string) string {
	return ch.header(attrs...) + ", " + dpopChallenge()
}

// invalidToken is a 401 invalid_token (RFC 6750 §3.1) naming both schemes.
func (ch challenger) invalidToken(desc string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: desc,
		Challenge: ch.unauthorized("error", "invalid_token", "error_description", desc)}
}

// invalidProof is RFC 9449 §7.1's answer to a bad proof: 401 with error invalid_dpop_proof on
// the DPoP challenge.
func (ch challenger) invalidProof(desc string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Code: "invalid_dpop_proof", Description: desc,
		Challenge: ch.header() + ", " + dpopChallenge("error", "invalid_dpop_proof", "error_description", desc)}
}
