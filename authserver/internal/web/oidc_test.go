package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"golang.org/x/oauth2"
)

const testNonce = "n-0S6_WzA2Mj"

func jwsDecode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// photosWebTokens signs alice in through the first-party photos-web client and returns its
// access token and ID token.
func photosWebTokens(t *testing.T, srv *testServer, scope string) (*oauth2.Token, string) {
	t.Helper()
	return photosWebTokensIn(t, srv, newBrowser(t, srv), scope)
}

// photosWebTokensIn is photosWebTokens in the given browser, which stays signed in at Accounts.
func photosWebTokensIn(t *testing.T, srv *testServer, b *browser, scope string) (*oauth2.Token, string) {
	t.Helper()
	params := authParams(scope)
	params.Set("client_id", "photos-web")
	params.Set("redirect_uri", "http://localhost:9002/callback")
	params.Set("nonce", testNonce)
	loc := b.authorize(params, "alice", "wonderland")
	conf := &oauth2.Config{
		ClientID: "photos-web", ClientSecret: photosWebSecret, RedirectURL: "http://localhost:9002/callback",
		Endpoint: oauth2.Endpoint{TokenURL: srv.base() + "/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(testVerifier))
	if err != nil {
		t.Fatal(err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	return tok, idToken
}

// OpenID Connect Core §2 and the contract: the ID token has typ JWT, aud = client_id, azp, nonce,
// auth_time, sub, and name when profile was granted.
func TestIDToken(t *testing.T) {
	tests := []struct {
		name     string
		scope    string
		wantName bool
	}{
		{"with profile the ID token has name", "openid profile", true},
		{"without profile it has no name", "openid photos.read", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Access tokens in ES256; ID tokens must still be RS256 (OpenID Connect Core §15.1).
			srv := newTestServer(t, withAlg(jwa.ES256))
			_, idToken := photosWebTokens(t, srv, tc.scope)
			if idToken == "" {
				t.Fatal("no id_token in the token response")
			}
			msg, err := jws.ParseString(idToken)
			if err != nil {
				t.Fatal(err)
			}
			if typ := msg.Signatures()[0].ProtectedHeaders().Type(); typ != "JWT" {
				t.Errorf("got typ %q, want JWT", typ)
			}
			if alg := msg.Signatures()[0].ProtectedHeaders().Algorithm(); alg != jwa.RS256 {
				t.Errorf("got alg %q, want RS256 for ID tokens", alg)
			}
			set, err := jwk.Fetch(context.Background(), srv.base()+"/.well-known/jwks.json")
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.ParseString(idToken, jwt.WithKeySet(set), jwt.WithValidate(true), jwt.WithIssuer(srv.URL),
				jwt.WithAudience("photos-web"), jwt.WithClock(jwt.ClockFunc(srv.Clock.Now)))
			if err != nil {
				t.Fatalf("ID token does not verify: %v", err)
			}
			if tok.Subject() != "alice" || stringClaim(tok, "azp") != "photos-web" || stringClaim(tok, "nonce") != testNonce {
				t.Errorf("got sub %q azp %q nonce %q", tok.Subject(), stringClaim(tok, "azp"), stringClaim(tok, "nonce"))
			}
			if _, ok := tok.Get("auth_time"); !ok {
				t.Error("auth_time is missing")
			}
			if _, ok := tok.Get("name"); ok != tc.wantName {
				t.Errorf("name present = %v, want %v", ok, tc.wantName)
			}
		})
	}
}

// A token request without openid gets no ID token.
func TestNoIDTokenWithoutOpenID(t *testing.T) {
	srv := newTestServer(t)
	tok := exchange(t, srv, newBrowser(t, srv).code("photos.read"))
	if tok.Extra("id_token") != nil {
		t.Error("got an id_token for a request without scope openid")
	}
}

// OpenID Connect Core §3.1.2.1: Accounts requires a nonce with openid.
func TestOpenIDRequiresNonce(t *testing.T) {
	srv := newTestServer(t)
	params := authParams("openid photos.read")
	params.Set("client_id", "photos-web")
	params.Set("redirect_uri", "http://localhost:9002/callback")
	u := redirectBack(t, newBrowser(t, srv).get("/authorize?"+params.Encode()))
	if u.Query().Get("error") != "invalid_request" || !strings.Contains(u.Query().Get("error_description"), "nonce") {
		t.Errorf("got %s, want invalid_request about nonce", u)
	}
}

// OpenID Connect Core §5.3: /userinfo answers for a token with openid, whatever other scopes it
// carries, 403 without openid, 401 without a valid token or with a token meant for Photos alone
// (RFC 9068 §4).
func TestUserinfo(t *testing.T) {
	srv := newTestServer(t)
	withOpenID, _ := photosWebTokens(t, srv, "openid profile")
	withoutOpenID, _ := photosWebTokens(t, srv, "profile")
	signInWithPhotos, _ := photosWebTokens(t, srv, "openid profile photos.read")
	forPhotos, _ := photosWebTokens(t, srv, "photos.read")
	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantBody   string
		wantChall  string
	}{
		{"openid token gets sub and name", "Bearer " + withOpenID.AccessToken, http.StatusOK, `"name":"Alice Liddell"`, ""},
		{"scheme is case-insensitive (RFC 6750 §2.1)", "bearer " + withOpenID.AccessToken, http.StatusOK, `"sub":"alice"`, ""},
		{"token without openid is insufficient_scope (RFC 6750 §3.1)", "Bearer " + withoutOpenID.AccessToken, http.StatusForbidden, "insufficient_scope", `error="insufficient_scope"`},
		{"openid profile photos.read token gets sub and name: aud names the issuer too (OIDC Core §5.3)", "Bearer " + signInWithPhotos.AccessToken, http.StatusOK, `"name":"Alice Liddell"`, ""},
		{"a token for Photos alone is refused: wrong audience (RFC 9068 §4)", "Bearer " + forPhotos.AccessToken, http.StatusUnauthorized, "audience", `error="invalid_token"`},
		{"no token is 401 without an error code (RFC 6750 §3.1)", "", http.StatusUnauthorized, "Authorization: Bearer", `Bearer realm="accounts"`},
		{"forged token is invalid_token (RFC 6750 §3.1)", "Bearer " + withOpenID.AccessToken[:len(withOpenID.AccessToken)-4] + "AAAA", http.StatusUnauthorized, "invalid_token", `error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.base()+"/userinfo", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			json.NewDecoder(resp.Body).Decode(&body)
			raw, _ := json.Marshal(body)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(raw), tc.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, raw, tc.wantStatus, tc.wantBody)
			}
			if tc.header == "" && (body["error"] != nil || strings.Contains(resp.Header.Get("WWW-Authenticate"), "error=")) {
				t.Errorf("a request without a token got an error code: %s", raw)
			}
			if !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.wantChall) {
				t.Errorf("got WWW-Authenticate %q, want it to contain %q", resp.Header.Get("WWW-Authenticate"), tc.wantChall)
			}
		})
	}
}

// The userinfo endpoint ignores a token in the query string: RFC 6750 §2.3's query method is not
// supported, because tokens in URLs leak through logs and history.
func TestUserinfoIgnoresQueryToken(t *testing.T) {
	srv := newTestServer(t)
	tok, _ := photosWebTokens(t, srv, "openid profile")
	resp, err := http.Get(srv.base() + "/userinfo?access_token=" + url.QueryEscape(tok.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("got status %d, want 401: a query-string token must be ignored", resp.StatusCode)
	}
}

// The contract's "Audience" (RFC 9068 §3, OIDC Core §5.3): a token with openid and photos.*
// names both Photos and the issuer, as a JSON array; photos.* alone is one string; openid and
// profile alone is the issuer. Introspection reports aud as the token has it (RFC 7662 §2.2).
func TestAccessTokenAudienceInTheToken(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name  string
		scope string
		want  any
	}{
		{"openid with photos.read is for Photos and the issuer", "openid profile photos.read", []any{"http://localhost:9002", srv.URL}},
		{"photos.read alone is for Photos, a single string", "photos.read", "http://localhost:9002"},
		{"openid profile alone is for the issuer, a single string", "openid profile", srv.URL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, _ := photosWebTokens(t, srv, tc.scope)
			parts := strings.Split(tok.AccessToken, ".")
			payload, err := jwsDecode(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(claims["aud"])
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Errorf("got aud %s, want %s", got, want)
			}
			answer := introspect(t, srv, tok.AccessToken)
			gotIntro, _ := json.Marshal(answer["aud"])
			if string(gotIntro) != string(want) {
				t.Errorf("introspection got aud %s, want %s", gotIntro, want)
			}
		})
	}
}
