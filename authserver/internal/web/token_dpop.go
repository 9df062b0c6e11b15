package web

// DPoP at the token endpoint, RFC 9449 §5: a client that sends a DPoP proof gets tokens bound
// to the proof's key. The proof is checked once, at dispatch, for every grant; the grants read
// the key's thumbprint with boundKey.

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/dpop"
)

// dpopKeyKey is where the token endpoint leaves the thumbprint of a checked proof's key.
const dpopKeyKey = "dpop_jkt"

// errInvalidDPoPProof is RFC 9449 §5's error for a proof that fails a check: "If the DPoP
// proof is invalid, the authorization server issues an error response per Section 5.2 of
// [RFC6749] with invalid_dpop_proof as the value of the error parameter".
func errInvalidDPoPProof(desc string) *oauthError {
	return &oauthError{Code: "invalid_dpop_proof", Description: desc, Status: http.StatusBadRequest}
}

// checkTokenRequestProof checks the DPoP header of a token request, if there is one, and leaves
// its key's thumbprint for the grant. The proof must name the token endpoint Accounts publishes
// in its metadata (htu), even when the client reached Accounts over a back channel.
func (t *tokenEndpoint) checkTokenRequestProof(c echo.Context) error {
	values := c.Request().Header.Values("DPoP")
	if len(values) == 0 {
		return nil // a plain bearer token request, as before
	}
	proof, err := t.proofs.Verify(values, dpop.Request{Method: http.MethodPost, URL: t.tokenURL})
	var pe *dpop.Error
	if errors.As(err, &pe) {
		return errInvalidDPoPProof(pe.Error())
	}
	if err != nil {
		return err
	}
	if t.nonces != nil {
		t.nonces.sendDPoPNonce(c)
		if err := t.nonces.checkDPoPNonce(proof.Nonce); err != nil {
			return err
		}
	}
	c.Set(dpopKeyKey, proof.Thumbprint)
	return nil
}

// boundKey is the thumbprint of the key this token request proved it holds, or "" when it sent
// no proof.
func boundKey(c echo.Context) string {
	jkt, _ := c.Get(dpopKeyKey).(string)
	return jkt
}

// tokenType is the token_type of RFC 6749 §5.1: "DPoP" for a bound access token (RFC 9449
// §5: "the token_type ... MUST be DPoP"), "Bearer" otherwise.
func tokenType(jkt string) string {
	if jkt != "" {
		return "DPoP"
	}
	return "Bearer"
}

// checkRefreshBinding decides whether a refresh token may be exchanged with the proof sent (or
// not sent). RFC 9449 §5: a bound refresh token "MUST" be presented with "a DPoP proof ...
// signed by the same key". It runs before rotation, so a thief without the key burns nothing.
func checkRefreshBinding(tokenJKT, proofJKT string) error {
	switch {
	case tokenJKT == "":
		return nil
	case proofJKT == "":
		return errInvalidDPoPProof("this refresh token is bound to a DPoP key; send a DPoP proof signed by that key (RFC 9449 §5)")
	case proofJKT != tokenJKT:
		return errInvalidDPoPProof("the DPoP proof is signed by another key than the one this refresh token is bound to (RFC 9449 §5)")
	}
	return nil
}
