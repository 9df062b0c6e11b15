package main

import (
	"io"
	"strings"
	"testing"
)

// AUTHSERVER_DPOP_NONCE is "true" or "false", default false (RFC 9449 §8 nonces are optional).
// Anything else stops Accounts at start with a line that names the variable.
func TestConfigDPoPNonce(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{{"", false}, {"false", false}, {"true", true}} {
		cfg, err := loadConfig(testEnv(map[string]string{"AUTHSERVER_DPOP_NONCE": tc.value}))
		if err != nil {
			t.Fatalf("AUTHSERVER_DPOP_NONCE=%q: %v", tc.value, err)
		}
		if cfg.webConfig().DPoPNonce != tc.want {
			t.Errorf("AUTHSERVER_DPOP_NONCE=%q: got %v, want %v", tc.value, cfg.webConfig().DPoPNonce, tc.want)
		}
	}
	env := baseEnv(t)
	env["AUTHSERVER_DPOP_NONCE"] = "yes"
	if err := runWithTimeout(t, nil, env, io.Discard); err == nil || !strings.Contains(err.Error(), `AUTHSERVER_DPOP_NONCE="yes": must be true or false`) {
		t.Errorf("AUTHSERVER_DPOP_NONCE=yes: got %v, want an error naming the variable", err)
	}
}
