package web

import (
	"strings"
	"testing"

	"github.com/valet/printing/internal/flow"
)

// A refused request names the check that refused it: the OAuth error code and description
// (RFC 6749 §5.2 in a token error's body, RFC 6750 §3 in a WWW-Authenticate challenge).
func TestRefusalNamesTheCheck(t *testing.T) {
	tests := []struct {
		name  string
		event flow.Event
		want  []string // "" when nothing was refused
	}{
		{"RFC 6749 §5.2: a token error names its code and description", flow.Event{To: flow.Accounts,
			Response: flow.Message{Status: 400, Body: `{"error":"invalid_grant","error_description":"the code was already used"}`}},
			[]string{"Accounts refused it", "400 invalid_grant", "the code was already used"}},
		{"RFC 6750 §3: a resource server's challenge names its error", flow.Event{To: flow.Photos,
			Response: flow.Message{Status: 401, Headers: [][2]string{{"WWW-Authenticate", `Bearer realm="photos", error="invalid_token", error_description="the signature does not verify"`}}}},
			[]string{"Photos refused it", "401 invalid_token", "the signature does not verify"}},
		{"a refusal PrintShop recorded itself", flow.Event{To: flow.PrintShop, Refused: "the state is unknown"},
			[]string{"the state is unknown"}},
		{"a 200 is no refusal", flow.Event{To: flow.Photos, Response: flow.Message{Status: 200}}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := refusal(tc.event)
			for _, w := range tc.want {
				if w == "" && got != "" || !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
		})
	}
}
