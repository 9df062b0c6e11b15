package main

// Running one kind of operation with N concurrent users for a bounded time and count, and
// measuring it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one phase measured.
type result struct {
	Name     string
	Users    int
	OK       int
	Elapsed  time.Duration
	Latency  []time.Duration // of the successful operations, sorted
	Errors   map[string]int  // by kind
	Examples map[string]string
}

// PerSecond is the rate of successful operations.
func (r result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile latency (p in 0..100), nearest rank.
func (r result) Percentile(p float64) time.Duration {
	if len(r.Latency) == 0 {
		return 0
	}
	i := int(float64(len(r.Latency))*p/100+0.5) - 1
	return r.Latency[min(max(i, 0), len(r.Latency)-1)]
}

// ErrorCount is the number of failed operations.
func (r result) ErrorCount() int {
	n := 0
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// String is the result on one line, then one line per kind of error.
func (r result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s users=%-3d ok=%-6d %8.1f/s  p50=%-8s p95=%-8s p99=%-8s errors=%d\n",
		r.Name, r.Users, r.OK, r.PerSecond(), round(r.Percentile(50)), round(r.Percentile(95)), round(r.Percentile(99)), r.ErrorCount())
	kinds := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "         error %q x%d, e.g. %s\n", k, r.Errors[k], r.Examples[k])
	}
	return b.String()
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// runPhase runs op for every user at once, each user in a loop, until the duration has passed
// or maxOps operations have started, and prints a progress line to progress every second.
func runPhase(ctx context.Context, name string, users []*user, duration time.Duration, maxOps int64,
	op func(*user, context.Context) error, progress io.Writer) result {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var started, done, failed atomic.Int64
	var mu sync.Mutex
	res := result{Name: name, Users: len(users), Errors: map[string]int{}, Examples: map[string]string{}}
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	progressDone.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopProgress:
				fmt.Fprint(progress, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprintf(progress, "\r\033[K%s: %d users, %d done, %d errors", name, len(users), done.Load(), failed.Load())
			}
		}
	})
	began := time.Now()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil && started.Add(1) <= maxOps {
				t0 := time.Now()
				err := op(u, ctx)
				if ctx.Err() != nil {
					break // cut off by the deadline: neither a success nor an error
				}
				if err == nil {
					mine = append(mine, time.Since(t0))
					done.Add(1)
					continue
				}
				failed.Add(1)
				kind, detail := "other", err.Error()
				var f *failure
				if errors.As(err, &f) {
					kind, detail = f.kind, f.detail
				}
				mu.Lock()
				res.Errors[kind]++
				if _, ok := res.Examples[kind]; !ok {
					res.Examples[kind] = detail
				}
				mu.Unlock()
			}
			mu.Lock()
			res.Latency = append(res.Latency, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(began)
	close(stopProgress)
	progressDone.Wait()
	res.OK = len(res.Latency)
	slices.Sort(res.Latency)
	return res
}
