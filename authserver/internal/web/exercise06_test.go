package web

// Workshop exercise 06's checker: exact redirect URI matching (RFC 9700 §2.1) and an error page,
// never a redirect, for a bad redirect URI (RFC 6749 §4.1.2.1).

import (
	"errors"
	"net/http"
	"testing"

	"github.com/valet/authserver/internal/store"
)

func TestExercise06RedirectURIRFC9700Section2_1(t *testing.T) {
	readNext(t, "RFC 9700 §2.1 and §4.1.3, RFC 6749 §4.1.2.1; workshop/06-redirect-uri.md, hints 1 and 2")
	client := store.Client{ID: "printing", Name: "PrintShop",
		RedirectURIs: []string{"http://localhost:9000/callback", "http://localhost:9000/callback?from=photos"}}
	if err := checkRedirectURI(client, "http://localhost:9000/callback"); err != nil {
		t.Fatalf("the registered redirect URI was refused: %v. Accept a redirect_uri identical to a registered one.", err)
	}
	if err := checkRedirectURI(client, "http://localhost:9000/callback?from=photos"); err != nil {
		t.Errorf("the second registered redirect URI was refused: %v. Look at every registered URI.", err)
	}
	cases := []struct {
		name, uri, mistake string
	}{
		{"missing, RFC 6749 §4.1.2.1", "", "a request with no redirect_uri passed: Accounts requires one on every request"},
		{"another host, RFC 9700 §2.1", "http://evil.example/callback", "a redirect_uri on another host passed: the code would go to the attacker"},
		{"a longer path, RFC 9700 §4.1.3", "http://localhost:9000/callback/evil", "a prefix of the registered URI passed: http://localhost:9000/callback/evil is not registered (hint 1)"},
		{"a longer host name, RFC 9700 §4.1.3", "http://localhost:9000/callback.evil.example", "a prefix of the registered URI passed: compare whole strings (hint 1)"},
		{"a path with dot segments, RFC 9700 §4.1.3", "http://localhost:9000/callback/../attack", "a URI with ../ after the registered one passed: a browser would go to /attack"},
		{"another port, RFC 9700 §2.1", "http://localhost:9001/callback", "another port passed: exact matching includes the port"},
		{"a query the client did not register, RFC 9700 §2.1", "http://localhost:9000/callback?next=http://evil.example", "a registered URI with an added query passed: open redirectors at the client would forward the code"},
		{"upper case, RFC 9700 §2.1", "HTTP://LOCALHOST:9000/callback", "a URI that differs in case passed: exact string matching means no normalising"},
		{"a trailing slash, RFC 9700 §2.1", "http://localhost:9000/callback/", "a URI with a trailing slash passed: exact string matching means no normalising"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkRedirectURI(client, tc.uri)
			var page *pageError
			switch {
			case err == nil:
				t.Error(tc.mistake)
			case !errors.As(err, &page):
				t.Errorf("you refused it with %T (%v): the user sees a bare 500. Return badAuthorizeRequest(\"...\") so Accounts shows a page saying what is wrong (RFC 6749 §4.1.2.1, hint 2)", err, err)
			case page.Status != http.StatusBadRequest:
				t.Errorf("the page has status %d, want %d", page.Status, http.StatusBadRequest)
			}
		})
	}
}
