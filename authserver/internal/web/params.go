package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const (
	// maxBodyBytes caps every request body. An OAuth request is a few hundred bytes.
	maxBodyBytes = 64 << 10
	// maxParamBytes caps one parameter value, so that nothing stores or echoes megabytes.
	maxParamBytes = 2048
	// maxParams caps how many parameters one request may carry.
	maxParams = 64
)

// singleValued lists the parameters that OAuth and OpenID Connect define. RFC 6749 §3.1: "Request
// and response parameters MUST NOT be included more than once." Parameters that are not ours
// may repeat; the server ignores them (RFC 6749 §3.1: "MUST ignore unrecognized request
// parameters").
var singleValued = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
	"code_challenge_method", "nonce", "prompt", "response_mode", "grant_type", "code",
	"code_verifier", "refresh_token", "client_secret", "token", "token_type_hint",
	"username", "password", "csrf_token", "request", "decision",
	"device_code", "user_code",
}

// parseParams parses an application/x-www-form-urlencoded string (a query, or a form body)
// strictly: a bad escape, a value over maxParamBytes, too many parameters, or an OAuth
// parameter given twice (unless listed in repeatable) is an error that names the problem.
func parseParams(raw string, repeatable ...string) (url.Values, error) {
	if strings.Count(raw, "&") >= maxParams {
		return nil, fmt.Errorf("the request has more than %d parameters", maxParams)
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("the parameters are not valid form encoding: %v", err)
	}
	return checkParams(values, repeatable...)
}

// checkParams applies parseParams' rules to values parsed already: a value over maxParamBytes,
// too many parameters, or an OAuth parameter given twice (unless listed in repeatable) is an
// error that names the problem; empty values are dropped. It returns values, changed in place.
func checkParams(values url.Values, repeatable ...string) (url.Values, error) {
	count := 0
	for _, vs := range values {
		count += len(vs)
	}
	if count > maxParams {
		return nil, fmt.Errorf("the request has more than %d parameters", maxParams)
	}
	for name, vs := range values {
		kept := vs[:0]
		for _, v := range vs {
			if len(v) > maxParamBytes {
				return nil, fmt.Errorf("parameter %q is longer than %d bytes", truncate(name, 40), maxParamBytes)
			}
			if v != "" {
				kept = append(kept, v)
			}
		}
		// RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were
		// omitted from the request."
		if len(kept) == 0 {
			delete(values, name)
		} else {
			values[name] = kept
		}
	}
	for _, name := range singleValued {
		if len(values[name]) > 1 && !slices.Contains(repeatable, name) {
			return nil, fmt.Errorf("parameter %q is repeated; RFC 6749 §3.1 allows each parameter once", name)
		}
	}
	return values, nil
}

// readForm reads and parses a POST body, which RFC 6749 (Appendix B, §4.1.3, §6), RFC 7009 §2.1
// and RFC 7662 §2.1 require to be application/x-www-form-urlencoded. Parameters in the URL are refused: RFC 6749 §2.3.1 says
// client credentials "MUST NOT be included in the request URI", and anything else sent there
// would end up in logs.
func readForm(r *http.Request, repeatable ...string) (url.Values, error) {
	if r.URL.RawQuery != "" {
		return nil, errors.New("send the parameters in the request body, not in the URL")
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return parseParams(body, repeatable...)
}

// readBody returns a form-encoded request body, at most maxBodyBytes of it.
func readBody(r *http.Request) (string, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return "", errors.New("the body must be sent as Content-Type: application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "", fmt.Errorf("the request body is larger than %d KiB", maxBodyBytes>>10)
	}
	if err != nil {
		return "", fmt.Errorf("could not read the request body: %v", err)
	}
	return string(body), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
