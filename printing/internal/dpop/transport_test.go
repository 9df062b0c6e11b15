package dpop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// seen is what the server received.
type seen struct {
	authorization string
	proofs        []string
}

func newServer(t *testing.T, got *seen) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.authorization = r.Header.Get("Authorization")
		got.proofs = r.Header.Values("DPoP")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTransportSignsAProofPerRequestRFC9449Section4_2 checks each proof as a server would: signed
// by the public jwk in its header, typ dpop+jwt, htm and htu (on the public origin, without the
// query), ath of the token, a fresh jti each time, and the token sent under the DPoP scheme.
func TestTransportSignsAProofPerRequestRFC9449Section4_2(t *testing.T) {
	var got seen
	srv := newServer(t, &got)
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &Transport{
		Key:    func(ctx context.Context) (jwk.Key, error) { return key, nil },
		Public: map[string]string{srv.URL: "https://photos.example"},
		Now:    func() time.Time { return now },
	}}
	jtis := map[string]bool{}
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/photos?page=2", nil)
		req.Header.Set("Authorization", "Bearer the-token")
		if _, err := client.Do(req); err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("DPoP") != "" || req.Header.Get("Authorization") != "Bearer the-token" {
			t.Error("the caller's request was changed; RoundTrip must work on a copy")
		}
		if got.authorization != "DPoP the-token" {
			t.Errorf("Authorization: got %q, want the DPoP scheme (RFC 9449 §7.1)", got.authorization)
		}
		if len(got.proofs) != 1 {
			t.Fatalf("got %d DPoP headers, want 1", len(got.proofs))
		}
		msg, err := jws.ParseString(got.proofs[0])
		if err != nil {
			t.Fatal(err)
		}
		h := msg.Signatures()[0].ProtectedHeaders()
		if h.Type() != "dpop+jwt" || h.Algorithm() != Algorithm {
			t.Errorf("header: got typ %q alg %q, want dpop+jwt %s", h.Type(), h.Algorithm(), Algorithm)
		}
		if _, private := h.JWK().(jwk.ECDSAPrivateKey); private {
			t.Error("the proof's jwk holds the private key (RFC 9449 §4.2: public key only)")
		}
		payload, err := jws.Verify([]byte(got.proofs[0]), jws.WithKey(h.Algorithm(), h.JWK()))
		if err != nil {
			t.Fatalf("the proof does not verify with its own jwk: %v", err)
		}
		var claims map[string]any
		json.Unmarshal(payload, &claims)
		sum := sha256.Sum256([]byte("the-token"))
		want := map[string]any{"htm": "GET", "htu": "https://photos.example/api/photos",
			"ath": base64.RawURLEncoding.EncodeToString(sum[:]), "iat": float64(now.Unix())}
		for name, value := range want {
			if claims[name] != value {
				t.Errorf("%s: got %v, want %v", name, claims[name], value)
			}
		}
		jti, _ := claims["jti"].(string)
		if jti == "" || jtis[jti] {
			t.Errorf("jti %q is missing or reused (RFC 9449 §11.1)", jti)
		}
		jtis[jti] = true
		thumb, _ := Thumbprint(key)
		if jkt, _ := Thumbprint(h.JWK()); jkt != thumb {
			t.Errorf("the proof's key thumbprint %s is not the connection key's %s", jkt, thumb)
		}
	}
}

// TestTransportWithoutKeyLeavesTheRequestAlone: bearer mode sends exactly what the caller made.
func TestTransportWithoutKeyLeavesTheRequestAlone(t *testing.T) {
	var got seen
	srv := newServer(t, &got)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &Transport{
		Key: func(ctx context.Context) (jwk.Key, error) { return nil, nil },
	}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/photos", nil)
	req.Header.Set("Authorization", "Bearer the-token")
	if _, err := client.Do(req); err != nil {
		t.Fatal(err)
	}
	if got.authorization != "Bearer the-token" || len(got.proofs) != 0 {
		t.Errorf("got Authorization %q and %d proofs, want Bearer and none", got.authorization, len(got.proofs))
	}
}

// TestKeySurvivesMarshal: the stored key is the same key, so a restart keeps the binding.
func TestKeySurvivesMarshal(t *testing.T) {
	key, _ := NewKey()
	s, err := MarshalKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Thumbprint(key)
	b, _ := Thumbprint(back)
	if a != b {
		t.Errorf("thumbprint after a round trip: got %s, want %s", b, a)
	}
	if _, err := NewProof(back, "GET", "https://photos.example/api/photos", "", "", time.Now()); err != nil {
		t.Errorf("the parsed key cannot sign: %v", err)
	}
}

// TestTransportLeavesGetsWithoutATokenAlone: metadata and keys are fetched without a proof.
func TestTransportLeavesGetsWithoutATokenAlone(t *testing.T) {
	var got seen
	srv := newServer(t, &got)
	key, _ := NewKey()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &Transport{
		Key: func(ctx context.Context) (jwk.Key, error) { return key, nil },
	}}
	if _, err := client.Get(srv.URL + "/.well-known/oauth-authorization-server"); err != nil {
		t.Fatal(err)
	}
	if len(got.proofs) != 0 {
		t.Error("a GET without a token got a DPoP proof")
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token", nil)
	req.SetBasicAuth("printing", "secret")
	if _, err := client.Do(req); err != nil {
		t.Fatal(err)
	}
	if len(got.proofs) != 1 || got.authorization == "" || got.authorization[:6] != "Basic " {
		t.Errorf("token request: got %d proofs and Authorization %q, want one proof and Basic untouched", len(got.proofs), got.authorization)
	}
}

// TestTransportAnswersUseDPoPNonceRFC9449Section8: asked for a nonce (400 use_dpop_nonce with
// DPoP-Nonce), the transport signs the request again with it, body and all, once; the next
// request carries the server's latest nonce from the start.
func TestTransportAnswersUseDPoPNonceRFC9449Section8(t *testing.T) {
	var mu sync.Mutex
	var nonces, bodies []string
	issued := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		msg, _ := jws.ParseString(r.Header.Get("DPoP"))
		var claims map[string]any
		json.Unmarshal(msg.Payload(), &claims)
		nonce, _ := claims["nonce"].(string)
		body, _ := io.ReadAll(r.Body)
		nonces, bodies = append(nonces, nonce), append(bodies, string(body))
		want := fmt.Sprintf("nonce-%d", issued)
		issued++
		w.Header().Set("DPoP-Nonce", fmt.Sprintf("nonce-%d", issued))
		if nonce != want {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "use_dpop_nonce"})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"access_token": "t"})
	}))
	t.Cleanup(srv.Close)
	key, _ := NewKey()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &Transport{
		Key: func(ctx context.Context) (jwk.Key, error) { return key, nil },
	}}
	for i := range 2 {
		resp, err := client.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=refresh_token"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: got %d, want 200 after the nonce", i, resp.StatusCode)
		}
	}
	// nonce-0 was never given out, so the first proof has none; the retry uses nonce-1; the
	// second request starts with nonce-2, the one the last answer carried.
	if want := []string{"", "nonce-1", "nonce-2"}; !slices.Equal(nonces, want) {
		t.Errorf("the proofs' nonces: got %q, want %q", nonces, want)
	}
	for i, body := range bodies {
		if body != "grant_type=refresh_token" {
			t.Errorf("request %d carried body %q, want the form again", i, body)
		}
	}
}
