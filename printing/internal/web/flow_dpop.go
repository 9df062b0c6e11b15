package web

// /flow's view of DPoP (RFC 9449): the proof in each recorded request, decoded, and the key a
// token is bound to.

import (
	"encoding/json"
	"strings"

	"github.com/valet/printing/internal/dpop"
)

// proofView is a DPoP proof, decoded: its header and its claims, each explained.
type proofView struct {
	Header []claimView
	Claims []claimView
}

var (
	proofHeaderOrder = []string{"typ", "alg", "jwk"}
	proofClaimOrder  = []string{"htm", "htu", "iat", "jti", "ath"}
)

var proofMeanings = map[string]string{
	"typ": "dpop+jwt: this JWT is a DPoP proof, and nothing else (RFC 9449 §4.2).",
	"alg": "How PrintShop signed it: an asymmetric algorithm, so only the holder of the private key can sign.",
	"jwk": "PrintShop's public key. The server checks the signature with it, and its thumbprint is the token's cnf.jkt.",
	"htm": "The HTTP method of this request. A proof for a GET cannot be used for a DELETE.",
	"htu": "The URL of this request, on the server's public address, without the query. A proof for one endpoint does not work at another.",
	"iat": "When PrintShop signed it. Servers accept a proof for a minute or so, then it is stale.",
	"jti": "A unique id: the server remembers it, so the same proof cannot be sent twice.",
	"ath": "The SHA-256 hash of the access token sent with it: the proof works with this token only.",
}

// decodeProof decodes the DPoP header of a recorded request, or returns nil when there is none.
// The proof holds no secret: a public key and the request's description.
func decodeProof(headers [][2]string) *proofView {
	for _, h := range headers {
		if !strings.EqualFold(h[0], "DPoP") {
			continue
		}
		parts := strings.Split(h[1], ".")
		if len(parts) != 3 {
			return nil
		}
		header, herr := decodeSegment(parts[0])
		claims, cerr := decodeSegment(parts[1])
		if herr != nil || cerr != nil {
			return nil
		}
		v := &proofView{Header: claimViews(header, proofHeaderOrder, proofMeanings),
			Claims: claimViews(claims, proofClaimOrder, proofMeanings)}
		for i := range v.Header {
			if v.Header[i].Name == "jwk" {
				key, _ := json.Marshal(header["jwk"]) // a public key: kty, crv, x, y
				v.Header[i].Value = string(key)
			}
		}
		return v
	}
	return nil
}

// boundKey reads cnf.jkt from a token's claims, and whether it is the thumbprint of the key
// PrintShop keeps with the connection.
func boundKey(claims map[string]any, storedKey string) (jkt string, matches bool) {
	cnf, _ := claims["cnf"].(map[string]any)
	jkt, _ = cnf["jkt"].(string)
	if jkt == "" || storedKey == "" {
		return jkt, false
	}
	key, err := dpop.ParseKey(storedKey)
	if err != nil {
		return jkt, false
	}
	thumb, err := dpop.Thumbprint(key)
	return jkt, err == nil && thumb == jkt
}
