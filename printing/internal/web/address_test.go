package web

import (
	"strings"
	"testing"
)

// CONTRACT.md: front channel and back channel are separate; in Compose the back channel is
// http://authserver:9001. /flow says so wherever such an address shows, and is silent when
// the back channel is the public address.
func TestAddressNoteExplainsComposeServiceNames(t *testing.T) {
	issuer := "http://localhost:9001"
	tests := []struct {
		name string
		step stepView
		want string // "" for no note
	}{
		{"the token endpoint at the Compose service name", stepView{Channel: "back", To: "Accounts",
			Request: &messageView{Endpoint: "http://authserver:9001/token"}}, "authserver is the service name of Accounts"},
		{"Photos at the Compose service name", stepView{Channel: "back", To: "Photos",
			Request: &messageView{Endpoint: "http://photos:9002/api/photos"}}, "PRINTING_PHOTOS_URL"},
		{"the public issuer needs no note", stepView{Channel: "back", To: "Accounts",
			Request: &messageView{Endpoint: "http://localhost:9001/token"}}, ""},
		{"a loopback address needs no note", stepView{Channel: "back", To: "Photos",
			Request: &messageView{Endpoint: "http://127.0.0.1:9002/api/photos"}}, ""},
		{"the front channel goes to public URLs only", stepView{Channel: "front", To: "Accounts",
			Request: &messageView{Endpoint: "http://authserver:9001/authorize"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := addressNote(tc.step, issuer)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
