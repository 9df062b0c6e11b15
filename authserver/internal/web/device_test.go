package web

// The device authorization grant end to end: real HTTP, real SQLite, a movable clock. The kiosk
// is played by direct requests (and once by x/oauth2), Alice's phone by the test browser.

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/valet/authserver/internal/registry"
)

// kioskClient is registered as the contract's default kiosk is.
var kioskClient = registry.Client{ClientID: "kiosk", Name: "PrintShop photo kiosk", RedirectURIs: []string{},
	GrantTypes: []string{deviceCodeGrantType, "refresh_token"}, Scopes: []string{"photos.read"}}

func newDeviceServer(t *testing.T) *testServer {
	return newTestServer(t, withClients(append(testClients(), kioskClient)))
}

// startDevice asks /device_authorization for a device code as clientID.
func startDevice(t *testing.T, srv *testServer, clientID string) (*http.Response, map[string]any) {
	t.Helper()
	return tokenRequest(t, srv, "/device_authorization", url.Values{"client_id": {clientID}, "scope": {"photos.read"}}, "", "")
}

// deviceCodes starts a device flow for the kiosk and returns the device code and the user code.
func deviceCodes(t *testing.T, srv *testServer) (string, string) {
	t.Helper()
	resp, body := startDevice(t, srv, "kiosk")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("device authorization: got status %d, want 200: %v", resp.StatusCode, body)
	}
	return body["device_code"].(string), body["user_code"].(string)
}

// poll asks /token once with the device code, as the kiosk.
func poll(t *testing.T, srv *testServer, deviceCode string) (*http.Response, map[string]any) {
	t.Helper()
	return tokenRequest(t, srv, "/token", url.Values{"grant_type": {deviceCodeGrantType},
		"device_code": {deviceCode}, "client_id": {"kiosk"}}, "", "")
}

var userCodeField = regexp.MustCompile(`name="user_code" value="([^"]*)"`)

// enterCode submits the user code on /device, as Alice on her phone.
func (b *browser) enterCode(userCode string) page {
	b.t.Helper()
	p := b.get("/device")
	return b.post("/device", url.Values{"csrf_token": {field(b.t, p, csrfPattern)}, "user_code": {userCode}})
}

var deviceField = regexp.MustCompile(`name="device" value="([^"]+)"`)

// loginForDevice submits the login form shown on p, with its hidden device field.
func (b *browser) loginForDevice(p page) page {
	b.t.Helper()
	return b.post("/login", url.Values{"csrf_token": {field(b.t, p, csrfPattern)}, "device": {field(b.t, p, deviceField)},
		"username": {"alice"}, "password": {"wonderland"}})
}

// decideDevice enters the code, signs in as alice if asked, and answers the consent page.
func (b *browser) decideDevice(userCode, decision string) page {
	b.t.Helper()
	p := b.enterCode(userCode)
	if p.Request.URL.Path == "/login" {
		p = b.loginForDevice(p)
	}
	if p.Request.URL.Path != "/device/confirm" {
		b.t.Fatalf("after entering the code: at %s (status %d), want /device/confirm:\n%s", p.Request.URL, p.StatusCode, p.Body)
	}
	return b.post("/device/confirm", url.Values{"csrf_token": {field(b.t, p, csrfPattern)},
		"user_code": {field(b.t, p, userCodeField)}, "decision": {decision}, "scope": {"photos.read"}})
}

// RFC 8628 §3.2: the device authorization response.
func TestDeviceAuthorizationResponse(t *testing.T) {
	srv := newDeviceServer(t)
	resp, body := startDevice(t, srv, "kiosk")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200: %v", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	userCode, _ := body["user_code"].(string)
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(userCode) {
		t.Errorf("user_code %q is not XXXX-XXXX from BCDFGHJKLMNPQRSTVWXZ (RFC 8628 §6.1)", userCode)
	}
	for name, want := range map[string]any{
		"verification_uri":          srv.URL + "/device",
		"verification_uri_complete": srv.URL + "/device?user_code=" + userCode,
		"expires_in":                600.0,
		"interval":                  5.0,
	} {
		if body[name] != want {
			t.Errorf("%s: got %v, want %v", name, body[name], want)
		}
	}
	if dc, _ := body["device_code"].(string); len(dc) < 43 {
		t.Errorf("device_code %q is shorter than 256 bits", dc)
	}
}

