package web

// A benchmark of introspection (RFC 7662) of a JWT access token, the question Photos asks on
// every API call with PHOTOS_TOKEN_CHECK=introspect. docs/PERFORMANCE.md shows its CPU profile
// before and after each optimisation:
//
//	go test -run '^$' -bench BenchmarkIntrospect -cpuprofile /tmp/cpu.out ./internal/web/
//	go tool pprof -top /tmp/cpu.out

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// BenchmarkIntrospect is one whole POST /introspect of a live JWT access token, by the photos
// client: client authentication, parsing, the signature check, and the revocation lookup.
func BenchmarkIntrospect(b *testing.B) {
	for _, alg := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256} {
		b.Run(alg.String(), func(b *testing.B) {
			srv := newTestServer(b, withAlg(alg))
			token := exchange(b, srv, newBrowser(b, srv).code("photos.read")).AccessToken
			body := url.Values{"token": {token}}.Encode()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/introspect", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("photos", photosSecret)
				rec := httptest.NewRecorder()
				srv.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"active":true`) {
					b.Fatalf("got status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkFlow is Accounts' share of one complete flow as make load drives it: GET /authorize
// with a session and a remembered consent, then the code redeemed at /token with PKCE, over
// real HTTP. The profile of this benchmark is where the flows/s figure is spent at Accounts.
func BenchmarkFlow(b *testing.B) {
	srv := newTestServer(b, withAlg(jwa.ES256))
	browser := newBrowser(b, srv)
	browser.code("photos.read") // sign in and consent once
	b.ReportAllocs()
	for b.Loop() {
		exchange(b, srv, browser.code("photos.read"))
	}
}
