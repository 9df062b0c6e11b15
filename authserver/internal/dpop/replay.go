package dpop

import (
	"sync"
	"time"
)

// replayCache remembers the proofs already accepted, by key thumbprint and jti, until their iat
// leaves the window: RFC 9449 §11.1, "the server MUST ensure that the same proof is not used
// more than once ... by storing, in the context of the target URI, the jti value of each DPoP
// proof for the time window in which the respective DPoP proof JWT would be accepted". It holds
// at most limit proofs, so a flood cannot exhaust memory; when full of live proofs it refuses
// new ones rather than forget one that could then be replayed.
type replayCache struct {
	mu    sync.Mutex
	limit int
	seen  map[string]time.Time
}

// firstUse records id until expires and reports an error if it was seen before.
func (r *replayCache) firstUse(id string, expires, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until, ok := r.seen[id]; ok && now.Before(until) {
		return fail("jti", "this proof (jti) was used before; sign a new proof, with a new jti, for every request")
	}
	if len(r.seen) >= r.limit {
		for k, until := range r.seen {
			if !now.Before(until) {
				delete(r.seen, k)
			}
		}
		if len(r.seen) >= r.limit {
			return fail("jti", "too many proofs in the last minute to remember another; try again shortly")
		}
	}
	r.seen[id] = expires
	return nil
}
