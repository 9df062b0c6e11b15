// Package dpop is PrintShop's side of DPoP, RFC 9449: a key pair per connection, and a proof
// signed with it for every request that carries its tokens, so that the tokens work only in
// PrintShop's hands (RFC 9700 §2.2: sender-constrained tokens).
package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Algorithm signs PrintShop's proofs: ES256, the first of Accounts'
// dpop_signing_alg_values_supported, and small and quick to sign.
const Algorithm = jwa.ES256

// NewKey makes a fresh P-256 key pair for one connection.
func NewKey() (jwk.Key, error) {
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return jwk.FromRaw(raw)
}

// MarshalKey encodes a private key as a JWK, to keep with the connection's tokens.
func MarshalKey(key jwk.Key) (string, error) {
	data, err := json.Marshal(key)
	return string(data), err
}

// ParseKey decodes a key that MarshalKey encoded.
func ParseKey(s string) (jwk.Key, error) {
	key, err := jwk.ParseKey([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("the stored DPoP key is not a JWK: %w", err)
	}
	return key, nil
}

// Thumbprint is the key's RFC 7638 SHA-256 thumbprint, base64url: the cnf.jkt Accounts puts in
// a token bound to this key (RFC 9449 §6.1).
func Thumbprint(key jwk.Key) (string, error) {
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// NewProof signs a DPoP proof (RFC 9449 §4.2) for one request: method and htu (the public URL,
// without query or fragment), with an access token its hash as ath, and the server's nonce
// when it gave one (§8). The header carries the public key only.
func NewProof(key jwk.Key, method, htu, accessToken, nonce string, now time.Time) (string, error) {
	public, err := key.PublicKey()
	if err != nil {
		return "", err
	}
	headers := jws.NewHeaders()
	for name, value := range map[string]any{jws.TypeKey: "dpop+jwt", jws.JWKKey: public} {
		if err := headers.Set(name, value); err != nil {
			return "", err
		}
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti), "htm": method, "htu": htu, "iat": now.Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed, err := jws.Sign(payload, jws.WithKey(Algorithm, key, jws.WithProtectedHeaders(headers)))
	if err != nil {
		return "", fmt.Errorf("sign the DPoP proof: %w", err)
	}
	return string(signed), nil
}
