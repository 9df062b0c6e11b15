package web

import "testing"

// RFC 9207 §2.4: the iss of an authorization response must be present (Accounts advertises
// authorization_response_iss_parameter_supported) and equal the issuer, by simple string
// comparison.
func TestCheckResponseIssuer(t *testing.T) {
	const issuer = "http://localhost:9001"
	tests := []struct {
		name string
		iss  string
		ok   bool
	}{
		{"the issuer passes", issuer, true},
		{"a missing iss is refused (§2.4)", "", false},
		{"another issuer is refused: a mix-up (§2.4)", "http://evil.example", false},
		{"a trailing slash is another string (§2.4: simple string comparison)", issuer + "/", false},
		{"another case is another string", "HTTP://localhost:9001", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkResponseIssuer(tc.iss, issuer); (err == nil) != tc.ok {
				t.Errorf("got %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
