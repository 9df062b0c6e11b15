package store

import (
	"context"
	"testing"
	"time"
)

// A refresh token keeps the thumbprint of the DPoP key it was issued with (RFC 9449 §5), so the
// web layer can ask for a proof from the same key; one issued without a proof has none.
func TestRefreshTokenKeepsItsDPoPKey(t *testing.T) {
	s := storeTestFixture(t)
	now := time.Now()
	for _, jkt := range []string{"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", ""} {
		grantID, code := storeTestGrant(t, s, "dpop"+jkt, "printing", "alice", now, now.Add(time.Minute), nil)
		at, rt := storeTestTokens("dpop"+jkt, now)
		rt.JKT = jkt
		storeTestRedeem(t, s, code, grantID, at, rt, now)
		got, _, err := s.PresentedRefreshToken(context.Background(), rt.Hash)
		if err != nil || got.JKT != jkt {
			t.Errorf("got jkt %q (err %v), want %q", got.JKT, err, jkt)
		}
	}
}
