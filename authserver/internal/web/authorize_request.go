package web

// The authorization request's parameters, RFC 6749 §4.1.1 (and §4.2.1 for the implicit
// exhibit), once the client and redirect URI are known to be genuine (checkClientAndRedirect).
// Each rule is one function; parseAuthorizeRequest runs them in order and builds the request
// to store. Every failure here goes back to the client's redirect URI (RFC 6749 §4.1.2.1).

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/valet/authserver/internal/store"
)

// parseAuthorizeRequest checks every parameter of an authorization request for a known client
// and its verified redirect URI, and returns the request to store, with the redirect URI that
// was verified and the response type that was asked for.
func parseAuthorizeRequest(query url.Values, client store.Client, redirectURI string, enableImplicit, insecurePKCEOptional bool) (store.AuthorizationRequest, *authorizeError) {
	query, err := checkParams(query)
	if err != nil {
		return store.AuthorizationRequest{}, &authorizeError{"invalid_request", err.Error()}
	}
	req := store.AuthorizationRequest{ClientID: client.ID, RedirectURI: redirectURI, State: query.Get("state"), MaxAge: -1}
	var aerr *authorizeError
	if req.ResponseType, aerr = checkResponseType(query.Get("response_type"), enableImplicit); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	if aerr = checkClientGrant(client, req.ResponseType); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	if aerr = checkResponseMode(query.Get("response_mode"), req.ResponseType); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	if req.Scope, aerr = checkRequestedScope(query, client); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	if req.ResponseType == "code" && insecurePKCEOptional && query.Get("code_challenge") == "" {
		// INSECURE, the attack lab's AUTHSERVER_INSECURE_PKCE_OPTIONAL=true: RFC 9700 §2.1.1
		// ("Authorization servers MUST support PKCE" and must enforce it for public clients,
		// and RFC 9700 recommends it for all) is switched off here: a request with no
		// code_challenge gets a code bound to nothing. See workshop/attacks/03-code-injection.md.
	} else if req.ResponseType == "code" {
		if err := checkCodeChallenge(query.Get("code_challenge"), query.Get("code_challenge_method")); err != nil {
			return store.AuthorizationRequest{}, &authorizeError{"invalid_request", err.Error()}
		}
		req.CodeChallenge = query.Get("code_challenge")
	}
	// The implicit flow has no PKCE: there is no code to bind a verifier to, since the token
	// itself comes back in the redirect. A code_challenge sent with it is ignored. That gap is
	// one reason RFC 9700 §2.1.2 says clients "SHOULD NOT use the implicit grant": nothing ties
	// the token to the client that asked, so a leaked or injected token cannot be detected.
	if req.Prompt, err = parsePrompt(query.Get("prompt")); err != nil {
		return store.AuthorizationRequest{}, &authorizeError{"invalid_request", err.Error()}
	}
	if req.MaxAge, err = parseMaxAge(query.Get("max_age")); err != nil {
		return store.AuthorizationRequest{}, &authorizeError{"invalid_request", err.Error()}
	}
	if aerr = checkRequestObjects(query); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	req.Nonce = query.Get("nonce")
	if aerr = checkNonce(req.Scope, req.Nonce); aerr != nil {
		return store.AuthorizationRequest{}, aerr
	}
	return req, nil
}

// checkResponseType accepts response_type=code (RFC 6749 §4.1.1: the value "MUST be set to
// "code""), and response_type=token only while the implicit exhibit is on (§4.2.1).
func checkResponseType(responseType string, enableImplicit bool) (string, *authorizeError) {
	switch responseType {
	case "code":
		return "code", nil
	case "":
		return "", &authorizeError{"invalid_request", "response_type is missing; use response_type=code"}
	case "token":
		if !enableImplicit {
			return "", &authorizeError{"unsupported_response_type", implicitRefused}
		}
		return "token", nil
	}
	return "", &authorizeError{"unsupported_response_type", "response_type " + quote(responseType) + " is not supported; use response_type=code"}
}

