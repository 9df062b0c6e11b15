package flow

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Secrets never reach the flow store: the client secret in a Basic header, and the secret
// parameters in a query, a form or a JSON body. Everything else stays byte for byte.
func TestMaskMessage(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("printing:s3cret-value"))
	tests := []struct {
		name   string
		in     Message
		hidden []string // must not appear after masking
		kept   string   // must appear unchanged
	}{
		{"client secret in a Basic header (RFC 6749 §2.3.1)", Message{Headers: [][2]string{{"Authorization", basic}}}, []string{"s3cret-value", basic}, "printing"},
		{"a bearer access token is shown: /flow teaches with it", Message{Headers: [][2]string{{"Authorization", "Bearer eyJhbGciOi.payload.sig"}}}, nil, "Bearer eyJhbGciOi.payload.sig"},
		{"refresh_token in a refresh request form", Message{Body: "grant_type=refresh_token&refresh_token=RT-abcdefghijklmnop"}, []string{"RT-abcdefghijklmnop"}, "grant_type=refresh_token"},
		{"token in a revocation form (RFC 7009)", Message{Body: "token=RT-abcdefghijklmnop&token_type_hint=refresh_token"}, []string{"RT-abcdefghijklmnop"}, "token_type_hint=refresh_token"},
		{"client_secret in a form (client_secret_post)", Message{Body: "client_id=printing&client_secret=s3cret-value"}, []string{"s3cret-value"}, "client_id=printing"},
		{"refresh_token in a token response", Message{Body: `{"access_token":"AT-1234567890","refresh_token":"RT-abcdefghijklmnop"}`}, []string{"RT-abcdefghijklmnop"}, "AT-1234567890"},
		{"a secret in a URL query", Message{URL: "http://x.test/cb?refresh_token=RT-abcdefghijklmnop&a=b"}, []string{"RT-abcdefghijklmnop"}, "a=b"},
		{"a callback URL keeps its parameter order", Message{URL: "http://x.test/callback?state=S&code=C&iss=http%3A%2F%2Fa"}, nil, "http://x.test/callback?state=S&code=C&iss=http%3A%2F%2Fa"},
		{"a JSON body without secrets is kept as sent", Message{Body: `{"z":1,"a":2}`}, nil, `{"z":1,"a":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := maskMessage(tc.in)
			all := out.URL + " " + out.Body
			for _, h := range out.Headers {
				all += " " + h[1]
			}
			for _, secret := range tc.hidden {
				if strings.Contains(all, secret) {
					t.Errorf("%q is still there: %s", secret, all)
				}
			}
			if !strings.Contains(all, tc.kept) {
				t.Errorf("%q was lost: %s", tc.kept, all)
			}
		})
	}
}

// Mask keeps enough to tell two values apart, never the whole value.
func TestMask(t *testing.T) {
	if got := Mask("RT-abcdefghijklmnop"); got != "RT-abc…(masked)" {
		t.Errorf("got %q", got)
	}
	if got := Mask("short"); got != "••••••" {
		t.Errorf("got %q for a short secret, want it hidden entirely", got)
	}
}
