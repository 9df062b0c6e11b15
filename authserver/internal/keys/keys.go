// Package keys holds Accounts' signing keys: it makes them, stores them, rotates them, signs
// with the newest key of each algorithm and publishes the public halves as a JWK Set (RFC 7517).
//
// There is one current key per algorithm in use: access tokens use the configured algorithm,
// and ID tokens always use RS256, which OpenID Connect Core §15.1 requires every provider to
// support. A key that has been replaced keeps being published until every token it signed has
// expired, so a resource server never meets a valid token whose key it cannot find.
package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/valet/authserver/internal/store"
)

// Algorithms lists the signing algorithms Accounts can use, by their JWA name (RFC 7518).
var Algorithms = []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256, jwa.EdDSA}

// IDTokenAlg signs every ID token: OpenID Connect Core §15.1 requires providers to support
// RS256, and relying parties may support nothing else.
const IDTokenAlg = jwa.RS256

// InUse lists the algorithms that need a current key when access tokens use accessAlg.
func InUse(accessAlg jwa.SignatureAlgorithm) []jwa.SignatureAlgorithm {
	if accessAlg == IDTokenAlg {
		return []jwa.SignatureAlgorithm{accessAlg}
	}
	return []jwa.SignatureAlgorithm{accessAlg, IDTokenAlg}
}

// reloadEvery is how often a running server looks for a key added by `authserver rotate-keys`.
const reloadEvery = 5 * time.Second

// Keyring is the set of keys Accounts publishes, with the one it signs with.
type Keyring struct {
	store *store.Store
	// publishFor is how long a replaced key stays in the JWKS: the longest a token it signed
	// can live.
	publishFor time.Duration
	now        func() time.Time

	mu       sync.RWMutex
	signing  map[jwa.SignatureAlgorithm]jwk.Key // the current key of each algorithm
	public   jwk.Set
	loadedAt time.Time
}

// Open loads the keys from the store. For each algorithm in algs that has no current key yet, it
// makes one first: keys are made on first start and kept across restarts.
func Open(ctx context.Context, st *store.Store, algs []jwa.SignatureAlgorithm, publishFor time.Duration, now func() time.Time) (*Keyring, error) {
	k := &Keyring{store: st, publishFor: publishFor, now: now}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	for _, alg := range algs {
		if k.signing[alg] != nil {
			continue
		}
		if _, err := Rotate(ctx, st, alg, now()); err != nil {
			return nil, err
		}
		if err := k.load(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Rotate makes a new key for alg, stores it, and makes it the signing key for alg. The key it
// replaces stays published; see Keyring.
func Rotate(ctx context.Context, st *store.Store, alg jwa.SignatureAlgorithm, now time.Time) (string, error) {
	key, err := Generate(alg)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(key)
	if err != nil {
		return "", err
	}
	if err := st.AddSigningKey(ctx, store.SigningKey{KID: key.KeyID(), Alg: alg.String(), PrivateJWK: string(data)}, now); err != nil {
		return "", fmt.Errorf("save signing key: %w", err)
	}
	return key.KeyID(), nil
}

// Generate makes a private key for alg, with `kid` set to its RFC 7638 thumbprint and `alg`
// and `use: sig` set, so that verifiers take the algorithm from the key, never from a token.
func Generate(alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	var raw any
	var err error
	switch alg {
	case jwa.RS256:
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256:
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwa.EdDSA:
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, err
	}
	thumb, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]any{
		jwk.KeyIDKey:     base64.RawURLEncoding.EncodeToString(thumb),
		jwk.AlgorithmKey: alg,
		jwk.KeyUsageKey:  jwk.ForSignature,
	} {
		if err := key.Set(name, v); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// Signing returns the private key to sign with now, for alg.
func (k *Keyring) Signing(ctx context.Context, alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	if err := k.refresh(ctx); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	key := k.signing[alg]
	if key == nil {
		return nil, fmt.Errorf("no current %s signing key", alg)
	}
	return key, nil
}

// Public returns the public keys to publish at /.well-known/jwks.json and to verify with.
func (k *Keyring) Public(ctx context.Context) (jwk.Set, error) {
	if err := k.refresh(ctx); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.public, nil
}

// refresh reloads the keys when the last load is older than reloadEvery, so a key added by
// `authserver rotate-keys` in another process is picked up by a running server.
func (k *Keyring) refresh(ctx context.Context) error {
	k.mu.RLock()
	fresh := time.Since(k.loadedAt) < reloadEvery
	k.mu.RUnlock()
	if fresh {
		return nil
	}
	return k.load(ctx)
}

func (k *Keyring) load(ctx context.Context) error {
	rows, err := k.store.SigningKeys(ctx, k.now().Add(-k.publishFor))
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	signing := map[jwa.SignatureAlgorithm]jwk.Key{}
	public := jwk.NewSet()
	for _, row := range rows {
		key, err := jwk.ParseKey([]byte(row.PrivateJWK))
		if err != nil {
			return fmt.Errorf("signing key %s: %w", row.KID, err)
		}
		if alg := jwa.SignatureAlgorithm(row.Alg); row.RetiredAt.IsZero() && signing[alg] == nil {
			signing[alg] = key
		}
		pub, err := jwk.PublicKeyOf(key)
		if err != nil {
			return fmt.Errorf("signing key %s: %w", row.KID, err)
		}
		if err := public.AddKey(pub); err != nil {
			return err
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.signing, k.public, k.loadedAt = signing, public, time.Now()
	return nil
}
