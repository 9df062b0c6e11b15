package web

import (
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// pagesTestText is a page's visible text: tags removed, entities decoded, spaces collapsed.
func pagesTestText(page string) string {
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, "")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " ")
}

// STYLE.md "Templates and pages": the home page has the role banner and explains the API, each
// endpoint with the scope it needs, and points at the RFC 9728 metadata.
func TestPagesHome(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	r := srv.get(t, "/", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", r.StatusCode)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("got Content-Type %q, want text/html", ct)
	}
	page := string(r.Body)
	text := pagesTestText(page)
	scopes := map[string]string{} // "METHOD PATH" → the last cell of its table row
	for _, row := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(page, -1) {
		cells := regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch(row, -1)
		if len(cells) >= 2 {
			scopes[pagesTestText(cells[0][1])] = pagesTestText(cells[len(cells)-1][1])
		}
	}

	t.Run("the role banner says Photos, the resource server", func(t *testing.T) {
		if !strings.Contains(text, "Photos, the resource server") {
			t.Errorf("no role banner in %q", text)
		}
	})
	for _, ep := range []struct{ request, scope string }{
		{"GET /api/photos", "photos.read"},
		{"GET /api/photos/{id}", "photos.read"},
		{"GET /api/photos/{id}/content", "photos.read"},
		{"POST /api/photos", "photos.write"},
		{"DELETE /api/photos/{id}", "photos.delete"},
	} {
		t.Run("lists "+ep.request+" with scope "+ep.scope+" (CONTRACT Photos)", func(t *testing.T) {
			got, ok := scopes[ep.request]
			if !ok {
				t.Fatalf("no table row for %s; rows: %v", ep.request, scopes)
			}
			if got != ep.scope {
				t.Errorf("got scope %q, want %q", got, ep.scope)
			}
		})
	}
	t.Run("links the protected resource metadata (RFC 9728 §3)", func(t *testing.T) {
		if !strings.Contains(page, `href="/.well-known/oauth-protected-resource"`) {
			t.Errorf("no link to /.well-known/oauth-protected-resource")
		}
	})
	t.Run("names the issuer", func(t *testing.T) {
		if !strings.Contains(text, testIssuer) {
			t.Errorf("the page does not name the issuer %s", testIssuer)
		}
	})
	t.Run("the stylesheet it links is served", func(t *testing.T) {
		css := srv.get(t, "/static/style.css", "")
		if css.StatusCode != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
			t.Errorf("got status %d, Content-Type %q; want 200 text/css", css.StatusCode, css.Header.Get("Content-Type"))
		}
	})
}

