package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/registry"
	"github.com/valet/authserver/internal/web"
)

// config is every setting of Accounts, read from the environment.
type config struct {
	// LogLevel is the lowest level logged: info by default, where health checks are quiet.
	LogLevel        slog.Level
	Addr            string
	PublicURL       string
	DB              string
	Clients         []registry.Client
	Audience        string
	SigningAlg      jwa.SignatureAlgorithm
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// EnableImplicit opens the implicit flow (response_type=token) to clients registered for
	// it, such as the demo client legacy: a museum piece, off by default (RFC 9700 §2.1.2).
	EnableImplicit bool
	// DPoPNonce requires a server-provided nonce in DPoP proofs at /token (RFC 9449 §8).
	DPoPNonce bool
	// The attack lab's switches (workshop/attacks/): each weakens one check, off by default.
	// InsecureRedirectPrefix is AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix, InsecurePKCEOptional
	// is AUTHSERVER_INSECURE_PKCE_OPTIONAL=true. LabResource (AUTHSERVER_LAB_RESOURCE) is a second
	// resource server a token may be asked for with RFC 8707's resource parameter: the attacker's.
	InsecureRedirectPrefix bool
	InsecurePKCEOptional   bool
	LabResource            string
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
		Addr:      get("AUTHSERVER_ADDR", ":9001"),
		PublicURL: get("AUTHSERVER_PUBLIC_URL", "http://localhost:9001"),
		DB:        get("AUTHSERVER_DB", "data/authserver.db"),
		Audience:  get("AUTHSERVER_AUDIENCE", "http://localhost:9002"),
	}
	if err := checkListenAddr(cfg.Addr); err != nil {
		bad("AUTHSERVER_ADDR", cfg.Addr, err.Error())
	}
	if err := checkPublicURL(cfg.PublicURL); err != nil {
		bad("AUTHSERVER_PUBLIC_URL", cfg.PublicURL, err.Error())
	}
	if err := checkPublicURL(cfg.Audience); err != nil {
		bad("AUTHSERVER_AUDIENCE", cfg.Audience, err.Error())
	}
	alg := get("AUTHSERVER_SIGNING_ALG", "RS256")
	for _, a := range keys.Algorithms {
		if a.String() == alg {
			cfg.SigningAlg = a
		}
	}
	if cfg.SigningAlg == "" {
		bad("AUTHSERVER_SIGNING_ALG", alg, "must be RS256, ES256 or EdDSA")
	}
	duration := func(name, def string, max time.Duration) time.Duration {
		raw := get(name, def)
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Second || d > max {
			bad(name, raw, fmt.Sprintf("must be a Go duration from 1s to %s, such as %s", max, def))
		}
		return d
	}
	cfg.AccessTokenTTL = duration("AUTHSERVER_ACCESS_TOKEN_TTL", "10m", 24*time.Hour)
	cfg.RefreshTokenTTL = duration("AUTHSERVER_REFRESH_TOKEN_TTL", "24h", 90*24*time.Hour)
	switch raw := get("AUTHSERVER_ENABLE_IMPLICIT", "false"); raw {
	case "true":
		cfg.EnableImplicit = true
	case "false":
	default:
		bad("AUTHSERVER_ENABLE_IMPLICIT", raw, "must be true or false")
	}
	switch raw := get("AUTHSERVER_INSECURE_REDIRECT_MATCH", "exact"); raw {
	case "prefix":
		cfg.InsecureRedirectPrefix = true
	case "exact":
	default:
		bad("AUTHSERVER_INSECURE_REDIRECT_MATCH", raw, "must be exact or prefix (prefix is the attack lab's weakness)")
	}
	switch raw := get("AUTHSERVER_INSECURE_PKCE_OPTIONAL", "false"); raw {
	case "true":
		cfg.InsecurePKCEOptional = true
	case "false":
	default:
		bad("AUTHSERVER_INSECURE_PKCE_OPTIONAL", raw, "must be true or false")
	}
	if cfg.LabResource = getenv("AUTHSERVER_LAB_RESOURCE"); cfg.LabResource != "" {
		if err := checkPublicURL(cfg.LabResource); err != nil {
			bad("AUTHSERVER_LAB_RESOURCE", cfg.LabResource, err.Error())
		}
	}

	switch raw := get("AUTHSERVER_DPOP_NONCE", "false"); raw {
	case "true":
		cfg.DPoPNonce = true
	case "false":
	default:
		bad("AUTHSERVER_DPOP_NONCE", raw, "must be true or false")
	}

	cfg.Clients = registry.DefaultClients()
	if path := getenv("AUTHSERVER_CLIENTS_FILE"); path != "" {
		clients, err := registry.LoadClientsFile(path)
		if err != nil {
			bad("AUTHSERVER_CLIENTS_FILE", path, err.Error())
		}
		cfg.Clients = clients
	}
	if err := registry.Validate(cfg.Clients, web.KnownScope); err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			bad("AUTHSERVER_CLIENTS_FILE", getenv("AUTHSERVER_CLIENTS_FILE"), e)
		}
	}
	if v := get("AUTHSERVER_LOG_LEVEL", "info"); cfg.LogLevel.UnmarshalText([]byte(v)) != nil {
		errs = append(errs, fmt.Errorf("AUTHSERVER_LOG_LEVEL=%q: must be debug, info, warn or error", v))
	}
	return cfg, errors.Join(errs...)
}

// checkListenAddr accepts what net.Listen takes for TCP: a host (or none) and a port. A typo is
// reported with the other bad variables, before the store is opened.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("not a listen address such as :9001 or 127.0.0.1:9001 (%v)", err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// checkPublicURL accepts an absolute http or https URL with no path, query, fragment, user
// information or trailing slash: it is used verbatim as an identifier (RFC 8414 §2: the issuer
// has "no query or fragment components"), and the metadata lives at its /.well-known/ path.
func checkPublicURL(raw string) error {
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
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(raw, "#") || strings.Contains(raw, "?"):
		return errors.New("must not have a query or fragment")
	case strings.HasSuffix(raw, "/"):
		return errors.New("must not end with a slash; it is compared verbatim")
	case u.Path != "":
		return errors.New("must not have a path: use scheme://host[:port]")
	}
	return nil
}

// webConfig is the part of the configuration the web layer needs.
func (c config) webConfig() web.Config {
	return web.Config{
		Issuer:                 c.PublicURL,
		Audience:               c.Audience,
		SigningAlg:             c.SigningAlg,
		AccessTokenTTL:         c.AccessTokenTTL,
		RefreshTokenTTL:        c.RefreshTokenTTL,
		EnableImplicit:         c.EnableImplicit,
		DPoPNonce:              c.DPoPNonce,
		InsecureRedirectPrefix: c.InsecureRedirectPrefix,
		InsecurePKCEOptional:   c.InsecurePKCEOptional,
		LabResource:            c.LabResource,
	}
}
