package web

// DPoP on PrintShop's side (RFC 9449): with PRINTING_TOKEN_BINDING=dpop, each connection gets its
// own key pair at the callback, the code is exchanged with a proof, and the key is stored with
// the tokens it binds. dpop.Transport then signs a proof for every later token and Photos
// request, finding the key with ConnectionKeys.

import (
	"context"
	"errors"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/valet/printing/internal/dpop"
	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/store"
)

// Token bindings, the values of PRINTING_TOKEN_BINDING.
const (
	BindingBearer = "bearer" // whoever holds the token can use it (RFC 6750)
	BindingDPoP   = "dpop"   // the token works only with a proof signed by PrintShop's key (RFC 9449)
)

// ConnectionKeys finds the DPoP key of a request for dpop.Transport: the key put in the context
// (the code exchange, before the connection is saved), else the stored key of the user's
// connection. nil means the user's tokens are bearer tokens.
func ConnectionKeys(st *store.Store) func(ctx context.Context) (jwk.Key, error) {
	return func(ctx context.Context) (jwk.Key, error) {
		if key, ok := dpop.KeyFrom(ctx); ok {
			return key, nil
		}
		username := flow.Username(ctx)
		if username == "" {
			return nil, nil
		}
		conn, err := st.Connection(ctx, username)
		if errors.Is(err, store.ErrNotFound) || (err == nil && conn.DPoPKey == "") {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return dpop.ParseKey(conn.DPoPKey)
	}
}

// connectionKey makes the key pair a new connection's tokens will be bound to, or nil in
// bearer mode.
func (a *app) connectionKey() (jwk.Key, error) {
	if a.tokenBinding != BindingDPoP {
		return nil, nil
	}
	return dpop.NewKey()
}

// keptKey is what to store of the key after the token response: the key, when Accounts bound
// the tokens to it. RFC 9449 §5: a token_type of DPoP says it did; an authorization server that
// does not know DPoP answers Bearer, and then the key binds nothing and is dropped.
func keptKey(key jwk.Key, tokenType string) (string, error) {
	if key == nil || !strings.EqualFold(tokenType, "DPoP") {
		return "", nil
	}
	return dpop.MarshalKey(key)
}
