package oauth

// Workshop exercise 03's checker: RFC 8414 §3.3, the metadata's issuer must be identical to the
// one PrintShop expects, and what the metadata points at must be on that issuer.

import "testing"

func TestExercise03MetadataRFC8414Section3_3(t *testing.T) {
	readNext(t, "RFC 8414 §3.3 (issuer identical) and RFC 9207 §2.4; workshop/03-metadata.md, hints 1 and 2")
	const issuer = "http://accounts.example"
	good := func() Metadata {
		return Metadata{
			Issuer:                issuer,
			AuthorizationEndpoint: issuer + "/authorize",
			TokenEndpoint:         issuer + "/token",
			RevocationEndpoint:    issuer + "/revoke",
			CodeChallengeMethods:  []string{"S256"},
		}
	}
	cases := []struct {
		name    string
		change  func(m *Metadata)
		mistake string // what a student's check that accepts this got wrong
	}{
		{"another issuer is refused, RFC 8414 §3.3", func(m *Metadata) { m.Issuer = "http://evil.example" },
			"your check accepted metadata that names another issuer: RFC 8414 §3.3 says such data MUST NOT be used (a mix-up attacker serves it)"},
		{"a trailing slash is another issuer, RFC 8414 §3.3", func(m *Metadata) { m.Issuer = issuer + "/" },
			"your check accepted issuer \"" + issuer + "/\" for \"" + issuer + "\": identical means byte for byte, do not trim or normalise (hint 1)"},
		{"a different case is another issuer, RFC 8414 §3.3", func(m *Metadata) { m.Issuer = "HTTP://Accounts.Example" },
			"your check compared the issuer ignoring case (strings.EqualFold?): identical means byte for byte (hint 1)"},
		{"an issuer that merely starts with ours is refused, RFC 8414 §3.3", func(m *Metadata) { m.Issuer = issuer + ".evil.test" },
			"your check accepted an issuer that only starts with the expected one: use ==, not strings.HasPrefix"},
		{"no S256 is refused, RFC 7636 §4.2", func(m *Metadata) { m.CodeChallengeMethods = []string{"plain"} },
			"your check accepted metadata without S256 in code_challenge_methods_supported: PrintShop only authorizes with PKCE S256 (RFC 9700 §2.1.1)"},
		{"a token endpoint elsewhere is refused", func(m *Metadata) { m.TokenEndpoint = "http://evil.example/token" },
			"your check accepted a token endpoint on another host: PrintShop would send codes and its client secret there"},
		{"an authorization endpoint on a look-alike host is refused", func(m *Metadata) { m.AuthorizationEndpoint = issuer + ".evil.test/authorize" },
			"your check accepted http://accounts.example.evil.test/authorize: a prefix test without the \"/\" lets a look-alike host pass (hint 2: use onIssuer)"},
		{"a revocation endpoint elsewhere is refused", func(m *Metadata) { m.RevocationEndpoint = "http://evil.example/revoke" },
			"your check did not look at the revocation endpoint: PrintShop sends refresh tokens there"},
	}
	if err := checkMetadata(good(), issuer); err != nil {
		t.Errorf("your check refused good metadata from %s: %v. Accept the metadata when every rule holds.", issuer, err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := good()
			tc.change(&m)
			if err := checkMetadata(m, issuer); err == nil {
				t.Error(tc.mistake)
			}
		})
	}
}
