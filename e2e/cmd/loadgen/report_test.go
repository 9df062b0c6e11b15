package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// make bench-report rewrites only the measured part of docs/PERFORMANCE.md: the hand-written
// history of optimisations around it must survive every run.
func TestSpliceKeepsTheTextAroundTheMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "PERFORMANCE.md")
	before := "# Performance\n\nhistory\n\n" + beginMarker + "\nold figures\n" + endMarker + "\n\nfaults\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := splice(path, beginMarker+"\nnew figures\n"+endMarker+"\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# Performance\n\nhistory\n\n" + beginMarker + "\nnew figures\n" + endMarker + "\n\nfaults\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Percentiles are nearest-rank over the sorted latencies: p99 of 100 samples is the 99th.
func TestPercentileIsNearestRank(t *testing.T) {
	var r result
	for i := 1; i <= 100; i++ {
		r.Latency = append(r.Latency, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}} {
		if got := r.Percentile(tc.p); got != tc.want {
			t.Errorf("p%v: got %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := (result{}).Percentile(99); got != 0 {
		t.Errorf("p99 of no samples: got %v, want 0", got)
	}
}

// A bad command line names every bad flag at once.
func TestParseNamesEveryBadFlag(t *testing.T) {
	_, err := parse([]string{"-users", "0", "-duration", "0s", "-phases", "flows,naps"}, &strings.Builder{})
	if err == nil {
		t.Fatal("got no error, want one naming -users, -duration and -phases")
	}
	for _, name := range []string{"-users", "-duration", "-phases"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error %q does not name %s", err, name)
		}
	}
}
