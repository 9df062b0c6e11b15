package web

// DPoP nonces from Accounts, RFC 9449 §8: with them on (AUTHSERVER_DPOP_NONCE=true), a token
// request's proof must carry a nonce that Accounts gave out recently, so that a proof cannot be
// made ahead of time on a device the attacker held once (§11.2, pre-generated proofs).
//
// The nonces are stateless: the time they were made and an HMAC of it with a key that lives as
// long as the process. Nothing is stored, and a restart simply asks clients for a new nonce.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// dpopNonceLifetime is how long a nonce is accepted after Accounts made it.
const dpopNonceLifetime = 5 * time.Minute

// dpopNonces makes and checks nonces.
type dpopNonces struct {
	key [32]byte
	now func() time.Time
}

func newDPoPNonces(now func() time.Time) (*dpopNonces, error) {
	n := &dpopNonces{now: now}
	_, err := rand.Read(n.key[:])
	return n, err
}

// fresh makes a nonce: base64url(8 bytes of unix seconds, then their HMAC-SHA256).
func (n *dpopNonces) fresh() string {
	buf := binary.BigEndian.AppendUint64(nil, uint64(n.now().Unix()))
	return base64.RawURLEncoding.EncodeToString(append(buf, n.mac(buf)...))
}

func (n *dpopNonces) mac(stamp []byte) []byte {
	h := hmac.New(sha256.New, n.key[:])
	h.Write(stamp)
	return h.Sum(nil)
}

// checkDPoPNonce is RFC 9449 §4.3 step 10: "if the server provided a nonce value to the
// client, the nonce claim matches the server-provided nonce value". A nonce is good when
// Accounts made it (the HMAC) within dpopNonceLifetime.
func (n *dpopNonces) checkDPoPNonce(nonce string) error {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if nonce == "" {
		return errUseDPoPNonce("the DPoP proof has no nonce claim; Accounts requires one: sign the proof again with the nonce in the DPoP-Nonce header (RFC 9449 §8)")
	}
	if err != nil || len(raw) != 8+sha256.Size || !hmac.Equal(raw[8:], n.mac(raw[:8])) {
		return errUseDPoPNonce("the DPoP proof's nonce was not made by Accounts; use the one in the DPoP-Nonce header (RFC 9449 §8)")
	}
	made := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	if age := n.now().Sub(made); age > dpopNonceLifetime || age < -time.Minute {
		return errUseDPoPNonce("the DPoP proof's nonce has expired; use the new one in the DPoP-Nonce header (RFC 9449 §8)")
	}
	return nil
}

// errUseDPoPNonce is RFC 9449 §8's answer: 400 use_dpop_nonce, with a fresh nonce in the
// DPoP-Nonce header (sendDPoPNonce adds it).
func errUseDPoPNonce(desc string) *oauthError {
	return &oauthError{Code: "use_dpop_nonce", Description: desc, Status: http.StatusBadRequest}
}

// sendDPoPNonce gives the client the nonce to use next, on every token answer (RFC 9449 §8.2:
// the server "MAY supply a new nonce value" at any time).
func (n *dpopNonces) sendDPoPNonce(c echo.Context) {
	c.Response().Header().Set("DPoP-Nonce", n.fresh())
}
