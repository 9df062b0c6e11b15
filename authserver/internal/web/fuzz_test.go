package web

// Fuzz tests for the strict parameter parser and the token endpoint. Their seed corpora live in
// testdata/fuzz/<FuzzName>/, so a plain `go test` replays every seed and every crasher found.
//
//	go test -run '^$' -fuzz '^FuzzParseParams$' -fuzztime 30s ./internal/web/
//	go test -run '^$' -fuzz '^FuzzTokenEndpoint$' -fuzztime 30s ./internal/web/

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParseParams checks parseParams on any input: it never panics, and what it accepts keeps
// the promises the endpoints rely on. RFC 6749 §3.1: "Request and response parameters MUST NOT
// be included more than once"; maxParamBytes and maxParams bound what is stored or echoed.
func FuzzParseParams(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := parseParams(raw)
		lenient, lenientErr := parseParams(raw, "scope")
		if err == nil && lenientErr != nil {
			t.Fatalf("accepted strictly but refused with scope repeatable: %v", lenientErr)
		}
		if lenientErr == nil {
			fuzzCheckParams(t, lenient, "scope")
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error with no description")
			}
			return
		}
		fuzzCheckParams(t, values)
		if !reflect.DeepEqual(values, lenient) {
			t.Fatalf("strict and lenient parses differ: %q and %q", values, lenient)
		}
		encoded := values.Encode()
		again, err := parseParams(encoded)
		if err != nil {
			t.Fatalf("re-encoded parameters %q were refused: %v", encoded, err)
		}
		if !reflect.DeepEqual(values, again) {
			t.Fatalf("round trip changed the parameters: got %q, want %q", again, values)
		}
	})
}

// fuzzCheckParams checks what parseParams promises of a successful parse.
func fuzzCheckParams(t *testing.T, values map[string][]string, repeatable ...string) {
	t.Helper()
	total := 0
	for name, vs := range values {
		for _, v := range vs {
			if len(v) > maxParamBytes {
				t.Fatalf("accepted a %d-byte value for %q, want at most %d", len(v), name, maxParamBytes)
			}
		}
		total += len(vs)
	}
	if total > maxParams {
		t.Fatalf("accepted %d parameters, want at most %d", total, maxParams)
	}
	for _, name := range singleValued {
		if n := len(values[name]); n > 1 && !slices.Contains(repeatable, name) {
			t.Fatalf("accepted %q %d times, want at most once (RFC 6749 §3.1)", name, n)
		}
	}
}

// FuzzTokenEndpoint posts any body to the token endpoint, in process, and checks that the
// answer is never a 500 and always JSON with either an error (RFC 6749 §5.2) or an access token
// (RFC 6749 §5.1), marked no-store.
func FuzzTokenEndpoint(f *testing.F) {
	srv := newTestServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("got status %d, want no 5xx: %s", rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("got Content-Type %q, want application/json (status %d): %s", ct, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Fatalf("got Cache-Control %q, want no-store (RFC 6749 §5.1)", got)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("the answer is not a JSON object: %v: %s", err, rec.Body)
		}
		code := errorCode(answer)
		access, _ := answer["access_token"].(string)
		switch {
		case code != "" && access != "":
			t.Fatalf("the answer has both an error and an access token: %s", rec.Body)
		case code != "":
			if rec.Code < 400 {
				t.Fatalf("got status %d with error %q, want 4xx (RFC 6749 §5.2)", rec.Code, code)
			}
		case access != "":
			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d with an access token, want 200 (RFC 6749 §5.1)", rec.Code)
			}
		default:
			t.Fatalf("the answer has neither an error nor an access_token: %s", rec.Body)
		}
	})
}
