package web

// A gate for password checks. bcrypt is slow on purpose (about 50 ms of CPU at its default
// cost), and Go shares the CPU evenly among runnable goroutines: in a burst of sign-ins, each
// cheap request waited its turn behind every running comparison. With 200 flows at once, token
// requests waited longer than a client's 10 s timeout (e2e TestFault200ConcurrentFlows). Behind
// the gate, a sign-in that waits is blocked, not runnable, so the rest is served at once; the
// sign-ins themselves take as long in total as before.

import (
	"context"
	"runtime"

	"github.com/valet/printing/internal/store"
)

// passwordGate lets one bcrypt comparison per core run at a time.
type passwordGate chan struct{}

func newPasswordGate() passwordGate { return make(passwordGate, runtime.GOMAXPROCS(0)) }

// checkPassword runs checkPassword once a core is free. A sign-in whose browser went away while
// it waited (ctx done) ends without the comparison.
func (g passwordGate) checkPassword(ctx context.Context, st *store.Store, username, password string) (bool, error) {
	select {
	case g <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-g }()
	return checkPassword(ctx, st, username, password), nil
}
