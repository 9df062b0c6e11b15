package web

import "testing"

// RFC 7662 §2.1 lets the client name no token_type_hint, so introspection tells the two kinds
// of token apart by shape: an access token is a JWS in compact serialization (RFC 7515 §7.1),
// and a refresh token is a random base64url string with no dot. If a refresh token could look
// like a JWS, introspection would call a live refresh token inactive.
func TestIsCompactJWSTellsAccessFromRefreshTokensRFC7515Section7_1(t *testing.T) {
	for range 1000 {
		if token := randomToken(); isCompactJWS(token) {
			t.Fatalf("refresh token %q has the shape of a JWS; introspection would never look it up", token)
		}
	}
	tests := []struct {
		name  string
		token string
		want  bool
	}{
		{"three parts are a JWS", "eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln", true},
		{"no dot is a refresh token", "Zm9vYmFyYmF6", false},
		{"two parts are not a JWS", "a.b", false},
		{"five parts (a JWE) are not a JWS", "a.b.c.d.e", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isCompactJWS(tc.token); got != tc.want {
				t.Errorf("isCompactJWS(%q) = %v, want %v", tc.token, got, tc.want)
			}
		})
	}
}
