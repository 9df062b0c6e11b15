package main

import (
	"io"
	"strings"
	"testing"
)

// AUTHSERVER_ENABLE_IMPLICIT is "true" or "false", default false. Anything else stops Accounts
// at start with a line that names the variable (contract, Configuration).
func TestConfigEnableImplicit(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"", false},
		{"false", false},
		{"true", true},
	}
	for _, tc := range tests {
		cfg, err := loadConfig(testEnv(map[string]string{"AUTHSERVER_ENABLE_IMPLICIT": tc.value}))
		if err != nil {
			t.Fatalf("AUTHSERVER_ENABLE_IMPLICIT=%q: %v", tc.value, err)
		}
		if cfg.EnableImplicit != tc.want || cfg.webConfig().EnableImplicit != tc.want {
			t.Errorf("AUTHSERVER_ENABLE_IMPLICIT=%q: got %v, want %v", tc.value, cfg.EnableImplicit, tc.want)
		}
	}
	for _, bad := range []string{"yes", "1", "TRUE", "on"} {
		env := baseEnv(t)
		env["AUTHSERVER_ENABLE_IMPLICIT"] = bad
		err := runWithTimeout(t, nil, env, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `AUTHSERVER_ENABLE_IMPLICIT="`+bad+`": must be true or false`) {
			t.Errorf("AUTHSERVER_ENABLE_IMPLICIT=%q: got %v, want an error naming the variable", bad, err)
		}
	}
}
