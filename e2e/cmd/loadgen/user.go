package main

// One simulated user: a browser with an Accounts session and a remembered consent, driving the
// authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) as the "load" client, then
// refreshing its tokens (RFC 6749 §6) and calling the Photos API (RFC 6750).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// failure is an error with a kind to count it by, such as "token 400 invalid_grant".
type failure struct{ kind, detail string }

func (f *failure) Error() string { return f.kind + ": " + f.detail }

func fail(kind, format string, args ...any) error {
	return &failure{kind: kind, detail: fmt.Sprintf(format, args...)}
}

// user is one simulated person: alice or bob in their own browser.
type user struct {
	s                  *stack
	browser, backend   *http.Client
	username, password string
	access, refresh    string // the latest tokens
}

// newUser makes a user with its own cookie jar. Every user shares one transport, so that
// connections are reused as a browser and a client library reuse them.
func newUser(s *stack, transport http.RoundTripper, n int) *user {
	jar, _ := cookiejar.New(nil)
	u := &user{s: s, username: "alice", password: "wonderland"}
	if n%2 == 1 {
		u.username, u.password = "bob", "builder"
	}
	u.browser = &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u.backend = &http.Client{Transport: transport, Timeout: 30 * time.Second}
	return u
}

// flow is one complete flow: /authorize, the code, /token with PKCE, one Photos call.
func (u *user) flow(ctx context.Context) error {
	verifier := randomString() + randomString()
	sum := sha256.Sum256([]byte(verifier))
	state := randomString()
	q := url.Values{
		"response_type": {"code"}, "client_id": {"load"}, "redirect_uri": {loadClientRedirect},
		"scope": {"photos.read"}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	callback, err := u.authorize(ctx, u.s.AuthURL+"/authorize?"+q.Encode())
	if err != nil {
		return err
	}
	cq := callback.Query()
	if cq.Get("state") != state || cq.Get("iss") != u.s.AuthURL || cq.Get("code") == "" {
		return fail("authorize: bad callback", "%s", callback)
	}
	err = u.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {cq.Get("code")},
		"redirect_uri": {loadClientRedirect}, "code_verifier": {verifier}})
	if err != nil {
		return err
	}
	return u.listPhotos(ctx)
}

// authorize follows the browser through Accounts until it is sent to the redirect URI, signing
// in and consenting when asked (only the first flow of each user is asked).
func (u *user) authorize(ctx context.Context, start string) (*url.URL, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, start, nil)
	for range 10 {
		resp, body, err := do(u.browser, req)
		if err != nil {
			return nil, fail("authorize: transport", "%v", err)
		}
		switch {
		case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
			to, err := resp.Location()
			if err != nil {
				return nil, fail("authorize: bad Location", "%v", err)
			}
			if to.Scheme+"://"+to.Host != u.s.AuthURL {
				return to, nil
			}
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, to.String(), nil)
		case resp.StatusCode == http.StatusOK && req.URL.Path == "/login":
			req = u.form(ctx, "/login", body, url.Values{"username": {u.username}, "password": {u.password}})
		case resp.StatusCode == http.StatusOK && req.URL.Path == "/consent":
			req = u.form(ctx, "/consent", body, url.Values{"decision": {"allow"}, "scope": {"photos.read"}})
		default:
			return nil, fail(fmt.Sprintf("authorize %s %d", req.URL.Path, resp.StatusCode), "%.200s", body)
		}
	}
	return nil, fail("authorize: too many hops", "%s", start)
}

// hiddenInput matches an <input> with a name and a value, in our own templates' order.
var hiddenInput = regexp.MustCompile(`<input[^>]*name="(csrf_token|request)"[^>]*value="([^"]*)"`)

// form posts a page's form to path at Accounts with its csrf_token and request fields.
func (u *user) form(ctx context.Context, path string, page []byte, fields url.Values) *http.Request {
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.s.AuthURL+path, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// token posts a token request as the load client and keeps the tokens it gets.
func (u *user) token(ctx context.Context, form url.Values) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.s.AuthURL+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("load", u.s.LoadSecret)
	resp, body, err := do(u.backend, req)
	if err != nil {
		return fail("token: transport", "%v", err)
	}
	var answer struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
	}
	_ = json.Unmarshal(body, &answer)
	if resp.StatusCode != http.StatusOK || answer.AccessToken == "" {
		return fail(fmt.Sprintf("token %s %d %s", form.Get("grant_type"), resp.StatusCode, answer.Error), "%.200s", body)
	}
	u.access = answer.AccessToken
	if answer.RefreshToken != "" {
		u.refresh = answer.RefreshToken
	}
	return nil
}

// refreshTokens swaps the user's refresh token for new tokens; Accounts rotates it.
func (u *user) refreshTokens(ctx context.Context) error {
	return u.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {u.refresh}})
}

// listPhotos calls GET /api/photos with the user's access token.
func (u *user) listPhotos(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.s.PhotosURL+"/api/photos", nil)
	req.Header.Set("Authorization", "Bearer "+u.access)
	resp, body, err := do(u.backend, req)
	if err != nil {
		return fail("photos: transport", "%v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), `{"photos":[{`) {
		return fail(fmt.Sprintf("photos %d", resp.StatusCode), "%.200s", body)
	}
	return nil
}

// do sends a request and reads the whole answer.
func do(c *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}
