package web

// Workshop exercise 09's checker: the claims of an RFC 9068 §2.2 access token.

import (
	"reflect"
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

func TestExercise09AccessTokenClaimsRFC9068Section2_2(t *testing.T) {
	readNext(t, "RFC 9068 §2.2 (REQUIRED claims), §2.2.1, §2.2.3; workshop/09-access-token-claims.md, hints 1 and 2")
	m := &minter{issuer: "http://localhost:9001", audience: "http://localhost:9002"}
	now := time.Unix(1_800_000_000, 0)
	expires := now.Add(10 * time.Minute)
	user := store.Grant{ClientID: "printing", Username: "alice", Scope: []string{"photos.read", "photos.write"}, AuthTime: now.Add(-time.Minute)}
	claims := m.accessTokenClaims(user, []string{"photos.read"}, "jti-1", now, expires)
	want := map[string]any{
		"iss": m.issuer, "sub": "alice", "aud": m.audienceFor([]string{"photos.read"}), "exp": expires.Unix(), "iat": now.Unix(),
		"jti": "jti-1", "client_id": "printing", "scope": "photos.read", "auth_time": user.AuthTime.Unix(),
	}
	why := map[string]string{
		"iss":       "Photos compares it with the issuer it trusts (RFC 9068 §4)",
		"sub":       "the user the token acts for",
		"aud":       "Photos refuses a token that is not meant for it; use m.audienceFor(scope): exactly the parties the token is for, not a list of every service",
		"exp":       "without it the valet key never expires",
		"iat":       "RFC 9068 §2.2 requires it",
		"jti":       "introspection and revocation find the token by it",
		"client_id": "the client the token was issued to (RFC 9068 §2.2)",
		"scope":     "what the valet key opens: the GRANTED scope of this token, space-separated (hint 2)",
		"auth_time": "when the user signed in (RFC 9068 §2.2.1)",
	}
	for _, name := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "auth_time"} {
		w := want[name]
		got, ok := claims[name]
		switch {
		case !ok:
			t.Errorf("the %q claim is missing: %s", name, why[name])
		case !reflect.DeepEqual(got, w):
			t.Errorf("the %q claim is %v (%T), want %v (%T): %s", name, got, got, w, w, why[name])
		}
	}
	t.Run("client_credentials: the client is the subject, RFC 9068 §2.2", func(t *testing.T) {
		c := m.accessTokenClaims(store.Grant{ClientID: "reporting"}, []string{"photos.read"}, "jti-2", now, expires)
		if c["sub"] != "reporting" {
			t.Errorf("sub is %v for a client_credentials token, want the client's id %q: no user is involved, the client acts for itself", c["sub"], "reporting")
		}
		if _, ok := c["auth_time"]; ok {
			t.Error("a client_credentials token has auth_time: no user signed in, leave it out")
		}
	})
}
