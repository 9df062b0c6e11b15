package web

// Front channel and back channel use different addresses on purpose (CONTRACT.md,
// Configuration): in Docker Compose, PrintShop reaches Accounts at http://authserver:9001, the
// service's name on the Compose network, while the browser, outside, uses
// http://localhost:9001. Identity checks compare the issuer, never the back-channel address.

import (
	"net"
	"net/url"

	"github.com/valet/printing/internal/flow"
)

// addressNote explains a back-channel request sent to an address other than the public one:
// what the host is, which setting chose it, and what the browser uses instead. It is "" for a
// front-channel step and for a loopback address.
func addressNote(s stepView, issuer string) string {
	if s.Channel != "back" || s.Request == nil {
		return ""
	}
	u, err := url.Parse(s.Request.Endpoint)
	if err != nil || u.Host == "" || isLoopback(u.Hostname()) {
		return ""
	}
	public, setting := issuer, "PRINTING_AUTHSERVER_URL"
	switch s.To {
	case laneName(flow.Accounts):
		if pu, err := url.Parse(issuer); err == nil && pu.Host == u.Host {
			return ""
		}
	case laneName(flow.Photos):
		public, setting = "its public URL", "PRINTING_PHOTOS_URL"
	default:
		return ""
	}
	return u.Host + " is the back-channel address PrintShop uses for " + s.To + " (" + setting + "). In Docker " +
		"Compose, " + u.Hostname() + " is the service name of " + s.To + " on the Compose network: servers reach each " +
		"other by it, but your browser, outside, cannot, and uses " + public + " instead. Tokens are still checked " +
		"against the issuer, " + issuer + ", never against this address."
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
