package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/valet/attacker/internal/web"
)

// loadConfig reads the environment. It reports every bad variable at once, one line each,
// naming the variable. Public URLs are what a browser is sent to; the *_BACKCHANNEL_URL ones are
// where the attacker's server itself calls (in Docker Compose, the service names).
func loadConfig(getenv func(string) string) (web.Config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	cfg := web.Config{
		Addr:         get("ATTACKER_ADDR", ":9666"),
		PublicURL:    get("ATTACKER_PUBLIC_URL", "http://localhost:9666"),
		AccountsURL:  get("ATTACKER_ACCOUNTS_URL", "http://localhost:9001"),
		PhotosURL:    get("ATTACKER_PHOTOS_URL", "http://localhost:9002"),
		PrintShopURL: get("ATTACKER_PRINTSHOP_URL", "http://localhost:9000"),
	}
	cfg.AccountsBackChannel = get("ATTACKER_ACCOUNTS_BACKCHANNEL_URL", cfg.AccountsURL)
	cfg.PhotosBackChannel = get("ATTACKER_PHOTOS_BACKCHANNEL_URL", cfg.PhotosURL)
	for _, v := range []struct{ name, value string }{
		{"ATTACKER_PUBLIC_URL", cfg.PublicURL}, {"ATTACKER_ACCOUNTS_URL", cfg.AccountsURL},
		{"ATTACKER_PHOTOS_URL", cfg.PhotosURL}, {"ATTACKER_PRINTSHOP_URL", cfg.PrintShopURL},
		{"ATTACKER_ACCOUNTS_BACKCHANNEL_URL", cfg.AccountsBackChannel}, {"ATTACKER_PHOTOS_BACKCHANNEL_URL", cfg.PhotosBackChannel},
	} {
		if err := checkURL(v.value); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %s", v.name, v.value, err))
		}
	}
	return cfg, errors.Join(errs...)
}

// checkURL accepts an absolute http or https URL with no path, query or trailing slash.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must start with http:// or https://")
	case u.Host == "":
		return errors.New("must name a host")
	case u.Path != "" || u.RawQuery != "" || strings.HasSuffix(raw, "/"):
		return errors.New("must be scheme://host[:port], with no path or trailing slash")
	}
	return nil
}
