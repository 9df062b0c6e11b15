//go:build !ex03

package oauth

// Workshop exercise 03 (workshop/03-metadata.md): the solution. Its twin, metadata_ex03.go,
// is the student's starting file, built with -tags ex03.

import (
	"errors"
	"fmt"
	"slices"
)

// checkMetadata refuses metadata that does not come from the expected issuer. RFC 8414 §3.3:
// "The "issuer" value returned MUST be identical to the authorization server's issuer
// identifier value into which the well-known URI string was inserted to create the URL used to
// retrieve the metadata. If these values are not identical, the data contained in the response
// MUST NOT be used." PrintShop fetched it over the back channel, so it compares with the
// configured public issuer.
func checkMetadata(m Metadata, issuer string) error {
	if m.Issuer != issuer {
		return fmt.Errorf("the metadata names issuer %q, but PrintShop expects %q (PRINTING_ISSUER); it was not used (RFC 8414 §3.3)", m.Issuer, issuer)
	}
	if !slices.Contains(m.CodeChallengeMethods, "S256") {
		return errors.New("Accounts does not list PKCE S256 in code_challenge_methods_supported; PrintShop will not authorize without it")
	}
	for _, endpoint := range []string{m.AuthorizationEndpoint, m.TokenEndpoint, m.RevocationEndpoint} {
		if !onIssuer(endpoint, issuer) {
			return fmt.Errorf("the metadata's endpoint %q is not on the issuer's URL; PrintShop will not send users, codes or tokens there", endpoint)
		}
	}
	return nil
}
