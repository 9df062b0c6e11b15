package web

import "testing"

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
