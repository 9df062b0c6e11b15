package web

import "fmt"

// checkResponseIssuer is RFC 9207 §2.4: clients "MUST ... compare the result to the issuer
// identifier of the authorization server where the authorization request was sent to. This
// comparison MUST use simple string comparison", and "MUST reject authorization responses
// without the iss parameter from authorization servers that do support the iss parameter", as
// Accounts does. It stops a mix-up attack: a code from another authorization server, sent to
// Photos' callback, is refused before it is ever redeemed.
func checkResponseIssuer(iss, issuer string) error {
	switch {
	case iss == "":
		return fmt.Errorf("the response has no iss parameter, but Accounts always sends one (RFC 9207 §2.4)")
	case iss != issuer:
		return fmt.Errorf("the response comes from iss %q, but Photos sent you to %s (RFC 9207 §2.4)", iss, issuer)
	}
	return nil
}
