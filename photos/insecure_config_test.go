package main

import (
	"slices"
	"strings"
	"testing"
)

// The attack lab's switches are off by default, weaken the JWT check only, and a bad value
// names its variable (contract, "Attack lab switches").
func TestConfigAttackLabSwitches(t *testing.T) {
	cfg, err := loadConfig(mainTestEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.insecureSwitches()) != 0 {
		t.Fatalf("switches on by default: %v", cfg.insecureSwitches())
	}
	cfg, err = loadConfig(mainTestEnv(map[string]string{"PHOTOS_INSECURE_ACCEPT_ALG_NONE": "true", "PHOTOS_INSECURE_SKIP_AUDIENCE": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"PHOTOS_INSECURE_ACCEPT_ALG_NONE", "PHOTOS_INSECURE_SKIP_AUDIENCE"}; !slices.Equal(cfg.insecureSwitches(), want) {
		t.Fatalf("got %v, want %v", cfg.insecureSwitches(), want)
	}
	for _, tc := range []map[string]string{
		{"PHOTOS_INSECURE_ACCEPT_ALG_NONE": "yes"},
		{"PHOTOS_INSECURE_SKIP_AUDIENCE": "true", "PHOTOS_TOKEN_CHECK": "introspect"},
	} {
		_, err := loadConfig(mainTestEnv(tc))
		for name := range tc {
			if strings.HasPrefix(name, "PHOTOS_INSECURE_") && (err == nil || !strings.Contains(err.Error(), name)) {
				t.Errorf("%v: got %v, want an error naming %s", tc, err, name)
			}
		}
	}
}
