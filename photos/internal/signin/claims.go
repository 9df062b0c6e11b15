package signin

// The claims of an ID token, checked one by one: OpenID Connect Core 1.0 §3.1.3.7.

import (
	"crypto/subtle"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"
)

// checkIssuer is step 2: "The Issuer Identifier for the OpenID Provider ... MUST exactly match
// the value of the iss (issuer) Claim."
func checkIssuer(tok jwt.Token, want Expected) error {
	if tok.Issuer() != want.Issuer {
		return refuse("iss", "iss is %q, but Photos signs in with %s only", tok.Issuer(), want.Issuer)
	}
	return nil
}

// checkAudience is step 3: "The Client MUST validate that the aud (audience) Claim contains its
// client_id value ... The ID Token MUST be rejected if the ID Token does not list the Client as
// a valid audience, or if it contains additional audiences not trusted by the Client." Photos
// trusts no other audience.
func checkAudience(tok jwt.Token, want Expected) error {
	aud := tok.Audience()
	if !slices.Contains(aud, want.ClientID) {
		return refuse("aud", "aud is %q, which does not list Photos' client_id %s: this ID token was issued to another app", aud, want.ClientID)
	}
	if len(aud) != 1 {
		return refuse("aud", "aud is %q: Photos trusts no audience besides its own client_id %s", aud, want.ClientID)
	}
	return nil
}

// checkAuthorizedParty is steps 4 and 5: "If an azp (authorized party) Claim is present, the
// Client SHOULD verify that its client_id is the Claim Value." Accounts always sends azp.
func checkAuthorizedParty(tok jwt.Token, want Expected) error {
	v, ok := tok.Get("azp")
	if !ok {
		return nil
	}
	if azp, _ := v.(string); azp != want.ClientID {
		return refuse("azp", "azp is %v, but the token must be issued to Photos' client_id %s", v, want.ClientID)
	}
	return nil
}

// checkExpiry is step 9: "The current time MUST be before the time represented by the exp
// Claim (possibly allowing for some small leeway to account for clock skew)."
func checkExpiry(tok jwt.Token, want Expected) error {
	exp := tok.Expiration()
	if exp.IsZero() {
		return refuse("exp", "the exp claim is missing (REQUIRED, OpenID Connect Core §2)")
	}
	if !want.Now.Before(exp.Add(MaxSkew)) {
		return refuse("exp", "the ID token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkIssuedAt is step 10: "The iat Claim can be used to reject tokens that were issued too far
// away from the current time". iat is REQUIRED (§2).
func checkIssuedAt(tok jwt.Token, want Expected) error {
	iat := tok.IssuedAt()
	switch {
	case iat.IsZero():
		return refuse("iat", "the iat claim is missing (REQUIRED, OpenID Connect Core §2)")
	case want.Now.Before(iat.Add(-MaxSkew)):
		return refuse("iat", "the ID token was issued in the future (iat %s)", iat.UTC().Format(time.RFC3339))
	case want.Now.After(iat.Add(MaxAge)):
		return refuse("iat", "the ID token was issued at %s, more than %s ago: it was not minted for this sign-in", iat.UTC().Format(time.RFC3339), MaxAge)
	}
	return nil
}

// checkNonce is step 11: "If a nonce value was sent in the Authentication Request, a nonce Claim
// MUST be present and its value checked to verify that it is the same value as the one that was
// sent in the Authentication Request." It binds the ID token to this browser's sign-in, so a
// token stolen from another sign-in cannot be replayed here (§15.5.2).
func checkNonce(tok jwt.Token, want Expected) error {
	v, _ := tok.Get("nonce")
	got, _ := v.(string)
	if got == "" {
		return refuse("nonce", "the nonce claim is missing, but this sign-in sent one")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want.Nonce)) != 1 {
		return refuse("nonce", "the nonce is not the one this sign-in sent: the ID token belongs to another sign-in")
	}
	return nil
}

// checkSubject: sub is REQUIRED (§2), and it is who signs in.
func checkSubject(tok jwt.Token, _ Expected) error {
	if tok.Subject() == "" {
		return refuse("sub", "the sub claim is missing (REQUIRED, OpenID Connect Core §2)")
	}
	return nil
}
