package web

// Unit tests of the authorization request's rules, one function each (authorize_request.go);
// the black-box tests in authorize_test.go drive the same rules through /authorize.

import (
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

func TestAuthorizeRequestRules(t *testing.T) {
	code := store.Client{ID: "printing", GrantTypes: []string{"authorization_code"}}
	legacy := store.Client{ID: "legacy", GrantTypes: []string{"implicit"}}
	cases := []struct {
		name     string
		err      *authorizeError
		wantCode string // "" when the rule must pass
	}{
		{"response_type=code passes (RFC 6749 §4.1.1)", second(checkResponseType("code", false)), ""},
		{"a missing response_type is invalid_request (RFC 6749 §4.1.2.1)", second(checkResponseType("", true)), "invalid_request"},
		{"response_type=token while the exhibit is off is unsupported (RFC 9700 §2.1.2)", second(checkResponseType("token", false)), "unsupported_response_type"},
		{"response_type=token while the exhibit is on passes (RFC 6749 §4.2.1)", second(checkResponseType("token", true)), ""},
		{"an unknown response_type is unsupported (RFC 6749 §4.1.2.1)", second(checkResponseType("code id_token", true)), "unsupported_response_type"},
		{"a code client may ask for a code", checkClientGrant(code, "code"), ""},
		{"a code client may not ask for a token (RFC 6749 §4.1.2.1, unauthorized_client)", checkClientGrant(code, "token"), "unauthorized_client"},
		{"an implicit-only client may not ask for a code", checkClientGrant(legacy, "code"), "unauthorized_client"},
		{"response_mode=query for a code passes", checkResponseMode("query", "code"), ""},
		{"response_mode=fragment for a code is refused", checkResponseMode("fragment", "code"), "invalid_request"},
		{"response_mode=query for a token is refused (Multiple Response Types §2.1)", checkResponseMode("query", "token"), "invalid_request"},
		{"a request object is not supported (OpenID Connect Core §6)", checkRequestObjects(map[string][]string{"request": {"x"}}), "request_not_supported"},
		{"a request_uri is not supported (OpenID Connect Core §6)", checkRequestObjects(map[string][]string{"request_uri": {"x"}}), "request_uri_not_supported"},
		{"scope openid needs a nonce", checkNonce([]string{"openid"}, ""), "invalid_request"},
		{"scope openid with a nonce passes", checkNonce([]string{"openid"}, "n-1"), ""},
		{"no nonce without openid passes", checkNonce([]string{"photos.read"}, ""), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if tc.err != nil {
				got = tc.err.code
			}
			if got != tc.wantCode {
				t.Errorf("got error code %q, want %q", got, tc.wantCode)
			}
		})
	}
	t.Run("max_age is whole seconds, -1 when absent (OpenID Connect Core §3.1.2.1)", func(t *testing.T) {
		for raw, want := range map[string]int{"": -1, "0": 0, "300": 300} {
			if got, err := parseMaxAge(raw); err != nil || got != want {
				t.Errorf("parseMaxAge(%q): got %d, %v; want %d", raw, got, err, want)
			}
		}
		for _, raw := range []string{"-1", "1.5", "soon"} {
			if _, err := parseMaxAge(raw); err == nil {
				t.Errorf("parseMaxAge(%q): got no error", raw)
			}
		}
	})
}

// second returns the second of two results.
func second[A, B any](_ A, b B) B { return b }

// The implicit exhibit is the stored response type, never inferred: a code request whose
// challenge is empty (a broken PKCE check would let one through) stays a code request.
func TestImplicitRequestIsTheStoredResponseType(t *testing.T) {
	if implicitRequest(store.AuthorizationRequest{ResponseType: "code", CodeChallenge: ""}) {
		t.Error("a code request with an empty code challenge was taken for an implicit one")
	}
	if !implicitRequest(store.AuthorizationRequest{ResponseType: "token"}) {
		t.Error("a request with response_type=token was not taken for an implicit one")
	}
}

// RFC 9700 §4.14.2 and RFC 6749 §6: a refresh token is live until it is exchanged or expires;
// introspection and revocation treat any other as unknown.
func TestRefreshTokenLive(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cases := []struct {
		name  string
		token store.RefreshToken
		want  bool
	}{
		{"a fresh token is live", store.RefreshToken{ExpiresAt: now.Add(time.Hour)}, true},
		{"a rotated token is not", store.RefreshToken{ExpiresAt: now.Add(time.Hour), RotatedAt: now}, false},
		{"a token at its expiry is not", store.RefreshToken{ExpiresAt: now}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := refreshTokenLive(tc.token, now); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
