package access

import "github.com/lestrrat-go/jwx/v2/jwt"

// boundKey reads cnf.jkt from a valid JWT access token: RFC 9449 §6.1, a DPoP-bound token
// carries the SHA-256 JWK thumbprint of its key as "jkt" in the "cnf" claim (RFC 7800). It is
// read after validateAccessToken has checked the token, and "" means a bearer token.
func boundKey(tok jwt.Token) string {
	cnf, ok := tok.Get("cnf")
	if !ok {
		return ""
	}
	m, _ := cnf.(map[string]any)
	jkt, _ := m["jkt"].(string)
	return jkt
}
