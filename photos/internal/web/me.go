package web

// GET /me: the ID token of this sign-in, decoded claim by claim (OpenID Connect Core §2), beside
// what each claim proves. It teaches the line the subject turns on: this token says who you
// are, to Photos only; PrintShop's access token says what PrintShop may do, at Photos only.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// claimRow is one line of the /me table.
type claimRow struct {
	Name, Value, Proves string
}

type meData struct {
	Header       []claimRow
	Claims       []claimRow
	PrintShopURL string
}

// claimMeanings says what each claim of Accounts' ID token proves, in the order shown.
var claimMeanings = []struct{ name, proves string }{
	{"iss", "Who vouches for you: Accounts. Photos takes ID tokens from this issuer only."},
	{"sub", "Who you are at Accounts. Photos files your photos under this name."},
	{"aud", "Who the token is for: Photos' web app. Any other app must refuse it (OpenID Connect Core §3.1.3.7)."},
	{"azp", "The app it was issued to, the authorized party: Photos' web app again."},
	{"exp", "Until when it may be used to sign in."},
	{"iat", "When Accounts issued it."},
	{"auth_time", "When you signed in at Accounts with your password."},
	{"nonce", "The random value Photos sent with this sign-in: the token was minted for it, not replayed from another."},
	{"name", "Your name, because Photos asked for the profile scope."},
}

// handleMe decodes the session's ID token. It was validated at sign-in; this page only reads it.
func handleMe(a *webApp) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		header, claims, err := decodeJWT(sess.IDToken)
		if err != nil {
			return err
		}
		data := meData{PrintShopURL: a.cfg.PrintShopURL}
		for _, name := range []string{"alg", "kid", "typ"} {
			if v, ok := header[name]; ok {
				data.Header = append(data.Header, claimRow{Name: name, Value: fmt.Sprint(v)})
			}
		}
		for _, m := range claimMeanings {
			if v, ok := claims[m.name]; ok {
				data.Claims = append(data.Claims, claimRow{Name: m.name, Value: claimValue(m.name, v), Proves: m.proves})
			}
		}
		noStorePage(c)
		return a.pages.render(c, http.StatusOK, "me.html", a.page(sess, "Who you are, to Photos", data))
	}
}

// decodeJWT reads the header and payload of a compact JWT, without checking it.
func decodeJWT(raw string) (header, claims map[string]any, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("the session's ID token is not a compact JWT")
	}
	for i, into := range []*map[string]any{&header, &claims} {
		data, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("decode the session's ID token: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(into); err != nil {
			return nil, nil, fmt.Errorf("decode the session's ID token: %w", err)
		}
	}
	return header, claims, nil
}

// claimValue shows a claim; times are shown as dates too.
func claimValue(name string, v any) string {
	if n, ok := v.(json.Number); ok && (name == "exp" || name == "iat" || name == "auth_time") {
		if secs, err := n.Int64(); err == nil {
			return fmt.Sprintf("%d (%s)", secs, time.Unix(secs, 0).UTC().Format("2 Jan 2006 15:04:05 UTC"))
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	data, _ := json.Marshal(v)
	return string(data)
}
