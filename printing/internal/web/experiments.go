package web

// The walkthrough's experiments: small attacks and accidents that /flow runs for real against
// Accounts and Photos, so that a learner watches each rule hold on the wire.
//
//   - tamper:  an access token cannot be edited; RFC 9068 §4: the resource server "MUST validate
//     the signature of all incoming JWT access tokens".
//   - trunk:   a photos.read key does not open delete; RFC 6750 §3.1 insufficient_scope.
//   - replay:  a code works once, and replaying it revokes its tokens; RFC 6749 §4.1.2,
//     RFC 9700 §4.2.4.
//   - refresh: refresh tokens rotate; RFC 9700 §4.14.2.
//   - revoke:  a grant revoked at Accounts, seen from Photos and from the token endpoint;
//     RFC 7009, RFC 7662.
//   - steal:   a copy of the access token in a thief's hands: it works as a bearer token, and
//     not as a DPoP-bound one; RFC 6750 §5.2, RFC 9449 §7 (steal.go).
//
// flow.Transport records each request as a step of kind "experiment"; what it proved is recorded
// after it, as a note on PrintShop's own lane.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/oauth"
	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/store"
)

// experimentKind is the Kind of every step an experiment records.
const experimentKind = "experiment"

// outcome is what an experiment proved: the last step it adds to the user's flow.
type outcome struct {
	Title   string
	Note    string
	Refused string      // the check that kept the experiment from running, drawn in red
	Compare [][3]string // rows of (what, before, after)
}

// experiments are the forms on /flow, by the name in their URL.
var experiments = map[string]func(a *app, ctx context.Context, username string) (outcome, error){
	"tamper":  (*app).experimentTamper,
	"trunk":   (*app).experimentTrunk,
	"replay":  (*app).experimentReplay,
	"refresh": (*app).experimentRefresh,
	"revoke":  (*app).experimentRevoke,
	"steal":   (*app).experimentSteal,
}

// experimentNames are the experiments' names as their buttons say them.
var experimentNames = map[string]string{
	"tamper": "Tamper with the token", "trunk": "Open the trunk", "replay": "Replay the code",
	"refresh": "Refresh now", "revoke": "Call Photos again",
	"steal": "Steal the valet key",
}

// handleExperiment runs one experiment for the signed-in user, records what it proved, and
// sends the browser back to the end of /flow (its last step has the id "latest"). Experiments
// work in any order: an answer the experiment expects, even a refusal that costs the
// connection, is an outcome to record, and so is a button pressed when PrintShop holds no key
// (cannotRun). Only Accounts or Photos being down is an error page.
func handleExperiment(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := c.Param("name")
		run, ok := experiments[name]
		if !ok {
			return &pageError{Status: http.StatusNotFound, Title: "No such experiment",
				Message: "The walkthrough's experiments are tamper, trunk, replay, refresh, revoke and steal."}
		}
		_, sess, err := a.sessions.postedForm(c)
		if err != nil {
			return err
		}
		if sess.Username == "" {
			return &redirect{to: "/?notice=sign-in"}
		}
		ctx := c.Request().Context()
		out, err := runIfConnected(a, ctx, sess.Username, name, run)
		if err != nil {
			if pe, ok := errors.AsType[*pageError](err); ok && pe.Status == http.StatusServiceUnavailable && pe.Retry == "" {
				pe.Retry = "/flow"
			}
			return err
		}
		err = a.flows.Record(ctx, sess.Username, flow.Event{Kind: experimentKind, Title: out.Title,
			Channel: flow.Back, From: flow.PrintShop, To: flow.PrintShop, Note: out.Note, Refused: out.Refused, Compare: out.Compare})
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/flow#latest")
	}
}

// runIfConnected runs the experiment when PrintShop holds a usable key for the user. Without
// one (never connected, disconnected, or a grant an earlier experiment ended: the 409 pages of
// tokens.go), the outcome says why it did not run, and what to do.
func runIfConnected(a *app, ctx context.Context, username, name string,
	run func(a *app, ctx context.Context, username string) (outcome, error)) (outcome, error) {
	out, err := outcome{}, error(nil)
	if _, err = a.tokens.connection(ctx, username); err == nil {
		out, err = run(a, ctx, username)
	}
	if pe, ok := errors.AsType[*pageError](err); ok && pe.Status == http.StatusConflict {
		return cannotRun(name, pe), nil
	}
	return out, err
}

