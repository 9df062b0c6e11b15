package web

// The attack lab's switches (workshop/attacks/): each one weakens a single check of Accounts so
// that a workshop can watch the attack it stops succeed. All are off by default. Each is an `if`
// beside the check it weakens; this file only names them, for the WARN log line and the red
// banner on every page.

import (
	"fmt"
	"strings"

	"github.com/valet/authserver/internal/store"
)

// insecureSwitches names every switch that is on, by its environment variable.
func insecureSwitches(cfg Config) []string {
	var on []string
	if cfg.InsecureRedirectPrefix {
		on = append(on, "AUTHSERVER_INSECURE_REDIRECT_MATCH")
	}
	if cfg.InsecurePKCEOptional {
		on = append(on, "AUTHSERVER_INSECURE_PKCE_OPTIONAL")
	}
	if cfg.EnableImplicit {
		on = append(on, "AUTHSERVER_ENABLE_IMPLICIT")
	}
	if cfg.LabResource != "" {
		on = append(on, "AUTHSERVER_LAB_RESOURCE")
	}
	return on
}

// checkRedirectURIPrefix is the broken rule the attack lab switches on with
// AUTHSERVER_INSECURE_REDIRECT_MATCH=prefix: a redirect_uri is accepted when it starts with a
// registered one. RFC 9700 §4.1.1 tells why this is wrong: with a registered origin such as
// http://localhost:9000, the URI http://localhost:9000@localhost:9666/steal starts with it, yet
// its host is the attacker's (the part before @ is user information, RFC 3986 §3.2.1).
func checkRedirectURIPrefix(client store.Client, redirectURI string) error {
	if redirectURI == "" {
		return badAuthorizeRequest("The request has no redirect_uri.")
	}
	for _, registered := range client.RedirectURIs {
		if strings.HasPrefix(redirectURI, registered) {
			return nil
		}
	}
	return badAuthorizeRequest(fmt.Sprintf("The redirect_uri %s does not even start with a URI registered for %s.",
		quote(redirectURI), client.Name))
}
