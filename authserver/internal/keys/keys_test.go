package keys

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/store"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func kids(t *testing.T, set jwk.Set) []string {
	t.Helper()
	var out []string
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		out = append(out, k.KeyID())
	}
	return out
}

// Keys are made on first start and kept: a second start signs with the same key.
func TestKeysPersistAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	clk := &clock{now: time.Now()}
	first, err := Open(ctx, st, InUse(jwa.ES256), 11*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := first.Signing(ctx, jwa.ES256)
	st.Close()

	st2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	second, err := Open(ctx, st2, InUse(jwa.ES256), 11*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := second.Signing(ctx, jwa.ES256)
	if k1.KeyID() != k2.KeyID() {
		t.Errorf("after a restart the signing key changed: %s, then %s", k1.KeyID(), k2.KeyID())
	}
	pub, _ := second.Public(ctx)
	if pub.Len() != 2 {
		t.Errorf("got %d published keys, want 2 (ES256 for access tokens, RS256 for ID tokens)", pub.Len())
	}
}

// Rotation: the new key signs at once, the old key stays published until every token it signed
// has expired, and then disappears.
func TestRotateKeepsOldKeyUntilItsTokensExpire(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	clk := &clock{now: time.Now()}
	publishFor := 11 * time.Minute
	ring, err := Open(ctx, st, InUse(jwa.RS256), publishFor, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := ring.Signing(ctx, jwa.RS256)
	signed, err := jwt.NewBuilder().Issuer("test").Expiration(clk.Now().Add(10 * time.Minute)).Build()
	if err != nil {
		t.Fatal(err)
	}
	oldToken, err := jwt.Sign(signed, jwt.WithKey(jwa.RS256, old))
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(time.Minute)
	newKID, err := Rotate(ctx, st, jwa.RS256, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	ring.loadedAt = time.Time{} // what the reload timer does after reloadEvery
	current, _ := ring.Signing(ctx, jwa.RS256)
	if current.KeyID() != newKID || newKID == old.KeyID() {
		t.Fatalf("after rotation signs with %s, want the new key %s", current.KeyID(), newKID)
	}
	pub, _ := ring.Public(ctx)
	if got := kids(t, pub); len(got) != 2 {
		t.Fatalf("after rotation publishes %v, want the new and the old key", got)
	}
	if _, err := jwt.Parse(oldToken, jwt.WithKeySet(pub), jwt.WithClock(jwt.ClockFunc(clk.Now))); err != nil {
		t.Errorf("a token signed before the rotation no longer verifies: %v", err)
	}

	clk.Advance(publishFor + time.Second)
	ring.loadedAt = time.Time{}
	pub, _ = ring.Public(ctx)
	if got := kids(t, pub); len(got) != 1 || got[0] != newKID {
		t.Errorf("after its tokens expired, publishes %v, want only %s", got, newKID)
	}
}

// Changing AUTHSERVER_SIGNING_ALG makes a key for the new algorithm on the next start.
func TestOpenMakesAKeyForANewAlgorithm(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	clk := &clock{now: time.Now()}
	if _, err := Open(ctx, st, InUse(jwa.RS256), time.Minute, clk.Now); err != nil {
		t.Fatal(err)
	}
	ring, err := Open(ctx, st, InUse(jwa.EdDSA), time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []jwa.SignatureAlgorithm{jwa.EdDSA, jwa.RS256} {
		k, err := ring.Signing(ctx, alg)
		if err != nil || k.Algorithm() != alg {
			t.Errorf("%s: got key %v, err %v", alg, k, err)
		}
	}
}

// Generate sets kid to the RFC 7638 thumbprint, and alg and use, for every algorithm.
func TestGenerate(t *testing.T) {
	for _, alg := range Algorithms {
		k, err := Generate(alg)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if k.KeyID() == "" || k.Algorithm() != alg || k.KeyUsage() != string(jwk.ForSignature) {
			t.Errorf("%s: got kid %q alg %q use %q", alg, k.KeyID(), k.Algorithm(), k.KeyUsage())
		}
	}
	if _, err := Generate(jwa.HS256); err == nil {
		t.Error("HS256 was accepted: a shared secret cannot be published in a JWKS")
	}
}
