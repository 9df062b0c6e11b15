package web

// BenchmarkListPhotos measures GET /api/photos for a library of ten photos, with the token
// check and without it, so the cost of checking can be read as a share of the request.
// Run it with `make bench`.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/photos/internal/access"
)

// trustingChecker accepts any token as alice's: the "check off" baseline. Never used outside
// this benchmark.
type trustingChecker struct{}

func (trustingChecker) Check(context.Context, string) (access.Principal, error) {
	return access.Principal{Subject: "alice", ClientID: "printing", Scope: []string{"photos.read"}}, nil
}

func BenchmarkListPhotos(b *testing.B) {
	accounts := newFakeAccounts(b)
	key := newKey(b, jwa.ES256, "key-1")
	accounts.publish(key)

	run := func(b *testing.B, srv *photosServer, handler http.Handler, tokens func(i int) string) {
		for i := 0; i < 9; i++ {
			srv.addPhoto(b, "alice", fmt.Sprint("Photo ", i), "Album")
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodGet, "/api/photos", nil)
			req.Header.Set("Authorization", "Bearer "+tokens(i))
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("got %d: %s", rec.Code, rec.Body)
			}
		}
	}

	b.Run("check=off", func(b *testing.B) {
		srv := newPhotosServer(b, accounts, func(o *photosOptions) {
			o.checker = func(*clock) access.Checker { return trustingChecker{} }
		})
		run(b, srv, srv.handler, func(int) string { return "anything" })
	})
	b.Run("check=on", func(b *testing.B) {
		// The usual case: a client calls again and again with the same token, which the
		// verified-token cache remembers until its exp.
		srv := newPhotosServer(b, accounts)
		token := forge(b, key, goodClaims(srv.Clock.Now()), nil)
		run(b, srv, srv.handler, func(int) string { return token })
	})
	b.Run("check=on,first-use", func(b *testing.B) {
		// Every request brings a token never seen before: signature and claims are checked
		// each time. The tokens are forged before the timer starts.
		srv := newPhotosServer(b, accounts)
		tokens := make([]string, b.N)
		for i := range tokens {
			c := goodClaims(srv.Clock.Now())
			c["jti"] = fmt.Sprint("jti-", i)
			tokens[i] = forge(b, key, c, nil)
		}
		run(b, srv, srv.handler, func(i int) string { return tokens[i] })
	})
}