// RFC 9728 §2 and §3.2: the metadata is JSON whose resource is Photos' resource identifier
// (its public URL, the same string as aud), listing the authorization server, the scopes and
// how the token is sent.
func TestPagesResourceMetadata(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	r := srv.get(t, "/.well-known/oauth-protected-resource", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", r.StatusCode)
	}
	var doc struct {
		Resource               string   `json:"resource"`
		AuthorizationServers   []string `json:"authorization_servers"`
		ScopesSupported        []string `json:"scopes_supported"`
		BearerMethodsSupported []string `json:"bearer_methods_supported"`
		DPoPAlgs               []string `json:"dpop_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v: %s", err, r.Body)
	}
	scopes := slices.Clone(doc.ScopesSupported)
	slices.Sort(scopes)
	tests := []struct {
		name      string
		got, want any
	}{
		{"Content-Type is application/json (RFC 9728 §3.2)", strings.Split(r.Header.Get("Content-Type"), ";")[0], "application/json"},
		{"resource is the configured public URL (RFC 9728 §2, §3.3)", doc.Resource, testAudience},
		{"authorization_servers is [issuer] (RFC 9728 §2)", strings.Join(doc.AuthorizationServers, " "), testIssuer},
		{"scopes_supported has the three scopes (RFC 9728 §2)", strings.Join(scopes, " "), "photos.delete photos.read photos.write"},
		{`bearer_methods_supported is ["header"] (RFC 9728 §2, RFC 6750 §2.1)`, strings.Join(doc.BearerMethodsSupported, " "), "header"},
		{"dpop_signing_alg_values_supported lists the proof algorithms (RFC 9728 §2, RFC 9449)", strings.Join(doc.DPoPAlgs, " "), "ES256 EdDSA RS256 PS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// CONTRACT "Photos": GET /healthz needs no token and answers 200.
func TestPagesHealthz(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	if r := srv.get(t, "/healthz", ""); r.StatusCode != http.StatusOK {
		t.Errorf("got status %d, want 200", r.StatusCode)
	}
}

// Every answer, page or API, keeps Photos out of frames (CSP frame-ancestors, RFC 7034
// X-Frame-Options) and its URLs out of Referer headers.
func TestPagesSecurityHeaders(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	token := apiTestToken(t, key, srv, "alice", "photos.read")
	tests := []struct {
		name, path, token string
		want              int
	}{
		{"home page", "/", "", 200},
		{"metadata", "/.well-known/oauth-protected-resource", "", 200},
		{"healthz", "/healthz", "", 200},
		{"stylesheet", "/static/style.css", "", 200},
		{"unknown page", "/no-such-page", "", 404},
		{"API 200", "/api/photos", token, 200},
		{"API content", "/api/photos/" + srv.AlicePhoto + "/content", token, 200},
		{"API 401", "/api/photos", "", 401},
		{"API 404", "/api/photos/pnosuchphoto", token, 404},
	}
	headers := []struct{ name, contains string }{
		{"Content-Security-Policy", "frame-ancestors 'none'"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"X-Content-Type-Options", "nosniff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.get(t, tc.path, tc.token)
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d", r.StatusCode, tc.want)
			}
			for _, h := range headers {
				if got := r.Header.Get(h.name); !strings.Contains(got, h.contains) {
					t.Errorf("got %s %q, want %q", h.name, got, h.contains)
				}
			}
		})
	}
}

// An unknown page outside /api is an HTML 404 page for a person, not JSON.
func TestPagesNotFound(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	for _, path := range []string{"/no-such-page", "/photos", "/static/missing.css", "/.well-known/openid-configuration"} {
		t.Run("an unknown page is an HTML 404: "+path, func(t *testing.T) {
			r := srv.get(t, path, "")
			if r.StatusCode != http.StatusNotFound {
				t.Fatalf("got status %d, want 404", r.StatusCode)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("got Content-Type %q, want text/html", ct)
			}
			if text := pagesTestText(string(r.Body)); !strings.Contains(text, "Not found") || !strings.Contains(text, "Photos, the resource server") {
				t.Errorf("got %q, want the layout's Not found page", text)
			}
		})
	}
}

// STYLE.md "Comments and names": one log line per request, and never a token, whether it came
// in the Authorization header or (wrongly, RFC 6750 §2.3) in the query string.
func TestPagesRequestLog(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	srv := newPhotosServer(t, accounts)
	headerToken := apiTestToken(t, key, srv, "alice", "photos.read")
	queryToken := apiTestToken(t, key, srv, "bob", "photos.read")
	badToken := "not-a-jwt-but-still-a-secret-" + strings.Repeat("x", 20)

	requests := []struct{ path, token string }{
		{"/", ""},
		{"/healthz", ""},
		{"/api/photos", headerToken},
		{"/api/photos?access_token=" + queryToken, ""},
		{"/api/photos/" + srv.AlicePhoto + "?access_token=" + queryToken, headerToken},
		{"/api/photos", badToken},
		{"/no-such-page?access_token=" + queryToken, ""},
	}
	logged := 0 // the health check is a debug line, not shown at info
	for _, req := range requests {
		srv.get(t, req.path, req.token)
		if requestLevel(req.path) > slog.LevelDebug {
			logged++
		}
	}
	countLines := func() int {
		n := 0
		for _, line := range strings.Split(srv.Logs.String(), "\n") {
			if strings.Contains(line, "msg=request ") {
				n++
			}
		}
		return n
	}
	// The log line is written after the answer, so wait for it, with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	for countLines() < logged && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	logs := srv.Logs.String()

	t.Run("one log line per request", func(t *testing.T) {
		if got := countLines(); got != logged {
			t.Errorf("got %d request lines, want %d:\n%s", got, logged, logs)
		}
	})
	for _, secret := range []struct{ name, value string }{
		{"the header token", headerToken},
		{"the header token's signature", headerToken[strings.LastIndex(headerToken, ".")+1:]},
		{"the query string token", queryToken},
		{"the query string token's signature", queryToken[strings.LastIndex(queryToken, ".")+1:]},
		{"a bad token", badToken},
		{"the query string", "access_token="},
	} {
		t.Run("the log has no trace of "+secret.name, func(t *testing.T) {
			if strings.Contains(logs, secret.value) {
				t.Errorf("the log contains %s:\n%s", secret.name, logs)
			}
		})
	}
}

// RFC 9110 §9.3.2: HEAD answers like GET, without the body.
func TestPagesHead(t *testing.T) {
	srv := newPhotosServer(t, newFakeAccounts(t))
	for _, path := range []string{"/", "/healthz", "/.well-known/oauth-protected-resource"} {
		r := srv.call(t, http.MethodHead, path, "", nil, "")
		if r.StatusCode != http.StatusOK || len(r.Body) != 0 {
			t.Errorf("HEAD %s: got %d with %d body bytes, want 200 and none", path, r.StatusCode, len(r.Body))
		}
	}
}
