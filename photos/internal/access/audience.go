package access

import "slices"

// hasAudience reports whether Photos is one of the token's audiences. RFC 9068 §4: the resource
// server "MUST validate that the aud claim contains a resource indicator value corresponding to
// an identifier the resource server expects for itself", and RFC 7519 §4.1.3: "If the principal
// processing the claim does not identify itself with a value in the "aud" claim ..., then the
// JWT MUST be rejected." "Contains": a sign-in token that also opens photos is meant for Photos
// and for Accounts' /userinfo, and names both.
func hasAudience(aud []string, want string) bool {
	return slices.Contains(aud, want)
}

// audienceList reads aud from an introspection answer: one string or a list (RFC 7662 §2.2).
func audienceList(aud any) []string {
	switch v := aud.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
