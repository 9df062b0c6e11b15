package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/valet/printing/internal/web"
)

// config is every setting of PrintShop, read from the environment.
type config struct {
	// LogLevel is the lowest level logged: info by default, where health checks are quiet.
	LogLevel      slog.Level
	Addr          string
	PublicURL     string
	DB            string
	Issuer        string // Accounts' public URL: the browser goes there, and iss must equal it
	AuthServerURL string // back channel to Accounts: metadata, token, revocation
	PhotosURL     string // back channel to Photos' API
	ClientID      string
	ClientSecret  string

	// PhotosPublicURL is Photos' public URL, for links a person follows (/learn links Photos'
	// own sign-in); it defaults to PRINTING_PHOTOS_URL.
	PhotosPublicURL string

	// TokenBinding is PRINTING_TOKEN_BINDING: "bearer" (default) or "dpop" (RFC 9449).
	TokenBinding string
	// The attack lab's switches (workshop/attacks/), off by default.
	InsecureSkipState bool // PRINTING_INSECURE_SKIP_STATE
	InsecureNoPKCE    bool // PRINTING_INSECURE_NO_PKCE
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
	cfg := config{
		Addr:         get("PRINTING_ADDR", ":9000"),
		PublicURL:    get("PRINTING_PUBLIC_URL", "http://localhost:9000"),
		DB:           get("PRINTING_DB", "data/printing.db"),
		Issuer:       get("PRINTING_ISSUER", "http://localhost:9001"),
		PhotosURL:    get("PRINTING_PHOTOS_URL", "http://localhost:9002"),
		ClientID:     get("PRINTING_CLIENT_ID", "printing"),
		ClientSecret: get("PRINTING_CLIENT_SECRET", "printshop-demo-secret"),
	}
	cfg.AuthServerURL = get("PRINTING_AUTHSERVER_URL", cfg.Issuer)
	cfg.PhotosPublicURL = get("PRINTING_PHOTOS_PUBLIC_URL", cfg.PhotosURL)
	urls := []struct{ name, value string }{
		{"PRINTING_PUBLIC_URL", cfg.PublicURL}, {"PRINTING_ISSUER", cfg.Issuer}, {"PRINTING_PHOTOS_URL", cfg.PhotosURL},
	}
	// A variable left to its default is not blamed for the variable it copies.
	if v := getenv("PRINTING_AUTHSERVER_URL"); v != "" {
		urls = append(urls, struct{ name, value string }{"PRINTING_AUTHSERVER_URL", v})
	}
	if v := getenv("PRINTING_PHOTOS_PUBLIC_URL"); v != "" {
		urls = append(urls, struct{ name, value string }{"PRINTING_PHOTOS_PUBLIC_URL", v})
	}
	for _, u := range urls {
		if err := checkURL(u.value); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %s", u.name, u.value, err))
		}
	}
	cfg.TokenBinding = get("PRINTING_TOKEN_BINDING", web.BindingBearer)
	if cfg.TokenBinding != web.BindingBearer && cfg.TokenBinding != web.BindingDPoP {
		errs = append(errs, fmt.Errorf("PRINTING_TOKEN_BINDING=%q: must be bearer or dpop", cfg.TokenBinding))
	}
	for _, sw := range []struct {
		name string
		on   *bool
	}{{"PRINTING_INSECURE_SKIP_STATE", &cfg.InsecureSkipState}, {"PRINTING_INSECURE_NO_PKCE", &cfg.InsecureNoPKCE}} {
		switch v := get(sw.name, "false"); v {
		case "true":
			*sw.on = true
		case "false":
		default:
			errs = append(errs, fmt.Errorf("%s=%q: must be true or false", sw.name, v))
		}
	}
	if v := get("PRINTING_LOG_LEVEL", "info"); cfg.LogLevel.UnmarshalText([]byte(v)) != nil {
		errs = append(errs, fmt.Errorf("PRINTING_LOG_LEVEL=%q: must be debug, info, warn or error", v))
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
	if c.InsecureSkipState {
		on = append(on, "PRINTING_INSECURE_SKIP_STATE")
	}
	if c.InsecureNoPKCE {
		on = append(on, "PRINTING_INSECURE_NO_PKCE")
	}
	return on
}
