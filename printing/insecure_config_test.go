package main

import (
	"slices"
	"strings"
	"testing"
)

// The attack lab's switches are off by default, and a bad value names its variable (contract,
// "Attack lab switches").
func TestConfigAttackLabSwitches(t *testing.T) {
	cfg, err := loadConfig(mainEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.InsecureSkipState || cfg.InsecureNoPKCE || len(cfg.insecureSwitches()) != 0 {
		t.Fatalf("a switch is on by default: %v", cfg.insecureSwitches())
	}
	cfg, err = loadConfig(mainEnv(map[string]string{"PRINTING_INSECURE_SKIP_STATE": "true", "PRINTING_INSECURE_NO_PKCE": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"PRINTING_INSECURE_SKIP_STATE", "PRINTING_INSECURE_NO_PKCE"}; !slices.Equal(cfg.insecureSwitches(), want) {
		t.Fatalf("got %v, want %v", cfg.insecureSwitches(), want)
	}
	for _, name := range []string{"PRINTING_INSECURE_SKIP_STATE", "PRINTING_INSECURE_NO_PKCE"} {
		_, err := loadConfig(mainEnv(map[string]string{name: "on"}))
		if err == nil || !strings.Contains(err.Error(), name+`="on"`) {
			t.Errorf("%s=on: got %v, want an error naming the variable", name, err)
		}
	}
}