// cannotRun is the outcome of an experiment that needs PrintShop's key when PrintShop holds
// none usable: it says why, and what to do, instead of an error page.
func cannotRun(name string, why *pageError) outcome {
	out := outcome{
		Title:   experimentNames[name] + ": not run",
		Refused: "PrintShop checked its own connection first. " + why.Title + ": " + why.Message,
		Note: "Nothing was sent: this experiment needs the valet key, and PrintShop has no usable one. An earlier " +
			"step ended it, and that was a lesson too: Replay the code, and a revoke at Accounts followed by a " +
			"refresh, end PrintShop's grant. Press Connect again: you go through Accounts once more (the consent " +
			"may be skipped, since Accounts remembers it) and come back here, with a new key from a new grant.",
	}
	if why.Title == errNotConnected().Title {
		out.Note = "Nothing was sent: this experiment needs the valet key, and PrintShop holds none for you: you " +
			"have not connected your Photos yet, or you disconnected them. Press Connect again: you go through " +
			"Accounts and come back here."
	}
	return out
}

// experimentTamper edits the access token's scope claim and presents it to Photos. Without
// Accounts' private key the signature cannot follow, so Photos must refuse the token.
func (a *app) experimentTamper(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Tamper: what Photos made of the altered token"}
	token, err := a.tokens.accessToken(ctx, username)
	if err != nil {
		return outcome{}, err
	}
	tampered, err := tamperScope(token)
	if err != nil {
		out.Note = "Nothing was sent: " + err.Error() + "."
		return out, nil
	}
	call := flow.WithStep(ctx, username, experimentKind,
		"Tamper: PrintShop adds photos.delete to its access token's scope, keeps the old signature, and calls Photos", flow.Photos)
	status, code, err := a.callPhotos(call, tampered)
	if err != nil {
		return outcome{}, err
	}
	got := "Expected 401 invalid_token — got " + answer(status, code)
	switch {
	case status == http.StatusUnauthorized && code == "invalid_token":
		out.Note = got + ": a token cannot be altered: the signature no longer matches. PrintShop changed the payload " +
			"(scope + photos.delete) and re-encoded it, but Accounts' signature covers the original header and payload, " +
			"and only Accounts holds the key to sign again. Photos checks the signature with Accounts' public key " +
			"(RFC 9068 §4: it MUST validate the signature of every JWT access token)."
	case status == http.StatusOK:
		out.Note = got + ": PHOTOS ACCEPTED A TOKEN WHOSE SIGNATURE NO LONGER MATCHES. Anyone holding a token could " +
			"give it any scope. Photos must validate the signature of every JWT access token (RFC 9068 §4)."
	default:
		out.Note = got + ": Photos should refuse an altered token outright, with 401 invalid_token (RFC 6750 §3.1)."
	}
	return out, nil
}

// tamperScope adds photos.delete to the scope claim of a JWT access token and re-encodes the
// payload (base64url, no padding), keeping the header and the signature: all that someone who
// holds a token, but not Accounts' private key, can do.
func tamperScope(token string) (string, error) {
	opaque := errors.New("PrintShop's access token is opaque, not a JWT (header.payload.signature), so it has no " +
		"payload to edit. Photos would look such a token up at Accounts. Accounts' real access tokens are JWTs " +
		"(RFC 9068); against them this experiment edits the scope claim")
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", opaque
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", opaque
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // exp and iat stay the integers they were
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return "", opaque
	}
	scope, _ := claims["scope"].(string)
	if slices.Contains(strings.Fields(scope), "photos.delete") {
		return "", errors.New("the access token already carries photos.delete, so there is nothing to add")
	}
	claims["scope"] = strings.TrimSpace(scope + " photos.delete")
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, "."), nil
}

