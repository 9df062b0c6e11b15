package web

import (
	"slices"
	"strings"
	"testing"
)

// RFC 9068 §4 and the contract's "Audience": each party a token opens is in aud, and no other.
func TestAudienceFor(t *testing.T) {
	m := &minter{issuer: "http://accounts", audience: "http://photos"}
	tests := []struct {
		name  string
		scope string
		want  []string
	}{
		{"photos scopes alone are for Photos alone (RFC 9068 §3)", "photos.read photos.write", []string{"http://photos"}},
		{"openid with photos scopes is for Photos and userinfo (OIDC Core §5.3)", "openid profile photos.read", []string{"http://photos", "http://accounts"}},
		{"openid and profile alone are for userinfo at the issuer", "openid profile", []string{"http://accounts"}},
		{"profile without openid or photos is for the issuer", "profile", []string{"http://accounts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.audienceFor(strings.Fields(tc.scope))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
