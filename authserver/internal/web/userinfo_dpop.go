package web

// DPoP at the UserInfo endpoint, RFC 9449 §7: userinfo is a protected resource of Accounts', so
// a DPoP-bound access token opens it only under the DPoP scheme, with a proof signed by the key
// its cnf.jkt names, for this request.

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/dpop"
)

// accessTokenFromHeader reads the access token from the Authorization header, under the Bearer
// (RFC 6750 §2.1) or the DPoP (RFC 9449 §7.1) scheme, either case-insensitive, and returns the
// scheme in lower case.
func accessTokenFromHeader(r *http.Request) (scheme, token string, ok bool) {
	scheme, token, ok = strings.Cut(r.Header.Get("Authorization"), " ")
	scheme, token = strings.ToLower(scheme), strings.TrimSpace(token)
	if !ok || (scheme != "bearer" && scheme != "dpop") || token == "" {
		return "", "", false
	}
	return scheme, token, true
}

// cnfKey is cnf.jkt of a verified access token (RFC 9449 §6.1), or "" for a bearer token.
func cnfKey(tok jwt.Token) string {
	cnf, _ := tok.Get("cnf")
	m, _ := cnf.(map[string]any)
	jkt, _ := m["jkt"].(string)
	return jkt
}

// checkUserinfoSender checks that whoever presents the token may: anyone for a bearer token, the
// holder of the bound key for a DPoP-bound one (RFC 9449 §7.1, and §7.2: a bound token sent as
// Bearer is refused).
func (t *tokenEndpoint) checkUserinfoSender(c echo.Context, scheme, raw string, tok jwt.Token) error {
	jkt := cnfKey(tok)
	invalid := func(desc string) error {
		return &oauthError{Code: "invalid_token", Status: http.StatusUnauthorized, Description: desc,
			Challenge: `Bearer realm="accounts", error="invalid_token", DPoP algs="` + strings.Join(dpop.AlgorithmNames(), " ") + `"`}
	}
	switch {
	case jkt == "" && scheme == "dpop":
		return invalid("this access token is not bound to a DPoP key; send it as Authorization: Bearer")
	case jkt == "":
		return nil
	case scheme != "dpop":
		return invalid("this access token is bound to a DPoP key (cnf.jkt); send it as Authorization: DPoP with a DPoP proof (RFC 9449 §7.2)")
	}
	r := c.Request()
	proof, err := t.proofs.Verify(r.Header.Values("DPoP"), dpop.Request{Method: r.Method, URL: t.minter.issuer + "/userinfo", AccessToken: raw})
	if err == nil && proof.Thumbprint != jkt {
		err = &dpop.Error{Check: "jkt", Description: "the proof is signed by another key than the one the token is bound to (cnf.jkt)"}
	}
	var pe *dpop.Error
	if errors.As(err, &pe) {
		return &oauthError{Code: "invalid_dpop_proof", Status: http.StatusUnauthorized, Description: pe.Error(),
			Challenge: `DPoP error="invalid_dpop_proof", algs="` + strings.Join(dpop.AlgorithmNames(), " ") + `"`}
	}
	return err
}