// RFC 6749 §5.2 unauthorized_client: only a client registered for the device grant may use it.
func TestDeviceGrantUnregisteredClient(t *testing.T) {
	srv := newDeviceServer(t)
	resp, body := startDevice(t, srv, "public-app")
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "unauthorized_client" {
		t.Errorf("device authorization by public-app: got %d %v, want 400 unauthorized_client", resp.StatusCode, body)
	}
	deviceCode, _ := deviceCodes(t, srv)
	resp, body = tokenRequest(t, srv, "/token", url.Values{"grant_type": {deviceCodeGrantType}, "device_code": {deviceCode}},
		"printing", printingSecret)
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "unauthorized_client" {
		t.Errorf("device code grant by printing: got %d %v, want 400 unauthorized_client", resp.StatusCode, body)
	}
}

// RFC 8628 §3.5: authorization_pending, then slow_down with the interval growing by 5 s.
func TestDevicePollPendingAndSlowDown(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, _ := deviceCodes(t, srv)
	steps := []struct {
		name    string
		advance time.Duration
		want    string
	}{
		{"the first poll may come at once: authorization_pending", 0, "authorization_pending"},
		{"4 s later, interval 5 s: slow_down, the interval becomes 10 s", 4 * time.Second, "slow_down"},
		{"6 s later, interval 10 s: slow_down again, 15 s", 6 * time.Second, "slow_down"},
		{"15 s later, interval 15 s: authorization_pending", 15 * time.Second, "authorization_pending"},
	}
	for _, s := range steps {
		srv.Clock.Advance(s.advance)
		resp, body := poll(t, srv, deviceCode)
		if resp.StatusCode != http.StatusBadRequest || errorCode(body) != s.want {
			t.Fatalf("%s: got %d %v, want 400 %s", s.name, resp.StatusCode, body, s.want)
		}
	}
}

// RFC 8628 §3.5: the user denies on their phone, the kiosk gets access_denied.
func TestDeviceDenied(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, userCode := deviceCodes(t, srv)
	p := newBrowser(t, srv).decideDevice(userCode, "deny")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "You denied PrintShop photo kiosk") {
		t.Fatalf("deny: got %d:\n%s", p.StatusCode, p.Body)
	}
	resp, body := poll(t, srv, deviceCode)
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "access_denied" {
		t.Errorf("got %d %v, want 400 access_denied", resp.StatusCode, body)
	}
}

// RFC 8628 §3.5: expired_token once the 600 s are over, and the code can no longer be entered.
func TestDeviceExpired(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, userCode := deviceCodes(t, srv)
	srv.Clock.Advance(600 * time.Second)
	resp, body := poll(t, srv, deviceCode)
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "expired_token" {
		t.Errorf("poll: got %d %v, want 400 expired_token", resp.StatusCode, body)
	}
	p := newBrowser(t, srv).enterCode(userCode)
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "has expired") {
		t.Errorf("entering an expired code: got %d, want 400 saying it expired:\n%s", p.StatusCode, p.Body)
	}
}

// The whole flow: the code typed in lower case without the dash (RFC 8628 §6.1), sign-in,
// the consent page with the code to compare (§5.4), tokens once, /account, and Revoke.
func TestDeviceAllowSingleUseAndRevoke(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, userCode := deviceCodes(t, srv)
	b := newBrowser(t, srv)
	p := b.enterCode(strings.ToLower(strings.ReplaceAll(userCode, "-", "")))
	if p.Request.URL.Path != "/login" {
		t.Fatalf("entering the code signed out: at %s (status %d), want /login", p.Request.URL, p.StatusCode)
	}
	p = b.loginForDevice(p)
	if p.Request.URL.Path != "/device/confirm" {
		t.Fatalf("after sign-in: at %s (status %d), want /device/confirm", p.Request.URL, p.StatusCode)
	}
	for _, want := range []string{"PrintShop photo kiosk", userCode, "only continue if you are standing at this kiosk"} {
		if !strings.Contains(strings.ToLower(p.Body), strings.ToLower(want)) {
			t.Errorf("the consent page does not show %q (RFC 8628 §5.4)", want)
		}
	}
	if resp, body := poll(t, srv, deviceCode); errorCode(body) != "authorization_pending" {
		t.Fatalf("before Allow: got %d %v, want authorization_pending", resp.StatusCode, body)
	}
	p = b.post("/device/confirm", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "user_code": {userCode},
		"decision": {"allow"}, "scope": {"photos.read"}})
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "is connected") {
		t.Fatalf("allow: got %d:\n%s", p.StatusCode, p.Body)
	}
	// An immediate poll after Allow gets the tokens: slow_down is only for pending codes.
	resp, tokens := poll(t, srv, deviceCode)
	if resp.StatusCode != http.StatusOK || tokens["access_token"] == nil || tokens["refresh_token"] == nil || tokens["scope"] != "photos.read" {
		t.Fatalf("after Allow: got %d %v, want tokens for photos.read", resp.StatusCode, tokens)
	}
	// A device code gives tokens once; a second use revokes what the first gave.
	resp, body := poll(t, srv, deviceCode)
	if resp.StatusCode != http.StatusBadRequest || errorCode(body) != "invalid_grant" {
		t.Errorf("second use: got %d %v, want 400 invalid_grant", resp.StatusCode, body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens["refresh_token"].(string)}, "client_id": {"kiosk"}}
	if resp, body := tokenRequest(t, srv, "/token", refresh, "", ""); errorCode(body) != "invalid_grant" {
		t.Errorf("refresh after the replay: got %d %v, want invalid_grant (the grant is revoked)", resp.StatusCode, body)
	}
}

