// Package dpop checks DPoP proofs, RFC 9449 §4.3: a client proves, request by request, that it
// holds the private key its tokens are bound to. A stolen token is then useless without the key.
//
// Verify runs the checks of §4.3 in order. Each check is a small function in rules.go, with the
// RFC's words beside it, so that a failed proof names the one check it failed.
package dpop

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Algorithms are the asymmetric signature algorithms a proof may use: the algs of Photos'
// DPoP challenge (RFC 9449 §7.1) and its metadata's dpop_signing_alg_values_supported
// (RFC 9728 §2). Accounts publishes the same list.
var Algorithms = []jwa.SignatureAlgorithm{jwa.ES256, jwa.EdDSA, jwa.RS256, jwa.PS256}

// AlgorithmNames is Algorithms as strings, for metadata and WWW-Authenticate's algs.
func AlgorithmNames() []string {
	names := make([]string, len(Algorithms))
	for i, a := range Algorithms {
		names[i] = a.String()
	}
	return names
}

// Window is how far a proof's iat may be from the server's clock, either way (RFC 9449 §11.1:
// "an acceptable window"). It also bounds how long a jti must be remembered.
const Window = 60 * time.Second

// Error is a failed proof. Check names the rule that failed ("typ", "alg", "jwk", "htu", ...).
type Error struct {
	Check       string
	Description string
}

func (e *Error) Error() string { return "DPoP proof check " + e.Check + " failed: " + e.Description }

func fail(check, format string, args ...any) error {
	return &Error{Check: check, Description: fmt.Sprintf(format, args...)}
}

// Proof is a proof that passed every check.
type Proof struct {
	// Thumbprint is the RFC 7638 SHA-256 thumbprint of the proof's public key, base64url: the
	// value of cnf.jkt in a token bound to this key (RFC 9449 §6.1).
	Thumbprint string
	Key        jwk.Key
	JTI        string
	IssuedAt   time.Time
	// Nonce is the proof's nonce claim, "" when it has none. A server that gives out nonces
	// (RFC 9449 §8, §9) checks it: step 10 of §4.3.
	Nonce string
}

// Request is what a proof must match: the request that carried it.
type Request struct {
	Method string // htm
	URL    string // htu: the public URL of the endpoint, without query or fragment
	// AccessToken, when set, is the token sent with the proof; the proof's ath must be its
	// hash (RFC 9449 §4.3 step 12). Empty at the token endpoint.
	AccessToken string
}

// Verifier checks proofs and remembers their jti.
type Verifier struct {
	now    func() time.Time
	replay *replayCache
}

// NewVerifier returns a verifier with the given clock (nil means time.Now) that remembers up to
// limit proofs at once.
func NewVerifier(now func() time.Time, limit int) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{now: now, replay: &replayCache{limit: limit, seen: map[string]time.Time{}}}
}

// Verify checks the DPoP header values of a request against want, in the order of RFC 9449
// §4.3, and remembers the proof's jti so that it is accepted once.
func (v *Verifier) Verify(headerValues []string, want Request) (Proof, error) {
	raw, err := checkOneHeader(headerValues)
	if err != nil {
		return Proof{}, err
	}
	msg, err := jws.ParseString(raw)
	if err != nil || len(msg.Signatures()) != 1 {
		return Proof{}, fail("jwt", "the DPoP header is not one signed JWT (three base64url parts)")
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if err := checkType(h.Type()); err != nil {
		return Proof{}, err
	}
	if err := checkAlgorithm(h.Algorithm(), Algorithms); err != nil {
		return Proof{}, err
	}
	if err := checkPublicKey(h.JWK()); err != nil {
		return Proof{}, err
	}
	if _, err := jws.Verify([]byte(raw), jws.WithKey(h.Algorithm(), h.JWK())); err != nil {
		return Proof{}, fail("signature", "the proof's signature does not verify with the jwk in its header")
	}
	claims, err := jwt.ParseInsecure([]byte(raw))
	if err != nil {
		return Proof{}, fail("claims", "the proof's claims are not a JWT claims set: %v", err)
	}
	return v.checkClaims(claims, h.JWK(), want)
}

// checkClaims is RFC 9449 §4.3 steps 3 and 8 to 12, then the jti's single use (§11.1).
func (v *Verifier) checkClaims(claims jwt.Token, key jwk.Key, want Request) (Proof, error) {
	if err := checkRequiredClaims(claims, want.AccessToken != ""); err != nil {
		return Proof{}, err
	}
	htm, _ := claims.Get("htm")
	if err := checkMethod(htm, want.Method); err != nil {
		return Proof{}, err
	}
	htu, _ := claims.Get("htu")
	if err := checkURI(htu, want.URL); err != nil {
		return Proof{}, err
	}
	now := v.now()
	if err := checkIssuedAt(claims.IssuedAt(), now, Window); err != nil {
		return Proof{}, err
	}
	if want.AccessToken != "" {
		ath, _ := claims.Get("ath")
		if err := checkAccessTokenHash(ath, want.AccessToken); err != nil {
			return Proof{}, err
		}
	}
	thumb, err := Thumbprint(key)
	if err != nil {
		return Proof{}, fail("jwk", "the proof's key has no RFC 7638 thumbprint: %v", err)
	}
	if err := v.replay.firstUse(thumb+" "+claims.JwtID(), claims.IssuedAt().Add(Window), now); err != nil {
		return Proof{}, err
	}
	nonce, _ := claims.Get("nonce")
	n, _ := nonce.(string)
	return Proof{Thumbprint: thumb, Key: key, JTI: claims.JwtID(), IssuedAt: claims.IssuedAt(), Nonce: n}, nil
}

// Thumbprint is a key's RFC 7638 JWK thumbprint with SHA-256, base64url without padding: the
// jkt of RFC 9449 §6.1.
func Thumbprint(key jwk.Key) (string, error) {
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// AccessTokenHash is ath (RFC 9449 §4.2): the base64url SHA-256 of the access token's ASCII.
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
