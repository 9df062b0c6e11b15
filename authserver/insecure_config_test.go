package main

import (
	"strings"
	"testing"
)

// The attack lab's switches are off by default, take only their documented values, and a bad
// value names its variable (contract, "Attack lab switches").
func TestConfigAttackLabSwitches(t *testing.T) {
	cfg, err := loadConfig(testEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.webConfig(); w.InsecureRedirectPrefix || w.InsecurePKCEOptional || w.LabResource != "" {
		t.Fatalf("a switch is on by default: %+v", w)
	}
	cfg, err = loadConfig(testEnv(map[string]string{"AUTHSERVER_INSECURE_REDIRECT_MATCH": "prefix",
		"AUTHSERVER_INSECURE_PKCE_OPTIONAL": "true", "AUTHSERVER_LAB_RESOURCE": "http://localhost:9666"}))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.webConfig(); !w.InsecureRedirectPrefix || !w.InsecurePKCEOptional || w.LabResource != "http://localhost:9666" {
		t.Fatalf("the switches were not read: %+v", w)
	}
	for name, bad := range map[string]string{"AUTHSERVER_INSECURE_REDIRECT_MATCH": "loose",
		"AUTHSERVER_INSECURE_PKCE_OPTIONAL": "yes", "AUTHSERVER_LAB_RESOURCE": "localhost:9666/"} {
		_, err := loadConfig(testEnv(map[string]string{name: bad}))
		if err == nil || !strings.Contains(err.Error(), name+`="`+bad+`"`) {
			t.Errorf("%s=%q: got %v, want an error naming the variable", name, bad, err)
		}
	}
}