// The device flow shows in /account like any other connected app, and Revoke ends it.
func TestDeviceAccountRevoke(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, userCode := deviceCodes(t, srv)
	b := newBrowser(t, srv)
	b.decideDevice(userCode, "allow")
	_, tokens := poll(t, srv, deviceCode)
	p := b.get("/account")
	if !strings.Contains(p.Body, "PrintShop photo kiosk") || !strings.Contains(p.Body, `value="kiosk"`) {
		t.Fatalf("/account does not list the kiosk with a revoke button:\n%s", p.Body)
	}
	b.post("/account/revoke", url.Values{"csrf_token": {field(t, p, csrfPattern)}, "client_id": {"kiosk"}})
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens["refresh_token"].(string)}, "client_id": {"kiosk"}}
	if resp, body := tokenRequest(t, srv, "/token", refresh, "", ""); errorCode(body) != "invalid_grant" {
		t.Errorf("refresh after Revoke: got %d %v, want invalid_grant", resp.StatusCode, body)
	}
	if got := introspect(t, srv, tokens["access_token"].(string)); got["active"] != false {
		t.Errorf("introspection after Revoke: got %v, want active false", got)
	}
}

// RFC 8628 §5.1: after 5 wrong codes in a browser session, the next try, right or wrong, gets
// 429 for a minute.
func TestDeviceGuessingLimit(t *testing.T) {
	srv := newDeviceServer(t)
	_, userCode := deviceCodes(t, srv)
	b := newBrowser(t, srv)
	for i := range maxWrongUserCodes {
		if p := b.enterCode("ZZZZ-ZZZZ"); p.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong try %d: got status %d, want 400", i+1, p.StatusCode)
		}
	}
	p := b.enterCode(userCode)
	if p.StatusCode != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
		t.Fatalf("the right code after 5 wrong ones: got status %d (Retry-After %q), want 429 with Retry-After",
			p.StatusCode, p.Header.Get("Retry-After"))
	}
	srv.Clock.Advance(59 * time.Second)
	if p := b.enterCode(userCode); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("59 s later: got status %d, want 429", p.StatusCode)
	}
	srv.Clock.Advance(time.Second)
	if p := b.enterCode(userCode); p.Request.URL.Path != "/login" {
		t.Errorf("a minute later, the right code: at %s (status %d), want on to /login", p.Request.URL, p.StatusCode)
	}
	// Another browser is not limited by this one's mistakes.
	if p := newBrowser(t, srv).enterCode(userCode); p.Request.URL.Path != "/login" {
		t.Errorf("another browser: at %s (status %d), want on to /login", p.Request.URL, p.StatusCode)
	}
}

// verification_uri_complete fills in the code, but nothing is approved without Continue and
// Allow (RFC 8628 §3.3.1).
func TestDeviceVerificationURIComplete(t *testing.T) {
	srv := newDeviceServer(t)
	deviceCode, userCode := deviceCodes(t, srv)
	b := newBrowser(t, srv)
	b.signIn("alice", "wonderland")
	p := b.get("/device?user_code=" + url.QueryEscape(userCode))
	if got := field(t, p, userCodeField); got != userCode {
		t.Errorf("the form's user_code: got %q, want %q", got, userCode)
	}
	if _, body := poll(t, srv, deviceCode); errorCode(body) != "authorization_pending" {
		t.Errorf("after only opening the link: got %v, want authorization_pending", body)
	}
}

// x/oauth2's DeviceAuth and DeviceAccessToken, as the kiosk uses them, work against Accounts.
// DeviceAccessToken waits the 5 s interval before its first poll.
func TestDeviceFlowWithOAuth2Library(t *testing.T) {
	srv := newDeviceServer(t)
	cfg := &oauth2.Config{ClientID: "kiosk", Scopes: []string{"photos.read"}, Endpoint: oauth2.Endpoint{
		DeviceAuthURL: srv.base() + "/device_authorization", TokenURL: srv.base() + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newBrowser(t, srv).decideDevice(da.UserCode, "allow")
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Errorf("got %+v, want an access and a refresh token", tok)
	}
}
