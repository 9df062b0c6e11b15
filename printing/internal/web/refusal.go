package web

// A refused request is a lesson, not a failure: /flow draws it in red, with the check that
// refused it. An OAuth error names that check in its error code and error_description
// (RFC 6749 §5.2 at the token endpoint, RFC 6750 §3 in a resource server's WWW-Authenticate
// challenge).

import (
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/valet/printing/internal/flow"
)

var challengeDescriptionPattern = regexp.MustCompile(`\berror_description="([^"]*)"`)

// refusal says which check refused a step, or "" when nothing was refused: what PrintShop
// recorded as refused, or an answer of 400 or more, named by its OAuth error and description.
func refusal(e flow.Event) string {
	if e.Refused != "" {
		return e.Refused
	}
	status := e.Response.Status
	if status < http.StatusBadRequest {
		return ""
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal([]byte(e.Response.Body), &body) // not JSON: the challenge may say it
	for _, h := range e.Response.Headers {
		if http.CanonicalHeaderKey(h[0]) != "Www-Authenticate" {
			continue
		}
		if body.Error == "" {
			body.Error = challengeError(h[1])
		}
		if m := challengeDescriptionPattern.FindStringSubmatch(h[1]); m != nil && body.Description == "" {
			body.Description = m[1]
		}
	}
	out := laneName(e.To) + " refused it: " + answer(status, body.Error)
	if body.Description != "" {
		out += ": " + body.Description
	}
	return out
}
