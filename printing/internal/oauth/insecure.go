package oauth

import "golang.org/x/oauth2"

// withoutPKCE is the authorization request with its PKCE taken out: the broken client of the
// attack lab's PRINTING_INSECURE_NO_PKCE. The state stays; the code it brings back is bound to
// no verifier, so whoever holds it can redeem it where the server lets PKCE be optional
// (RFC 9700 §4.5, authorization code injection).
func withoutPKCE(cfg *oauth2.Config, s Start) Start {
	return Start{URL: cfg.AuthCodeURL(s.State), State: s.State}
}
