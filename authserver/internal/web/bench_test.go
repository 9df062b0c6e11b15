package web

// Benchmarks of the token endpoint, each beside a bare jwt.Sign of the same algorithm, so the
// cost of the endpoint can be read as a multiple of the signature it cannot avoid.
// Run them with `make bench`.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/store"
)

var benchAlgs = []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256, jwa.EdDSA}

// BenchmarkJWTSign is the floor: signing an access-token-sized JWT and nothing else.
func BenchmarkJWTSign(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			key, err := keys.Generate(alg)
			if err != nil {
				b.Fatal(err)
			}
			headers := jws.NewHeaders()
			headers.Set(jws.TypeKey, accessTokenType)
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				tok := jwt.New()
				tok.Options().Enable(jwt.FlattenAudience)
				for name, v := range map[string]any{
					"iss": "http://localhost:9001", "sub": "worker", "aud": "http://localhost:9002",
					"exp": now.Add(10 * time.Minute).Unix(), "iat": now.Unix(), "jti": "0123456789abcdefghijkl",
					"client_id": "worker", "scope": "photos.read photos.write",
				} {
					tok.Set(name, v)
				}
				if _, err := jwt.Sign(tok, jwt.WithKey(alg, key, jws.WithProtectedHeaders(headers))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenClientCredentials is one whole POST /token with client_credentials: parsing,
// client authentication (the remembered secret), minting, signing and storing the token.
func BenchmarkTokenClientCredentials(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			srv := newTestServer(b, withAlg(alg))
			body := url.Values{"grant_type": {"client_credentials"}, "scope": {"photos.read"}}.Encode()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("worker", url.QueryEscape(workerSecret))
				rec := httptest.NewRecorder()
				srv.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("got status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkTokenAuthorizationCode is one whole POST /token redeeming a code: client
// authentication, consuming the code, PKCE, minting and signing the access token, and storing it
// with a new refresh token. The codes are made before the timer starts.
func BenchmarkTokenAuthorizationCode(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			srv := newTestServer(b, withAlg(alg))
			codes := benchCodes(b, srv, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := codeRedemption(codes[i]).Encode()
				req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("printing", printingSecret)
				rec := httptest.NewRecorder()
				srv.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("got status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchCodes stores n authorization codes for alice and the printing client, as the consent
// step would.
func benchCodes(b *testing.B, srv *testServer, n int) []string {
	ctx := context.Background()
	now := srv.Clock.Now()
	sess, err := srv.Store.CreateSession(ctx, store.Hash(randomToken()), randomToken(), now.Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	codes := make([]string, n)
	for i := range codes {
		id := fmt.Sprint("bench-request-", i, randomToken())
		req := store.AuthorizationRequest{SessionKey: sess.Key, ClientID: "printing", RedirectURI: printingRedirect,
			Scope: []string{"photos.read"}, CodeChallenge: s256(testVerifier), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := srv.Store.SaveAuthorizationRequest(ctx, store.Hash(id), req); err != nil {
			b.Fatal(err)
		}
		codes[i] = randomToken()
		grant := store.Grant{ClientID: "printing", Username: "alice", Scope: req.Scope, AuthTime: now, CreatedAt: now}
		code := store.Code{RedirectURI: printingRedirect, CodeChallenge: req.CodeChallenge, ExpiresAt: now.Add(time.Hour)}
		if err := srv.Store.IssueCode(ctx, store.Hash(id), grant, store.Hash(codes[i]), code, nil); err != nil {
			b.Fatal(err)
		}
	}
	return codes
}
