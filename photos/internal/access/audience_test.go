package access

import "testing"

// RFC 9068 §4 and RFC 7519 §4.1.3: Photos accepts a token when its own audience is among the
// values, and refuses it otherwise.
func TestHasAudience(t *testing.T) {
	const photos = "http://photos"
	tests := []struct {
		name string
		aud  any // as introspection gives it
		want bool
	}{
		{"a single string naming Photos is accepted", photos, true},
		{"a list naming Photos and Accounts is accepted (contains)", []any{photos, "http://accounts"}, true},
		{"a list without Photos is refused", []any{"http://accounts", "http://other"}, false},
		{"another audience is refused", "http://accounts", false},
		{"no audience is refused", nil, false},
		{"a prefix of Photos' identifier is not Photos", "http://photo", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasAudience(audienceList(tc.aud), photos); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
