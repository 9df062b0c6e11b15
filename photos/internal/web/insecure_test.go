package web

// Tests of the attack lab's switches at Photos (workshop/attacks/05 and 06): each weakens its
// own check only, and with the defaults neither weakness exists.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/valet/photos/internal/access"
)

func withInsecure(algNone, skipAudience bool) func(*photosOptions) {
	return func(o *photosOptions) {
		o.insecure = func(j *access.JWTConfig, c *Config) {
			j.InsecureAcceptAlgNone, j.InsecureSkipAudience = algNone, skipAudience
			if algNone {
				c.Insecure = append(c.Insecure, "PHOTOS_INSECURE_ACCEPT_ALG_NONE")
			}
			if skipAudience {
				c.Insecure = append(c.Insecure, "PHOTOS_INSECURE_SKIP_AUDIENCE")
			}
		}
	}
}

func TestInsecureSwitchesRFC8725Section3_1AndRFC9068Section4(t *testing.T) {
	accounts := newFakeAccounts(t)
	key := newKey(t, jwa.RS256, "key-1")
	accounts.publish(key)
	for _, tc := range []struct {
		name          string
		algNone, skip bool
		token         func(srv *photosServer) string
		want          int
	}{
		{"alg none is refused by default (RFC 8725 §3.1)", false, false, func(srv *photosServer) string {
			return unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt"}, goodClaims(srv.Clock.Now()))
		}, http.StatusUnauthorized},
		{"alg none is accepted with PHOTOS_INSECURE_ACCEPT_ALG_NONE", true, false, func(srv *photosServer) string {
			return unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt"}, goodClaims(srv.Clock.Now()))
		}, http.StatusOK},
		{"alg none switch still checks aud (one weakness at a time)", true, false, func(srv *photosServer) string {
			c := goodClaims(srv.Clock.Now())
			c["aud"] = "http://localhost:9666"
			return unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt"}, c)
		}, http.StatusUnauthorized},
		{"alg none switch still refuses a bad signature", true, false, func(srv *photosServer) string {
			other := newKey(t, jwa.RS256, "key-1")
			return forge(t, other, goodClaims(srv.Clock.Now()), nil)
		}, http.StatusUnauthorized},
		{"another audience is refused by default (RFC 9068 §4)", false, false, func(srv *photosServer) string {
			c := goodClaims(srv.Clock.Now())
			c["aud"] = "http://localhost:9666"
			return forge(t, key, c, nil)
		}, http.StatusUnauthorized},
		{"another audience is accepted with PHOTOS_INSECURE_SKIP_AUDIENCE", false, true, func(srv *photosServer) string {
			c := goodClaims(srv.Clock.Now())
			c["aud"] = "http://localhost:9666"
			return forge(t, key, c, nil)
		}, http.StatusOK},
		{"audience switch still checks the signature", false, true, func(srv *photosServer) string {
			return unsignedToken(t, map[string]any{"alg": "none", "typ": "at+jwt"}, goodClaims(srv.Clock.Now()))
		}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newPhotosServer(t, accounts, withInsecure(tc.algNone, tc.skip))
			r := srv.get(t, "/api/photos", tc.token(srv))
			if r.StatusCode != tc.want {
				t.Fatalf("got status %d, want %d: %s", r.StatusCode, tc.want, r.Body)
			}
		})
	}
}

func TestInsecureSwitchesWarnAndShowBanner(t *testing.T) {
	accounts := newFakeAccounts(t)
	accounts.publish(newKey(t, jwa.RS256, "key-1"))
	for _, tc := range []struct {
		name          string
		algNone, skip bool
		want          []string
	}{
		{"no switch: no INSECURE line, no banner", false, false, nil},
		{"both switches", true, true, []string{"PHOTOS_INSECURE_ACCEPT_ALG_NONE", "PHOTOS_INSECURE_SKIP_AUDIENCE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newPhotosServer(t, accounts, withInsecure(tc.algNone, tc.skip))
			bodies := []string{string(srv.call(t, http.MethodGet, "/", "", nil, "").Body),
				string(srv.call(t, http.MethodGet, "/no-such-page", "", nil, "").Body)}
			logs := srv.Logs.String()
			if len(tc.want) == 0 && (strings.Contains(logs, "INSECURE") || strings.Contains(strings.Join(bodies, ""), "INSECURE")) {
				t.Fatalf("INSECURE shown or logged with no switch on:\n%s", logs)
			}
			for _, name := range tc.want {
				if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "INSECURE: "+name) {
					t.Errorf("logs have no WARN line naming %s:\n%s", name, logs)
				}
				for i, b := range bodies {
					if !strings.Contains(b, `class="insecure"`) || !strings.Contains(b, "INSECURE: "+name) {
						t.Errorf("page %d has no red banner naming %s", i, name)
					}
				}
			}
		})
	}
}
