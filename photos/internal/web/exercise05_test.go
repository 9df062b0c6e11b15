package web

// Workshop exercise 05's checker: scopes (RFC 6750 §3.1, RFC 6749 §3.3). TestScopeChecks holds
// the full list of routes.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

func TestExercise05ScopesRFC6750Section3_1(t *testing.T) {
	readNext(t, "RFC 6750 §3.1 (insufficient_scope), RFC 6749 §3.3; workshop/05-scopes.md, hints 1 and 2")
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	tokenWith := func(scope string) string {
		c := goodClaims(srv.Clock.Now())
		c["scope"] = scope
		return forge(t, key, c, nil)
	}
	if r := srv.get(t, "/api/photos", tokenWith("photos.read")); r.StatusCode != http.StatusOK {
		t.Fatalf("a token with photos.read got %d on GET /api/photos, want 200: your check refuses the right scope", r.StatusCode)
	}
	cases := []struct {
		name, method, path, scope, mistake string
	}{
		{"a read-only key cannot delete", "DELETE", "/api/photos/" + srv.AlicePhoto, "photos.read",
			"a token with only photos.read deleted a photo: the valet key opened the boot. Refuse a token that lacks the route's scope"},
		{"a read-only key cannot upload", "POST", "/api/photos", "photos.read",
			"a token with only photos.read reached the upload: refuse it before the handler runs"},
		{"a look-alike scope is another scope, RFC 6749 §3.3", "GET", "/api/photos", "photos.readonly",
			"a token with photos.readonly passed for photos.read: you matched a substring; compare whole scope values (hint 1)"},
		{"a scope inside a longer one is another scope, RFC 6749 §3.3", "GET", "/api/photos", "xphotos.read.all",
			"a token with xphotos.read.all passed for photos.read: you matched a substring; compare whole scope values (hint 1)"},
		{"403 before 404", "GET", "/api/photos/pnosuchphoto", "photos.write",
			"a token without photos.read learned whether a photo exists (404): check the scope before the handler runs (hint 2)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.call(t, tc.method, tc.path, "Bearer "+tokenWith(tc.scope), nil, "")
			switch {
			case r.StatusCode == http.StatusUnauthorized:
				t.Errorf("got 401: the token itself is valid, it only lacks a scope; RFC 6750 §3.1 says 403 insufficient_scope")
			case r.StatusCode != http.StatusForbidden:
				t.Errorf("%s (got %d, want 403)", tc.mistake, r.StatusCode)
			case !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) || !strings.Contains(r.Header.Get("WWW-Authenticate"), `scope="`):
				t.Errorf("got WWW-Authenticate %q: RFC 6750 §3.1 asks for error=\"insufficient_scope\" and a scope attribute naming the scope needed", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
