package web

// The test harness: a stand-in for Accounts (a JWKS server with keys the test controls, and
// an introspection endpoint), a real Photos over real HTTP with SQLite in a temp dir, and a
// token forger built on jwx.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/store"
)

const (
	testIssuer   = "http://localhost:9001"
	testAudience = "http://localhost:9002"
	// Photos' web app at Accounts.
	testWebClientID     = "photos-web"
	testWebClientSecret = "photos-web-test-secret"
)

// clock is a settable clock shared by Photos and the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeAccounts serves a JWKS of keys the test publishes, counting fetches, and a token
// endpoint whose answers the test decides.
type fakeAccounts struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    []jwk.Key // private keys; their public halves are published
	fetches atomic.Int64
	// token answers POST /token; nil means 404.
	token func(r *http.Request) (int, any)
}

func newFakeAccounts(t testing.TB) *fakeAccounts {
	t.Helper()
	a := &fakeAccounts{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		token := a.token
		a.mu.Unlock()
		if r.URL.Path == "/token" && r.Method == http.MethodPost && token != nil {
			status, body := token(r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(body)
			return
		}
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		a.fetches.Add(1)
		a.mu.Lock()
		set := jwk.NewSet()
		for _, k := range a.keys {
			pub, _ := k.PublicKey()
			set.AddKey(pub)
		}
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// newKey makes a private key with kid and alg set, as Accounts publishes them.
func newKey(t testing.TB, alg jwa.SignatureAlgorithm, kid string) jwk.Key {
	t.Helper()
	var raw any
	var err error
	switch alg {
	case jwa.RS256:
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256:
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("no test key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, kid)
	key.Set(jwk.AlgorithmKey, alg)
	key.Set(jwk.KeyUsageKey, "sig")
	return key
}

// publish adds keys to the JWKS.
func (a *fakeAccounts) publish(keys ...jwk.Key) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append(a.keys, keys...)
}

// claims are the claims of a good access token for alice; cases change them.
func goodClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"sub":       "alice",
		"aud":       testAudience,
		"exp":       now.Add(10 * time.Minute).Unix(),
		"iat":       now.Unix(),
		"jti":       "jti-" + now.Format("150405.000000000"),
		"client_id": "printing",
		"scope":     "photos.read",
		"auth_time": now.Unix(),
	}
}

// forge signs claims with key, with typ at+jwt unless headers say otherwise. A header value of
// nil removes that header.
func forge(t testing.TB, key jwk.Key, claims map[string]any, headers map[string]any) string {
	t.Helper()
	tok := jwt.New()
	tok.Options().Enable(jwt.FlattenAudience)
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h := jws.NewHeaders()
	h.Set(jws.TypeKey, "at+jwt")
	for k, v := range headers {
		if v == nil {
			h.Remove(k)
			continue
		}
		if err := h.Set(k, v); err != nil {
			t.Fatalf("header %s: %v", k, err)
		}
	}
	// jws copies a jwk.Key's kid into the header, over ours; sign with the raw key when the
	// case sets or removes kid itself.
	var signingKey any = key
	if _, ok := headers["kid"]; ok {
		var raw any
		if err := key.Raw(&raw); err != nil {
			t.Fatal(err)
		}
		signingKey = raw
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(key.Algorithm(), signingKey, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// photosServer is a running Photos.
type photosServer struct {
	URL     string
	handler http.Handler
	Store   *store.Store
	Clock   *clock
	Logs    *syncBuffer
	// Alice and Bob own these photo ids.
	AlicePhoto, BobPhoto string
}

type photosOptions struct {
	checker func(clk *clock) access.Checker
	// insecure turns on the attack lab's switches: the JWT checker's, and the names for the
	// WARN line and the banner.
	insecure func(*access.JWTConfig, *Config)
}

// newPhotosServer starts Photos with a JWT checker against accounts (or the given checker),
// and gives alice and bob one small photo each.
func newPhotosServer(t testing.TB, accounts *fakeAccounts, opts ...func(*photosOptions)) *photosServer {
	t.Helper()
	o := photosOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "photos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: time.Now().Truncate(time.Second)}
	jwtConfig := access.JWTConfig{
		Issuer: testIssuer, Audience: testAudience, JWKSURL: accounts.srv.URL + "/.well-known/jwks.json",
		RefetchInterval: 10 * time.Second, Now: clk.Now,
	}
	webConfig := Config{PublicURL: testAudience, Issuer: testIssuer, TokenCheck: "jwt", Now: clk.Now,
		WebClientID: testWebClientID, WebClientSecret: testWebClientSecret, AuthServerURL: accounts.srv.URL,
		PrintShopURL: "http://localhost:9000"}
	if o.insecure != nil {
		o.insecure(&jwtConfig, &webConfig)
	}
	keys, err := access.NewJWTChecker(ctx, jwtConfig)
	if err != nil {
		t.Fatal(err)
	}
	var checker access.Checker = keys
	if o.checker != nil {
		checker = o.checker(clk)
	}
	logs := &syncBuffer{}
	webConfig.Keys = keys
	handler, err := NewServer(slog.New(slog.NewTextHandler(logs, nil)), st, checker, webConfig)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	s := &photosServer{URL: srv.URL, handler: handler, Store: st, Clock: clk, Logs: logs}
	s.AlicePhoto = s.addPhoto(t, "alice", "Sunrise", "Holiday")
	s.BobPhoto = s.addPhoto(t, "bob", "Crane", "Building site")
	return s
}

// addPhoto stores a small generated JPEG for owner and returns its id.
func (s *photosServer) addPhoto(t testing.TB, owner, title, album string) string {
	t.Helper()
	p := store.NewPhoto{Photo: store.Photo{ID: store.NewPhotoID(), Owner: owner, Title: title, Album: album,
		Width: 64, Height: 48, TakenAt: s.Clock.Now().UTC()}, JPEG: testJPEG(t, 64, 48)}
	if err := s.Store.AddPhotos(context.Background(), []store.NewPhoto{p}, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// testJPEG encodes a small gradient.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// response is an answer with its body read.
type response struct {
	*http.Response
	Body []byte
}

// call sends a request to Photos. header is the whole Authorization header, or "".
func (s *photosServer) call(t testing.TB, method, path, header string, body io.Reader, contentType string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Response: resp, Body: data}
}

// get calls GET path with a bearer token.
func (s *photosServer) get(t testing.TB, path, token string) response {
	t.Helper()
	header := ""
	if token != "" {
		header = "Bearer " + token
	}
	return s.call(t, http.MethodGet, path, header, nil, "")
}

// jsonBody decodes a JSON answer.
func (r response) jsonBody(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not JSON (status %d): %s", r.StatusCode, r.Body)
	}
	return m
}

// challenge is the WWW-Authenticate header Photos should send with a 401: realm, the
// attributes given, and resource_metadata last, then the DPoP scheme with its algorithms (the
// contract: every API 401 names both schemes, RFC 9449 §7.1).
func challenge(attrs ...string) string {
	parts := []string{`realm="photos"`}
	for i := 0; i+1 < len(attrs); i += 2 {
		parts = append(parts, attrs[i]+`="`+attrs[i+1]+`"`)
	}
	parts = append(parts, `resource_metadata="`+testAudience+`/.well-known/oauth-protected-resource"`)
	return "Bearer " + strings.Join(parts, ", ") + ", " + dpopAlgsChallenge
}

// dpopAlgsChallenge is the DPoP challenge of every 401 without a proof error.
const dpopAlgsChallenge = `DPoP algs="ES256 EdDSA RS256 PS256"`

// syncBuffer collects the log of concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// idTokenClaims are the claims of a good ID token for alice at photos-web (OpenID Connect Core
// §2), as Accounts issues them.
func idTokenClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"sub":       "alice",
		"aud":       testWebClientID,
		"azp":       testWebClientID,
		"exp":       now.Add(10 * time.Minute).Unix(),
		"iat":       now.Unix(),
		"auth_time": now.Unix(),
		"nonce":     "the-nonce",
		"name":      "Alice Liddell",
	}
}
