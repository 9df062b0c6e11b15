package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// RFC 8414 §3: the metadata document, compared with a golden file in which the issuer is
// replaced by {{issuer}}. Run `go test ./internal/web -run Metadata -update` after a deliberate change.
func TestMetadataGolden(t *testing.T) {
	srv := newTestServer(t)
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		t.Run(path, func(t *testing.T) {
			p := newBrowser(t, srv).get(path)
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(p.Body), "", "  "); err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(pretty.String(), srv.URL, "{{issuer}}") + "\n"
			golden := filepath.Join("testdata", "metadata.golden.json")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("metadata differs from %s; rerun with -update if intended.\ngot:\n%s", golden, got)
			}
		})
	}
}

// The rules the contract states about the metadata, checked directly.
func TestMetadataRules(t *testing.T) {
	srv := newTestServer(t)
	var doc map[string]any
	if err := json.Unmarshal([]byte(newBrowser(t, srv).get("/.well-known/oauth-authorization-server").Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != srv.URL {
		t.Errorf("got issuer %v, want %s verbatim (RFC 8414 §3.3)", doc["issuer"], srv.URL)
	}
	if doc["authorization_response_iss_parameter_supported"] != true {
		t.Error("authorization_response_iss_parameter_supported is not true (RFC 9207 §3)")
	}
	list := func(name string) []string {
		var out []string
		for _, v := range doc[name].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	if got := list("code_challenge_methods_supported"); !slices.Equal(got, []string{"S256"}) {
		t.Errorf("got code_challenge_methods_supported %v, want [S256]", got)
	}
	for _, g := range list("grant_types_supported") {
		if g == "password" || g == "implicit" {
			t.Errorf("grant_types_supported lists %q", g)
		}
	}
	for _, name := range []string{"revocation_endpoint", "introspection_endpoint", "token_endpoint", "jwks_uri", "authorization_endpoint"} {
		if v, _ := doc[name].(string); !strings.HasPrefix(v, srv.URL+"/") {
			t.Errorf("%s = %q, want a URL on the issuer", name, v)
		}
	}
	if len(list("token_endpoint_auth_methods_supported")) == 0 {
		t.Error("token_endpoint_auth_methods_supported is empty")
	}
}

// RFC 9110 §9.3.2: HEAD answers like GET, without the body.
func TestHeadOnDiscoveryAndHealth(t *testing.T) {
	srv := newTestServer(t)
	for _, path := range []string{"/", "/healthz", "/.well-known/oauth-authorization-server", "/.well-known/jwks.json"} {
		p := newBrowser(t, srv).do(http.MethodHead, path, nil)
		if p.StatusCode != http.StatusOK || p.Body != "" {
			t.Errorf("HEAD %s: got %d with %d body bytes, want 200 and none", path, p.StatusCode, len(p.Body))
		}
	}
}
