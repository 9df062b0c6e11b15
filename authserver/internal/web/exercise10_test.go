package web

// Workshop exercise 10's checker: refresh token rotation and reuse detection, RFC 6749 §6 and
// RFC 9700 §4.14.2.

import (
	"testing"
	"time"

	"github.com/valet/authserver/internal/store"
)

func TestExercise10RefreshRotationRFC9700Section4_14_2(t *testing.T) {
	readNext(t, "RFC 9700 §4.14.2 (rotation), RFC 6749 §6; workshop/10-refresh-rotation.md, hints 1 and 2")
	now := time.Unix(1_800_000_000, 0)
	live := store.RefreshToken{ExpiresAt: now.Add(time.Hour)}
	grant := store.Grant{ID: 1, ClientID: "printing", Username: "alice"}
	if revoke, err := checkRefreshToken(live, grant, "printing", now); err != nil || revoke {
		t.Fatalf("a live token of this client: got revoke %v, err %v; want false, nil. Let a good token through.", revoke, err)
	}
	rotated := live
	rotated.RotatedAt = now.Add(-time.Minute)
	revoked := grant
	revoked.RevokedAt = now.Add(-time.Minute)
	cases := []struct {
		name       string
		token      store.RefreshToken
		grant      store.Grant
		clientID   string
		wantRevoke bool
		accepted   string // the mistake when the token is accepted
		revokeFail string // the mistake when revokeGrant is wrong
	}{
		{"a rotated token presented again, RFC 9700 §4.14.2", rotated, grant, "printing", true,
			"a refresh token that was already exchanged worked again: rotation means one use. The thief and the client now both hold fresh tokens",
			"you refused the reused token but did not revoke the grant: the thief keeps the fresh tokens it got first (RFC 9700 §4.14.2)"},
		{"another client's token, RFC 6749 §6", live, grant, "reporting", false,
			"a refresh token issued to printing worked for reporting: RFC 6749 §6 binds it to its client",
			"a wrong client's attempt revoked the grant: anyone could end another app's access by presenting its token; refuse and leave it"},
		{"another client's rotated token, RFC 6749 §6", rotated, grant, "reporting", false,
			"another client's rotated token was accepted",
			"another client presenting a rotated token revoked the grant: check the client first (hint 1)"},
		{"a token of a revoked grant", live, revoked, "printing", false,
			"a refresh token of a revoked grant worked: the user took the valet key back",
			"a token of an already revoked grant asked for a revocation: nothing is left to revoke"},
		{"an expired token", store.RefreshToken{ExpiresAt: now}, grant, "printing", false,
			"a refresh token at its expiry worked: expired means !now.Before(token.ExpiresAt) (hint 2)",
			"an expired token revoked the grant: expiry is not theft"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			revoke, err := checkRefreshToken(tc.token, tc.grant, tc.clientID, now)
			if err == nil {
				t.Error(tc.accepted)
			} else if !isInvalidGrant(err) {
				t.Errorf("got %v: refuse with errInvalidGrant (RFC 6749 §5.2)", err)
			}
			if revoke != tc.wantRevoke {
				t.Error(tc.revokeFail)
			}
		})
	}
}
