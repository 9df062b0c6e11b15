//go:build ex03

package oauth

// Workshop exercise 03: check the authorization server's metadata (workshop/03-metadata.md).
//
// Goal: PrintShop fetched Accounts' metadata (RFC 8414) over the back channel. Before it sends
// a user or a code anywhere the metadata names, decide whether to trust it. Return nil to use
// it, or an error that says which check failed.
//
// The rules:
//   - RFC 8414 §3.3: the "issuer" value "MUST be identical" to the issuer PrintShop expects
//     (the issuer argument, PRINTING_ISSUER). "If these values are not identical, the data
//     contained in the response MUST NOT be used."
//   - PrintShop only authorizes with PKCE S256 (RFC 7636 §4.2, RFC 9700 §2.1.1): the metadata
//     must list S256 in CodeChallengeMethods.
//   - Every endpoint (authorization, token, revocation) must be on the issuer's URL.
//
// Hints:
//  1. Identical means byte for byte: no trimming, no lower-casing, no trailing-slash fixes.
//  2. "On the issuer's URL" is a prefix test, but on what? http://accounts.example.evil.test
//     starts with http://accounts.example. The helper onIssuer (client.go) gets it right.
//
// Check: make exercise N=03. Run it live: make run TAGS=ex03.

// checkMetadata decides whether PrintShop may use metadata m, fetched for issuer.
func checkMetadata(m Metadata, issuer string) error {
	// The starting point trusts everything it is sent. Replace this.
	return nil
}