// checkClientGrant refuses a response type whose grant the client is not registered for
// (RFC 6749 §4.1.2.1, unauthorized_client).
func checkClientGrant(client store.Client, responseType string) *authorizeError {
	grantType := "authorization_code"
	if responseType == "token" {
		grantType = "implicit"
	}
	if !client.AllowsGrant(grantType) {
		return &authorizeError{"unauthorized_client", "client " + quote(client.ID) + " is not registered for the " + grantType + " grant"}
	}
	return nil
}

// checkResponseMode accepts only the default encoding of each response type. OAuth 2.0
// Multiple Response Type Encoding Practices §2.1: a token answer is never encoded in the query,
// where servers and proxies would log it; Accounts answers a code in the query.
func checkResponseMode(mode, responseType string) *authorizeError {
	switch {
	case mode == "":
		return nil
	case responseType == "token" && mode != "fragment":
		return &authorizeError{"invalid_request", "response_mode " + quote(mode) + " is not supported with response_type=token; the token always comes in the fragment"}
	case responseType == "code" && mode != "query":
		return &authorizeError{"invalid_request", "response_mode " + quote(mode) + " is not supported; Accounts answers in the query"}
	}
	return nil
}

// checkRequestedScope enforces RFC 6749 §3.3: every scope must exist and be registered for the
// client, and a request must ask for something.
func checkRequestedScope(query url.Values, client store.Client) ([]string, *authorizeError) {
	raw := query.Get("scope")
	scope, err := parseScope(raw)
	if err != nil {
		return nil, &authorizeError{"invalid_scope", err.Error()}
	}
	if len(scope) == 0 {
		return nil, &authorizeError{"invalid_scope", "scope is missing; ask for at least one scope, such as photos.read"}
	}
	if s := firstMissing(scope, client.Scopes); s != "" {
		return nil, &authorizeError{"invalid_scope", "scope " + quote(s) + " is not registered for client " + quote(client.ID)}
	}
	return scope, nil
}

// parsePrompt accepts the OpenID Connect prompt values Accounts honours: "login" forces a fresh
// sign-in, "consent" forces the consent page, "none" forbids both.
func parsePrompt(raw string) (string, error) {
	switch raw {
	case "", "login", "consent", "none", "login consent", "consent login":
		return raw, nil
	}
	return "", fmt.Errorf("prompt %s is not supported; use login, consent, both, or none", quote(raw))
}

// parseMaxAge reads OpenID Connect's max_age (Core §3.1.2.1): seconds since the last sign-in
// that are acceptable, or -1 when the request has none.
func parseMaxAge(raw string) (int, error) {
	if raw == "" {
		return -1, nil
	}
	maxAge, err := strconv.Atoi(raw)
	if err != nil || maxAge < 0 {
		return 0, errors.New("max_age must be a whole number of seconds")
	}
	return maxAge, nil
}

// checkRequestObjects refuses request objects, which Accounts does not support (OpenID Connect
// Core §6: request_not_supported, request_uri_not_supported).
func checkRequestObjects(query url.Values) *authorizeError {
	if query.Get("request") != "" {
		return &authorizeError{"request_not_supported", "request objects (the request parameter) are not supported; send the parameters in the query"}
	}
	if query.Get("request_uri") != "" {
		return &authorizeError{"request_uri_not_supported", "request_uri is not supported; send the parameters in the query"}
	}
	return nil
}

// checkNonce requires a nonce with scope openid. OpenID Connect makes nonce optional in the code
// flow; Accounts requires it so that an ID token can always be tied to the sign-in that asked
// for it.
func checkNonce(scope []string, nonce string) *authorizeError {
	if slices.Contains(scope, "openid") && nonce == "" {
		return &authorizeError{"invalid_request", "nonce is required with scope openid"}
	}
	return nil
}
