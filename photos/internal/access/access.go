// Package access decides whether an access token opens Photos: it checks a JWT access token on
// its own (RFC 9068 §4, RFC 8725), or asks Accounts about it (RFC 7662 introspection).
//
// The two ways teach a trade-off. A JWT is checked with Accounts' public keys alone, fast and
// even while Accounts is down, but a revoked grant's token keeps working until it expires.
// Introspection asks Accounts each time (with a cache of a few seconds), so revocation bites
// at once, at the cost of a round trip and a dependency.
package access

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"sync"
	"time"
)

// Principal is what a valid access token says: who it is for, which client holds it, and
// what it opens.
type Principal struct {
	Subject   string // the user (or, for client_credentials, the client itself)
	ClientID  string
	Scope     []string
	ExpiresAt time.Time
	// JKT is cnf.jkt (RFC 9449 §6): the thumbprint of the DPoP key the token is bound to, or
	// "" for a bearer token. A bound token opens Photos only with a proof signed by that key.
	JKT string
}

// HasScope reports whether the token opens scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scope, scope) }

// Checker checks an access token.
type Checker interface {
	Check(ctx context.Context, token string) (Principal, error)
}

// Error is a failed check. A token that does not open Photos is a 401 invalid_token (RFC 6750
// §3.1); Unavailable means Photos could not check at all (no keys yet, Accounts unreachable),
// which is a 503, never the client's fault.
type Error struct {
	Unavailable bool
	Description string // which check failed, for the error_description
}

func (e *Error) Error() string { return e.Description }

func invalid(desc string) error { return &Error{Description: desc} }

func unavailable(desc string) error { return &Error{Unavailable: true, Description: desc} }

// IsUnavailable reports whether err means Photos could not check the token at all.
func IsUnavailable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unavailable
}

// cache remembers check results by the SHA-256 of the token, each until a deadline, so that a
// client calling Photos again and again with the same token is checked once. It never keeps a
// result past the token's exp.
type cache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cacheEntry
}

type cacheEntry struct {
	principal Principal
	err       error
	until     time.Time
}

// cacheLimit bounds the memory a flood of distinct tokens can take.
const cacheLimit = 10_000

func (c *cache) get(token string, now time.Time) (cacheEntry, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.until) {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *cache) put(token string, e cacheEntry, now time.Time) {
	if !now.Before(e.until) {
		return
	}
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[sha256.Size]byte]cacheEntry{}
	}
	if len(c.entries) >= cacheLimit {
		for k, old := range c.entries {
			if !now.Before(old.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= cacheLimit {
			clear(c.entries)
		}
	}
	c.entries[key] = e
}
