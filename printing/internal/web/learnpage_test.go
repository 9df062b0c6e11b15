package web

// Tests of /learn: the roles of RFC 6749 §1.1 mapped to the story, authorization versus
// authentication, and the authorization code's trip through the front channel; and the links
// to /flow and /learn from the banner and the home page.

import (
	"net/http"
	"strings"
	"testing"
)

// /learn names every role and who plays it, and gives both explanations, signed in or not.
func TestLearnPageExplainsTheTerms(t *testing.T) {
	shop := newPrintShop(t)
	anonymous := newBrowser(t, shop)
	signedIn := newBrowser(t, shop)
	signedIn.signIn("alice", "wonderland")
	signedIn.connect("alice")
	for name, b := range map[string]*browser{"signed out": anonymous, "signed in": signedIn} {
		t.Run(name, func(t *testing.T) {
			p := b.get("/learn")
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET /learn: got %d, want 200", p.StatusCode)
			}
			terms := map[string]string{
				"Resource":             "photos</strong> at Photos",
				"Resource owner":       "the one who may say who else gets to see the photos",
				"Resource server":      "<strong>Photos</strong>",
				"Client":               "<strong>PrintShop</strong>",
				"Authorization server": "<strong>Accounts</strong>",
				"Access token":         "<strong>The valet key</strong>",
				"User agent":           "<strong>Your browser</strong>",
			}
			// RFC 6749 §1.1: the resource owner is the person who can grant access; the browser is
			// the user agent, not the owner.
			owner := learnRow(p.Body, "Resource owner")
			if !strings.Contains(owner, "the person") || strings.Contains(owner, "Resource owner</span>: your browser") {
				t.Errorf("the resource owner is not the person:\n%s", owner)
			}
			for term, who := range terms {
				if !strings.Contains(p.Body, `<th scope="row">`+term) || !strings.Contains(p.Body, who) {
					t.Errorf("the term %q is not mapped to %q", term, who)
				}
			}
			for _, want := range []string{
				// Authorization, not authentication.
				"Authorization, not authentication", "PrintShop learns <em>what it may do</em>, not <em>who\n  you are</em>",
				"OpenID Connect", "<strong>ID token</strong>",
				// The code is the room key card: front channel, then the back channel with secret and verifier.
				"The authorization code is the room key card", "front channel", "back channel", "can leak",
				"<strong>client secret</strong>", "<strong>PKCE verifier</strong>",
				`href="/flow"`,
			} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("/learn lacks %q", want)
				}
			}
		})
	}
	if p := signedIn.get("/learn"); !strings.Contains(p.Body, "alice's photos") || !strings.Contains(p.Body, "your last flow") {
		t.Error("signed in, /learn does not speak of the user's own photos and flow")
	}
	if p := anonymous.get("/learn"); !strings.Contains(p.Body, "Alice's photos") {
		t.Error("signed out, /learn does not tell Alice's story")
	}
}

// The banner and the home page link to /flow and /learn; /learn's only form carries the CSRF token.
func TestLearnAndFlowAreLinked(t *testing.T) {
	shop := newPrintShop(t)
	b := newBrowser(t, shop)
	if p := b.get("/"); !strings.Contains(p.Body, `<a href="/learn">Learn OAuth</a>`) {
		t.Error("signed out, the banner does not link to /learn")
	}
	b.signIn("alice", "wonderland")
	home := b.get("/")
	for _, want := range []string{`<a href="/flow">Walkthrough</a>`, `<a href="/learn">Learn OAuth</a>`, `class="button" href="/flow"`, `class="button" href="/learn"`} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the signed-in home page lacks %s", want)
		}
	}
	learn := b.get("/learn")
	token := csrf(t, learn)
	if n, m := strings.Count(learn.Body, "<form"), strings.Count(learn.Body, `name="csrf_token" value="`+token+`"`); n != m || n == 0 {
		t.Errorf("/learn has %d forms and %d csrf tokens of this session", n, m)
	}
}

// /learn sets authentication beside authorization (OpenID Connect Core §1, RFC 6749 §1.1): the
// ID token at Photos' /me, and the access token at PrintShop's /flow, each linked.
func TestLearnAuthenticationBesideAuthorization(t *testing.T) {
	shop := newPrintShop(t)
	p := newBrowser(t, shop).get("/learn")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /learn: got %d, want 200", p.StatusCode)
	}
	start := strings.Index(p.Body, `<section class="card" id="authentication">`)
	if start < 0 {
		t.Fatal("/learn has no section id=authentication")
	}
	section := p.Body[start:]
	section = section[:strings.Index(section, "</section>")]
	for _, want := range []string{
		"Authentication beside authorization", "<strong>ID token</strong>", "<em>who you are, to Photos only</em>",
		"<strong>access token</strong>", "<em>what PrintShop may do, at Photos\n  only</em>",
		`href="http://localhost:9002/me"`, `href="/flow"`,
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks %q", want)
		}
	}
}

// learnRow returns the table row of /learn whose header starts with term.
func learnRow(body, term string) string {
	_, row, _ := strings.Cut(body, `<th scope="row">`+term+`</th>`)
	row, _, _ = strings.Cut(row, "</tr>")
	return row
}
