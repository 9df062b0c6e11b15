package main

import (
	"io"
	"strings"
	"testing"
)

// printing kiosk refuses a bad flag before it contacts anyone, naming what to use instead.
func TestKioskFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a size PrintShop does not sell", []string{"kiosk", "-size", "9x13"}, "4x6, 5x7 or 8x10"},
		{"an unknown flag", []string{"kiosk", "-colour"}, "-colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(t.Context(), tc.args, mainEnv(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got err %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// printing kiosk -h prints the flags and succeeds.
func TestKioskHelp(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"kiosk", "-h"}, mainEnv(nil), &out); err != nil {
		t.Fatalf("got err %v, want none", err)
	}
	for _, want := range []string{"-photo", "-size", "-out", "-walkthrough"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the usage does not list %s:\n%s", want, out.String())
		}
	}
}
