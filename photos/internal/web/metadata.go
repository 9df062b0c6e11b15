package web

// OAuth 2.0 Protected Resource Metadata, RFC 9728: how a client learns which authorization
// server issues tokens for Photos, and which scopes exist.

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/dpop"
)

// Scope is one permission of the photos API, with the plain words the home page uses.
type Scope struct {
	Name, Description string
}

// Scopes lists the scopes Photos understands.
var Scopes = []Scope{
	{"photos.read", "see photos, albums and image bytes"},
	{"photos.write", "upload photos"},
	{"photos.delete", "delete photos"},
}

// resourceMetadata is the RFC 9728 §2 document.
type resourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name"`
	ResourceDocumentation  string   `json:"resource_documentation"`
	// DPoPSigningAlgValuesSupported is RFC 9728 §2: the algorithms Photos takes in DPoP
	// proofs (RFC 9449), the same list as its WWW-Authenticate's algs.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported"`
}

// handleResourceMetadata serves the metadata. resource is Photos' public URL, the same string
// Accounts puts in aud (RFC 9728 §3.3: it must match the URL the metadata was fetched for).
func handleResourceMetadata(cfg Config) echo.HandlerFunc {
	doc := resourceMetadata{
		Resource:               cfg.PublicURL,
		AuthorizationServers:   []string{cfg.Issuer},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Photos",
		ResourceDocumentation:  cfg.PublicURL + "/",
		// Bound tokens are not required (no dpop_bound_access_tokens_required): bearer tokens
		// keep working, and a DPoP-bound token is held to its key.
		DPoPSigningAlgValuesSupported: dpop.AlgorithmNames(),
	}
	for _, s := range Scopes {
		doc.ScopesSupported = append(doc.ScopesSupported, s.Name)
	}
	return func(c echo.Context) error {
		return c.JSON(http.StatusOK, doc)
	}
}