// experimentTrunk tries to delete the user's first photo with PrintShop's real token, which
// opens photos.read only. Photos must answer 403 insufficient_scope.
func (a *app) experimentTrunk(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Open the trunk: what Photos made of a delete with a photos.read key"}
	var photos []photosapi.Photo
	var token string
	err := a.tokens.withToken(ctx, username, func(ctx context.Context, t string) error {
		ctx = flow.WithStep(ctx, username, experimentKind, "Open the trunk, first: PrintShop lists your photos to pick one", flow.Photos)
		var err error
		photos, err = a.photos.List(ctx, t)
		token = t
		return err
	})
	if err != nil {
		return outcome{}, err
	}
	if len(photos) == 0 {
		out.Note = "Nothing was tried: your library at Photos is empty, so there is no photo to try to delete."
		return out, nil
	}
	target := photos[0]
	call := flow.WithStep(ctx, username, experimentKind,
		"Open the trunk: PrintShop tries to delete “"+target.Title+"” with its photos.read key", flow.Photos)
	status, challenge, err := a.photos.Delete(call, token, target.ID)
	if err != nil {
		return outcome{}, photosError(err)
	}
	code := challengeError(challenge)
	got := "Expected 403 insufficient_scope — got " + answer(status, code)
	switch {
	case status == http.StatusForbidden && code == "insufficient_scope":
		out.Note = got + ": the valet key opens photos.read and nothing else. Photos names the scope it would need " +
			"in its WWW-Authenticate challenge (RFC 6750 §3.1), and checks the scope before it even looks the photo " +
			"up. “" + target.Title + "” is safe."
	case status >= 200 && status < 300:
		out.Note = got + ": PHOTOS DELETED “" + target.Title + "”! A key that opens photos.read only opened the " +
			"trunk. Photos must refuse a token without photos.delete with 403 insufficient_scope (RFC 6750 §3.1)."
	case status == http.StatusUnauthorized:
		out.Note = got + ": Photos refused the token itself, before looking at its scope. Run the experiment again."
	default:
		out.Note = got + ": Photos should refuse with 403 insufficient_scope, naming photos.delete (RFC 6750 §3.1)."
	}
	return out, nil
}

// experimentReplay presents the code PrintShop already redeemed at the token endpoint again.
// Accounts must refuse it, and revoke what it issued from it; a call to Photos and a refresh
// then show what is left.
func (a *app) experimentReplay(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Replay the code: what Accounts did, and what is left of the grant"}
	used, err := a.store.UsedCode(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		out.Note = "Nothing was sent: PrintShop has not kept the code of this connection. Connect again, then replay its code."
		return out, nil
	}
	if err != nil {
		return outcome{}, err
	}
	if err := a.discover(ctx, username); err != nil {
		return outcome{}, err
	}
	replay := flow.WithStep(ctx, username, experimentKind,
		"Replay the code: PrintShop presents the authorization code it already redeemed, with its PKCE verifier", flow.Accounts)
	_, err = a.oauth.Exchange(replay, used.Code, used.Verifier)
	switch {
	case err == nil:
		out.Note = "Expected invalid_grant — got new tokens: ACCOUNTS REDEEMED THE SAME CODE TWICE. Whoever saw the " +
			"code in a log or a Referer header could swap it too. RFC 6749 §4.1.2: if a code is used more than once, " +
			"the authorization server MUST deny the request. PrintShop threw the new tokens away."
		return out, nil
	case errors.Is(err, oauth.ErrUnreachable):
		return outcome{}, accountsDown(err)
	case !errors.Is(err, oauth.ErrInvalidGrant):
		out.Note = "Expected invalid_grant — got: " + err.Error() + "."
		return out, nil
	}
	got := "invalid_grant"
	if description, ok := strings.CutPrefix(err.Error(), oauth.ErrInvalidGrant.Error()+": "); ok && description != "" {
		got += " (“" + description + "”)"
	}
	note := "Expected invalid_grant — got " + got + ": a code works once. RFC 6749 §4.1.2: “If an " +
		"authorization code is used more than once, the authorization server MUST deny the request and SHOULD revoke " +
		"(when possible) all tokens previously issued based on that authorization code” (and RFC 9700 §4.2.4)."
	p, err := a.grantProbe(ctx, username, "Replay the code, then")
	if err != nil {
		return outcome{}, err
	}
	if p.lost {
		out.Note = note + " " + p.photosNote() + " The refresh got invalid_grant: Accounts revoked the grant, so " +
			"PrintShop marked the connection lost. Connect again to carry on."
	} else {
		out.Note = note + " Then Photos answered " + answer(p.status, p.code) + ", and the refresh still worked: " +
			"Accounts did not revoke the tokens issued from the replayed code, which RFC 6749 §4.1.2 says it SHOULD."
	}
	return out, nil
}

