package store

import "testing"

// The DPoP key is kept with the connection (RFC 9449: the tokens work only with it), survives a
// refresh, and is replaced by a new connection's.
func TestStoreKeepsTheConnectionsDPoPKey(t *testing.T) {
	ctx := t.Context()
	s := storeOpen(t)
	c := Connection{Username: "alice", AccessToken: "at-1", RefreshToken: "rt-1", ExpiresAt: storeNow, ConnectedAt: storeNow, DPoPKey: `{"kty":"EC","d":"one"}`}
	if err := s.SaveConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRefresh(ctx, "alice", "rt-1", Connection{AccessToken: "at-2", RefreshToken: "rt-2", ExpiresAt: storeNow}, storeNow); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Connection(ctx, "alice"); got.DPoPKey != c.DPoPKey {
		t.Errorf("after a refresh: got key %q, want %q", got.DPoPKey, c.DPoPKey)
	}
	c.DPoPKey = ""
	if err := s.SaveConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Connection(ctx, "alice"); got.DPoPKey != "" {
		t.Errorf("after a bearer reconnection: got key %q, want none", got.DPoPKey)
	}
}
