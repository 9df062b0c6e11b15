package web

// Authorization server metadata, RFC 8414, also served as the OpenID Connect discovery document
// (OpenID Connect Discovery 1.0 §3): one issuer, one set of endpoints and keys.

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/dpop"
	"github.com/valet/authserver/internal/keys"
)

// metadata is the RFC 8414 §2 document. The issuer is the public URL verbatim, and every
// endpoint is built on it, never on the back-channel URL a container might use.
type metadata struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	JWKSURI                                string   `json:"jwks_uri"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	UserinfoEndpoint                       string   `json:"userinfo_endpoint"`
	ScopesSupported                        []string `json:"scopes_supported"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	ResponseModesSupported                 []string `json:"response_modes_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethodsSupported      []string `json:"introspection_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
	AuthorizationResponseISSSupported      bool     `json:"authorization_response_iss_parameter_supported"`
	SubjectTypesSupported                  []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported       []string `json:"id_token_signing_alg_values_supported"`
	PromptValuesSupported                  []string `json:"prompt_values_supported"`
	ClaimsSupported                        []string `json:"claims_supported"`
	// EndSessionEndpoint is OpenID Connect RP-Initiated Logout 1.0 §2.1.
	EndSessionEndpoint          string `json:"end_session_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
	// DPoPSigningAlgValuesSupported is RFC 9449 §5.1: the algorithms a DPoP proof may use.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported"`
}

// newMetadata describes Accounts. The implicit flow is listed only while it is on: the contract
// says grant_types_supported never lists implicit "unless the implicit exhibit is on", and a
// client must not be told it may use what Accounts refuses.
func newMetadata(issuer string, enableImplicit bool) metadata {
	scopes := make([]string, len(Scopes))
	for i, s := range Scopes {
		scopes[i] = s.Name
	}
	m := metadata{
		Issuer:                                 issuer,
		AuthorizationEndpoint:                  issuer + "/authorize",
		TokenEndpoint:                          issuer + "/token",
		JWKSURI:                                issuer + "/.well-known/jwks.json",
		RevocationEndpoint:                     issuer + "/revoke",
		IntrospectionEndpoint:                  issuer + "/introspect",
		UserinfoEndpoint:                       issuer + "/userinfo",
		ScopesSupported:                        scopes,
		ResponseTypesSupported:                 []string{"code"},
		ResponseModesSupported:                 []string{"query"},
		GrantTypesSupported:                    []string{"authorization_code", "refresh_token", "client_credentials"},
		TokenEndpointAuthMethodsSupported:      []string{"client_secret_basic", "client_secret_post", "none"},
		RevocationEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		IntrospectionAuthMethodsSupported:      []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:          []string{"S256"},
		AuthorizationResponseISSSupported:      true,
		SubjectTypesSupported:                  []string{"public"},
		IDTokenSigningAlgValuesSupported:       []string{keys.IDTokenAlg.String()},
		PromptValuesSupported:                  []string{"none", "login", "consent"},
		ClaimsSupported:                        []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "name"},
		EndSessionEndpoint:                     issuer + "/end-session",
		// RFC 8628 §4: the device authorization endpoint, for the photo kiosk.
		DeviceAuthorizationEndpoint: issuer + "/device_authorization",
	}
	m.DPoPSigningAlgValuesSupported = dpop.AlgorithmNames()
	m.GrantTypesSupported = append(m.GrantTypesSupported, deviceCodeGrantType)
	if enableImplicit {
		// RFC 8414 §2: response_types_supported and response_modes_supported (the token
		// answers in the fragment, RFC 6749 §4.2.2), and grant_types_supported "implicit".
		m.ResponseTypesSupported = append(m.ResponseTypesSupported, "token")
		m.ResponseModesSupported = append(m.ResponseModesSupported, "fragment")
		m.GrantTypesSupported = append(m.GrantTypesSupported, "implicit")
	}
	return m
}

// handleMetadata serves the metadata document.
func handleMetadata(doc metadata) echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.JSON(http.StatusOK, doc)
	}
}