// experimentRefresh refreshes now, whatever the expiry, and shows both tokens before and after.
func (a *app) experimentRefresh(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Refresh now: the tokens before and after"}
	if err := a.discover(ctx, username); err != nil {
		return outcome{}, err
	}
	before, after, err := a.tokens.forceRefresh(ctx, username)
	if err != nil {
		reason, lost, lerr := a.lostReason(ctx, username, err)
		if lerr != nil {
			return outcome{}, lerr
		}
		if lost {
			out.Note = "Expected a new access token and a new refresh token — got invalid_grant. " + reason +
				" PrintShop marked the connection lost; connect again."
			return out, nil
		}
	}
	out.Compare = [][3]string{
		{"access token", tokenTail(before.AccessToken), tokenTail(after.AccessToken)},
		{"refresh token", flow.Mask(before.RefreshToken), flow.Mask(after.RefreshToken)},
	}
	note := "The table shows both, side by side."
	if after.RefreshToken != before.RefreshToken {
		out.Note = "Expected a new access token and a new refresh token — got both. " + note +
			" The refresh tokens are masked; the access tokens are shown by their last characters, since every JWT " +
			"from Accounts starts with the same header. The old refresh token is dead now: Accounts rotates them, " +
			"and would take a second use of the old one as theft and revoke the whole grant (RFC 9700 §4.14.2)."
	} else {
		out.Note = "Expected a new access token and a new refresh token — got a new access token only. " + note +
			" Accounts kept the refresh token (RFC 6749 §6 allows it), so a stolen one would keep working: RFC 9700 " +
			"§4.14.2 asks for rotation."
	}
	return out, nil
}

// experimentRevoke runs after the user revoked PrintShop at Accounts' /account: the access token
// PrintShop holds goes to Photos once more, not refreshed, and then a refresh is tried.
func (a *app) experimentRevoke(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Revoke at Accounts, then call Photos: what still works"}
	p, err := a.grantProbe(ctx, username, "Revoke at Accounts, then call Photos")
	if err != nil {
		return outcome{}, err
	}
	if !p.lost {
		out.Note = "Photos answered " + answer(p.status, p.code) + " and the refresh worked: Accounts still honours " +
			"PrintShop's grant, so nothing was revoked. Revoke PrintShop at Accounts' /account first, then run this again."
		return out, nil
	}
	out.Note = p.photosNote() + " The refresh then got invalid_grant: the refresh token is checked by Accounts " +
		"itself, so it proves the grant is gone. PrintShop marked the connection lost; connect again to carry on."
	return out, nil
}

// probe is what is left of a grant that Accounts may have revoked.
type probe struct {
	status    int           // Photos' answer to the access token PrintShop held
	code      string        // the error of its WWW-Authenticate challenge
	expiresIn time.Duration // how long PrintShop expected that token to live on
	lost      bool          // the refresh got invalid_grant: the grant is gone
}

// grantProbe presents the access token PrintShop holds to Photos, not refreshed whatever the
// answer, and then refreshes. Photos checks a JWT on its own (PHOTOS_TOKEN_CHECK=jwt) and cannot
// know of a revocation until the token's exp; with introspection (RFC 7662) it asks Accounts each
// time. The refresh token only Accounts checks, so the refresh tells the truth about the grant.
func (a *app) grantProbe(ctx context.Context, username, experiment string) (probe, error) {
	conn, err := a.tokens.connection(ctx, username)
	if err != nil {
		return probe{}, err
	}
	call := flow.WithStep(ctx, username, experimentKind,
		experiment+": the access token PrintShop holds, at Photos, not refreshed", flow.Photos)
	p := probe{expiresIn: conn.ExpiresAt.Sub(a.now()).Round(time.Second)}
	if p.status, p.code, err = a.callPhotos(call, conn.AccessToken); err != nil {
		return probe{}, err
	}
	if err := a.discover(ctx, username); err != nil {
		return probe{}, err
	}
	if _, _, err := a.tokens.forceRefresh(ctx, username); err != nil {
		_, lost, lerr := a.lostReason(ctx, username, err)
		if lerr != nil {
			return probe{}, lerr
		}
		p.lost = lost
	}
	return p, nil
}

