package web

import (
	"errors"
	"testing"
)

// readNext ends a failed workshop checker with what to read next: the RFC section and the
// exercise's hint. Workshop checkers are the TestExerciseNN tests; workshop/exercises.tsv lists
// them.
func readNext(t *testing.T, what string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("Read next: " + what)
		}
	})
}

// isInvalidGrant reports whether err is the OAuth error invalid_grant (RFC 6749 §5.2).
func isInvalidGrant(err error) bool {
	var oe *oauthError
	return errors.As(err, &oe) && oe.Code == "invalid_grant"
}
