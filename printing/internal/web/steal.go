package web

// The "steal the valet key" experiment (RFC 9700 §2.2, RFC 9449): a thief who copied
// PrintShop's access token, from a log, a proxy or a leaky client, calls Photos with it from
// somewhere else. With a bearer token the theft works: RFC 6750 §5.2, "any party in possession
// of a bearer token ... can use it". With a DPoP-bound token the thief also needs PrintShop's
// private key, which never left PrintShop.

import (
	"context"
	"io"
	"net/http"
	"regexp"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
)

// stolenCall is Photos' answer to the thief.
type stolenCall struct {
	status      int
	code        string // the error of the WWW-Authenticate challenge
	description string // its error_description: the check that failed
}

// experimentSteal replays the connection's access token from outside PrintShop: through a
// client that records but never signs. Against a DPoP-bound token the thief does the most a
// thief can: sends it under the DPoP scheme with a proof signed by a key of their own.
func (a *app) experimentSteal(ctx context.Context, username string) (outcome, error) {
	out := outcome{Title: "Steal the valet key: what Photos made of the token in a thief's hands"}
	token, err := a.tokens.accessToken(ctx, username) // fresh, so only the theft can fail
	if err != nil {
		return outcome{}, err
	}
	conn, err := a.tokens.connection(ctx, username)
	if err != nil {
		return outcome{}, err
	}
	bound := conn.DPoPKey != ""
	title := "Steal the valet key: a thief, outside PrintShop, calls Photos with a copy of the access token"
	if bound {
		title += ", and a DPoP proof signed with the thief's own key"
	}
	got, err := a.stealCall(flow.WithStep(ctx, username, experimentKind, title, flow.Photos), token, bound)
	if err != nil {
		return outcome{}, err
	}
	out.Note = stealNote(bound, got)
	return out, nil
}

// stealCall lists the photos as the thief: with the outsider client, so nothing of PrintShop's
// (its DPoP key, its transport) helps.
func (a *app) stealCall(ctx context.Context, token string, bound bool) (stolenCall, error) {
	url := a.photos.BaseURL() + "/api/photos"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return stolenCall{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if bound {
		thiefKey, err := dpop.NewKey()
		if err != nil {
			return stolenCall{}, err
		}
		proof, err := dpop.NewProof(thiefKey, http.MethodGet, a.photosPublicURL+"/api/photos", token, "", a.now())
		if err != nil {
			return stolenCall{}, err
		}
		req.Header.Set("Authorization", "DPoP "+token)
		req.Header.Set("DPoP", proof)
	}
	resp, err := a.outsider.Do(req)
	if err != nil {
		return stolenCall{}, photosError(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	challenge := resp.Header.Get("WWW-Authenticate")
	got := stolenCall{status: resp.StatusCode, code: challengeError(challenge)}
	if m := descriptionPattern.FindStringSubmatch(challenge); m != nil {
		got.description = m[1]
	}
	return got, nil
}

var descriptionPattern = regexp.MustCompile(`\berror_description="([^"]*)"`)

// stealNote says what the answer proves.
func stealNote(bound bool, got stolenCall) string {
	answered := answer(got.status, got.code)
	if got.description != "" {
		answered += " (“" + got.description + "”)"
	}
	switch {
	case !bound && got.status == http.StatusOK:
		return "Expected 200 — got " + answered + ": THE THEFT WORKS. A bearer token opens Photos for whoever holds " +
			"it (RFC 6750 §5.2): Photos cannot tell the thief from PrintShop. RFC 9700 §2.2 recommends sender-constrained " +
			"tokens. Start PrintShop with PRINTING_TOKEN_BINDING=dpop, connect again, and steal again."
	case bound && got.status == http.StatusUnauthorized:
		return "Expected 401 — got " + answered + ": the theft fails. The token is bound to PrintShop's key (its " +
			"cnf.jkt is that key's thumbprint, RFC 9449 §6). The thief has the token, and even signed a proof with a key " +
			"of their own, but Photos compares the proof's key with cnf.jkt (RFC 9449 §7.1), and PrintShop's private key " +
			"never left PrintShop. Sent as Bearer, without a proof, Photos refuses a bound token too (§7.2)."
	case bound:
		return "Expected 401 — got " + answered + ": PHOTOS ACCEPTED A DPoP-BOUND TOKEN WITH A PROOF FROM ANOTHER KEY. " +
			"The resource server MUST check that the proof's key matches cnf.jkt (RFC 9449 §7.1)."
	}
	return "Expected 200 — got " + answered + ": Photos refused the token itself (expired or revoked?), so the " +
		"theft proves nothing. Connect again and steal again."
}