// photosNote explains Photos' answer to the access token of a revoked grant.
func (p probe) photosNote() string {
	got := answer(p.status, p.code)
	switch {
	case p.status == http.StatusOK:
		return fmt.Sprintf("Photos still answered %s to the access token PrintShop held: with PHOTOS_TOKEN_CHECK=jwt "+
			"it checks a JWT on its own (signature, iss, aud, exp) and cannot know the grant was revoked, so the token "+
			"works until it expires (PrintShop expects that in %s). That is why access tokens live minutes. With "+
			"PHOTOS_TOKEN_CHECK=introspect, Photos asks Accounts (RFC 7662) and would have answered 401 at once.", got, p.expiresIn)
	case p.status == http.StatusUnauthorized && p.expiresIn <= 0:
		return "Photos answered " + got + ", but the access token had expired anyway, so that proves nothing about the revocation."
	case p.status == http.StatusUnauthorized:
		return "Photos answered " + got + " at once: with PHOTOS_TOKEN_CHECK=introspect it asks Accounts about each " +
			"token (RFC 7662), so the revocation counts immediately. With PHOTOS_TOKEN_CHECK=jwt it checks the JWT on " +
			"its own and would have answered 200 until the token's exp."
	}
	return "Photos answered " + got + "."
}

// lostReason tells a refresh that Accounts refused (invalid_grant: refreshLocked has marked the
// connection lost, an outcome to record) from one that failed (an error page).
func (a *app) lostReason(ctx context.Context, username string, refreshErr error) (reason string, lost bool, err error) {
	conn, cerr := a.store.Connection(ctx, username)
	if cerr == nil && !conn.Connected() {
		return conn.LostReason, true, nil
	}
	return "", false, refreshErr
}

// forceRefresh refreshes the user's tokens now, whatever their expiry, under the user's lock,
// and returns the connection before and after: for the "Refresh now" experiment.
func (k *tokenKeeper) forceRefresh(ctx context.Context, username string) (before, after store.Connection, err error) {
	mu := k.lock(username)
	mu.Lock()
	defer mu.Unlock()
	before, err = k.connection(ctx, username)
	if err != nil {
		return store.Connection{}, store.Connection{}, err
	}
	if _, err := k.refreshLocked(ctx, before); err != nil {
		return before, store.Connection{}, err
	}
	after, err = k.store.Connection(ctx, username)
	return before, after, err
}

// discover reads Accounts' metadata, if PrintShop's copy is stale, as a step of its own: without
// it, the fetch would be recorded under the next step's title.
func (a *app) discover(ctx context.Context, username string) error {
	ctx = flow.WithStep(ctx, username, "metadata", "PrintShop reads Accounts' metadata: where its token endpoint is (RFC 8414)", flow.Accounts)
	if _, err := a.oauth.Discover(ctx); err != nil {
		return discoveryFailed(err)
	}
	return nil
}

// callPhotos lists the user's photos with token, never refreshing it, and returns Photos' status
// and the error of its WWW-Authenticate challenge. Photos being down is an error page.
func (a *app) callPhotos(ctx context.Context, token string) (status int, code string, err error) {
	_, err = a.photos.List(ctx, token)
	switch {
	case err == nil:
		return http.StatusOK, "", nil
	case errors.Is(err, photosapi.ErrUnauthorized):
		return http.StatusUnauthorized, challengeError(err.Error()), nil
	case errors.Is(err, photosapi.ErrForbidden):
		return http.StatusForbidden, challengeError(err.Error()), nil
	case errors.Is(err, photosapi.ErrNotFound):
		return http.StatusNotFound, "", nil
	}
	return 0, "", photosError(err)
}

var challengeErrorPattern = regexp.MustCompile(`\berror="([^"]*)"`)

// challengeError returns the error attribute of a Bearer challenge (RFC 6750 §3), or "".
func challengeError(challenge string) string {
	if m := challengeErrorPattern.FindStringSubmatch(challenge); m != nil {
		return m[1]
	}
	return ""
}

// answer says what came back: "401 invalid_token", "204 No Content".
func answer(status int, code string) string {
	if code == "" {
		code = http.StatusText(status)
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", status, code))
}

// tokenTail shows an access token by its end: the JWTs from one issuer share their first
// characters (the header), so only the end tells two apart.
func tokenTail(token string) string {
	if len(token) <= 24 {
		return token
	}
	return "…" + token[len(token)-16:]
}
