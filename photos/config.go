package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// config is every setting of Photos, read from the environment.
type config struct {
	// LogLevel is the lowest level logged: info by default, where health checks are quiet.
	LogLevel      slog.Level
	Addr          string
	PublicURL     string
	DB            string
	Issuer        string
	Audience      string
	AuthServerURL string // back channel to Accounts: JWKS and introspection
	TokenCheck    string // "jwt" or "introspect"
	ClientID      string // Photos' client at Accounts, for introspection
	ClientSecret  string
	DemoLibrary   bool
	// WebClientID and WebClientSecret register Photos' own web app at Accounts (sign-in with
	// OpenID Connect).
	WebClientID, WebClientSecret string
	// PrintShopURL is PrintShop's public URL, linked from /me.
	PrintShopURL string
	// The attack lab's switches (workshop/attacks/), off by default: PHOTOS_INSECURE_ACCEPT_ALG_NONE
	// and PHOTOS_INSECURE_SKIP_AUDIENCE. Each weakens one check of JWT access tokens.
	InsecureAcceptAlgNone bool
	InsecureSkipAudience  bool
}

// loadConfig reads the environment. It reports every bad variable at once, one line each,
// naming the variable.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	get := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	bad := func(name, value, why string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", name, value, why))
	}
	cfg := config{
		Addr:         get("PHOTOS_ADDR", ":9002"),
		PublicURL:    get("PHOTOS_PUBLIC_URL", "http://localhost:9002"),
		DB:           get("PHOTOS_DB", "data/photos.db"),
		Issuer:       get("PHOTOS_ISSUER", "http://localhost:9001"),
		TokenCheck:   get("PHOTOS_TOKEN_CHECK", "jwt"),
		ClientID:     get("PHOTOS_CLIENT_ID", "photos"),
		ClientSecret: get("PHOTOS_CLIENT_SECRET", "photos-demo-secret"),
		// The demo secret is public on purpose, like Accounts' built-in photos-web client.
		WebClientID:     get("PHOTOS_WEB_CLIENT_ID", "photos-web"),
		WebClientSecret: get("PHOTOS_WEB_CLIENT_SECRET", "photos-web-demo-secret"),
		PrintShopURL:    get("PHOTOS_PRINTSHOP_URL", "http://localhost:9000"),
	}
	cfg.Audience = get("PHOTOS_AUDIENCE", cfg.PublicURL)
	cfg.AuthServerURL = get("PHOTOS_AUTHSERVER_URL", cfg.Issuer)
	urls := []struct{ name, value string }{{"PHOTOS_PUBLIC_URL", cfg.PublicURL}, {"PHOTOS_ISSUER", cfg.Issuer},
		{"PHOTOS_PRINTSHOP_URL", cfg.PrintShopURL}}
	// A variable left to its default is not blamed for the variable it copies.
	for _, name := range []string{"PHOTOS_AUDIENCE", "PHOTOS_AUTHSERVER_URL"} {
		if v := getenv(name); v != "" {
			urls = append(urls, struct{ name, value string }{name, v})
		}
	}
	for _, u := range urls {
		if err := checkURL(u.value); err != nil {
			bad(u.name, u.value, err.Error())
		}
	}
	if cfg.TokenCheck != "jwt" && cfg.TokenCheck != "introspect" {
		bad("PHOTOS_TOKEN_CHECK", cfg.TokenCheck, "must be jwt (check signatures with Accounts' keys) or introspect (ask Accounts)")
	}
	switch v := get("PHOTOS_DEMO_LIBRARY", "true"); v {
	case "true":
		cfg.DemoLibrary = true
	case "false":
	default:
		bad("PHOTOS_DEMO_LIBRARY", v, "must be true or false")
	}
	for _, sw := range []struct {
		name string
		on   *bool
	}{{"PHOTOS_INSECURE_ACCEPT_ALG_NONE", &cfg.InsecureAcceptAlgNone}, {"PHOTOS_INSECURE_SKIP_AUDIENCE", &cfg.InsecureSkipAudience}} {
		switch v := get(sw.name, "false"); v {
		case "true":
			*sw.on = true
			if cfg.TokenCheck != "jwt" {
				bad(sw.name, v, "weakens the JWT check only; use it with PHOTOS_TOKEN_CHECK=jwt")
			}
		case "false":
		default:
			bad(sw.name, v, "must be true or false")
		}
	}
	if v := get("PHOTOS_LOG_LEVEL", "info"); cfg.LogLevel.UnmarshalText([]byte(v)) != nil {
		errs = append(errs, fmt.Errorf("PHOTOS_LOG_LEVEL=%q: must be debug, info, warn or error", v))
	}
	return cfg, errors.Join(errs...)
}

// checkURL accepts an absolute http or https URL with no path, query, fragment, user
// information or trailing slash: these are identifiers compared verbatim, or bases that paths
// are appended to.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must start with http:// or https://")
	case u.Host == "":
		return errors.New("must name a host")
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	case u.RawQuery != "" || strings.ContainsAny(raw, "?#"):
		return errors.New("must not have a query or fragment")
	case strings.HasSuffix(raw, "/"):
		return errors.New("must not end with a slash; it is compared verbatim")
	case u.Path != "":
		return errors.New("must not have a path: use scheme://host[:port]")
	}
	return nil
}

// insecureSwitches names the attack lab's switches that are on, by variable.
func (c config) insecureSwitches() []string {
	var on []string
	if c.InsecureAcceptAlgNone {
		on = append(on, "PHOTOS_INSECURE_ACCEPT_ALG_NONE")
	}
	if c.InsecureSkipAudience {
		on = append(on, "PHOTOS_INSECURE_SKIP_AUDIENCE")
	}
	return on
}
