package dpop

// The checks of a DPoP proof, RFC 9449 §4.3 ("Checking DPoP Proofs"). "To validate a DPoP
// proof, the receiving server MUST ensure the following:" each function below is one item.

import (
	"crypto/rsa"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// checkOneHeader is §4.3 steps 1 and 2: "there is not more than one DPoP HTTP request header
// field" and "the DPoP HTTP request header field value is a single and well-formed JWT".
func checkOneHeader(values []string) (string, error) {
	if len(values) != 1 {
		return "", fail("header", "send exactly one DPoP header; this request has %d", len(values))
	}
	raw := strings.TrimSpace(values[0])
	if raw == "" || strings.Count(raw, ".") != 2 {
		return "", fail("jwt", "the DPoP header is not one signed JWT (three base64url parts)")
	}
	return raw, nil
}

// checkType is §4.3 step 4: "the typ JOSE Header Parameter has the value dpop+jwt". It keeps
// an access token or an ID token from being replayed as a proof.
func checkType(typ string) error {
	if typ != "dpop+jwt" {
		return fail("typ", "typ is %q, but a DPoP proof must have typ dpop+jwt (RFC 9449 §4.2)", typ)
	}
	return nil
}

// checkAlgorithm is §4.3 step 5: "the alg JOSE Header Parameter indicates a registered
// asymmetric digital signature algorithm ..., is not none, is supported by the application,
// and is acceptable per local policy". A MAC (HS256) needs a shared secret, which would prove
// nothing about who holds the key.
func checkAlgorithm(alg jwa.SignatureAlgorithm, supported []jwa.SignatureAlgorithm) error {
	switch {
	case alg == "" || alg == jwa.NoSignature:
		return fail("alg", "alg none is refused: an unsigned proof proves nothing")
	case strings.HasPrefix(alg.String(), "HS"):
		return fail("alg", "alg %s is symmetric; a proof must be signed with a private key (RFC 9449 §4.2)", alg)
	case !slices.Contains(supported, alg):
		return fail("alg", "alg %s is not one of dpop_signing_alg_values_supported %v", alg, supported)
	}
	return nil
}

// checkPublicKey is §4.3 step 7: "the jwk JOSE Header Parameter does not contain a private
// key". A proof that carries its private key has given it away.
func checkPublicKey(key jwk.Key) error {
	switch key.(type) {
	case nil:
		return fail("jwk", "the proof has no jwk header: it must carry the public key it is signed with")
	case jwk.RSAPrivateKey, jwk.ECDSAPrivateKey, jwk.OKPPrivateKey:
		return fail("jwk", "the jwk header contains a private key; send only the public key (RFC 9449 §4.2)")
	case jwk.SymmetricKey:
		return fail("jwk", "the jwk header is a symmetric key; a proof needs an asymmetric public key")
	case jwk.RSAPublicKey:
		// "acceptable per local policy" (§4.3 step 5): RSA keys under 2048 bits can be factored.
		var raw rsa.PublicKey
		if err := key.Raw(&raw); err != nil || raw.N.BitLen() < minRSABits {
			return fail("jwk", "the jwk header is an RSA key of under %d bits; use a longer one, or EC", minRSABits)
		}
	}
	return nil
}

// minRSABits is the shortest RSA key a proof may be signed with.
const minRSABits = 2048

// checkRequiredClaims is §4.3 step 3: "all required claims per Section 4.2 are contained in
// the JWT": jti, htm, htu and iat, and ath when an access token is presented.
func checkRequiredClaims(claims jwt.Token, withAccessToken bool) error {
	required := []string{"jti", "htm", "htu", "iat"}
	if withAccessToken {
		required = append(required, "ath")
	}
	for _, name := range required {
		if v, ok := claims.Get(name); !ok || v == "" {
			return fail(name, "the proof has no %s claim (RFC 9449 §4.2)", name)
		}
	}
	return nil
}

// checkMethod is §4.3 step 8: "the htm claim matches the HTTP method of the current request".
func checkMethod(htm any, method string) error {
	if s, _ := htm.(string); s != method {
		return fail("htm", "htm is %v, but this request is %s", htm, method)
	}
	return nil
}

// checkURI is §4.3 step 9: "the htu claim matches the HTTP URI value for the HTTP request in
// which the JWT was received, ignoring any query and fragment parts". The URI is the public
// one: a client that calls over a back channel still signs the URL it was told about.
func checkURI(htu any, want string) error {
	s, _ := htu.(string)
	got, ok := normalizeURI(s)
	if wantNorm, _ := normalizeURI(want); !ok || got != wantNorm {
		return fail("htu", "htu is %q, but this endpoint is %s", s, want)
	}
	return nil
}

// normalizeURI applies the syntax- and scheme-based normalization §4.3 recommends (RFC 3986
// §6.2.2, §6.2.3): lower-case scheme and host, no default port, "/" for an empty path, and no
// query or fragment.
func normalizeURI(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"http": ":80", "https": ":443"}[scheme])
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, true
}

// checkIssuedAt is §4.3 step 11: "the creation time of the JWT, as determined by ... the iat
// claim, is within an acceptable window (see Section 11.1)". Both ways: a proof made in the
// future could be kept and used later.
func checkIssuedAt(iat, now time.Time, window time.Duration) error {
	if iat.IsZero() {
		return fail("iat", "the proof has no iat claim (RFC 9449 §4.2)")
	}
	if d := now.Sub(iat); d > window || d < -window {
		return fail("iat", "iat is %s, more than %s from the server's time %s; sign a fresh proof for each request",
			iat.UTC().Format(time.RFC3339), window, now.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkAccessTokenHash is §4.3 step 12: "if presented to a protected resource in conjunction
// with an access token, ensure that the value of the ath claim equals the hash of that access
// token". A proof made for one token cannot carry another.
func checkAccessTokenHash(ath any, token string) error {
	if s, _ := ath.(string); s != AccessTokenHash(token) {
		return fail("ath", "ath is not the SHA-256 of the access token sent with it; sign the proof for this token")
	}
	return nil
}
