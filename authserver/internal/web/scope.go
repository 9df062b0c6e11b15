package web

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is one permission a client can ask for, with the plain words the consent page uses.
type Scope struct {
	Name        string
	Description string
}

// Scopes lists every scope Accounts knows, in the order pages show them.
var Scopes = []Scope{
	{"openid", "Confirm to this app who you are (your username)."},
	{"profile", "See your name."},
	{"photos.read", "See your photos and albums, and download the pictures."},
	{"photos.write", "Upload new photos to your library."},
	{"photos.delete", "Delete photos from your library, for good."},
}

// KnownScope reports whether Accounts defines the scope.
func KnownScope(name string) bool {
	return slices.ContainsFunc(Scopes, func(s Scope) bool { return s.Name == name })
}

func describeScope(name string) Scope {
	for _, s := range Scopes {
		if s.Name == name {
			return s
		}
	}
	return Scope{Name: name, Description: name}
}

// parseScope reads a scope parameter (RFC 6749 §3.3): space-separated scope tokens, each made
// of the characters %x21 / %x23-5B / %x5D-7E. Every token must be a scope Accounts knows. The
// result has no duplicates and follows the order of Scopes, so equal sets compare equal.
func parseScope(raw string) ([]string, error) {
	var out []string
	for _, token := range strings.Split(raw, " ") {
		if token == "" {
			continue
		}
		for _, r := range token {
			if r < 0x21 || r == 0x22 || r == 0x5c || r > 0x7e {
				return nil, fmt.Errorf("scope %q has a character RFC 6749 §3.3 does not allow", truncate(token, 40))
			}
		}
		if !KnownScope(token) {
			return nil, fmt.Errorf("scope %q is unknown; Accounts knows %s", truncate(token, 40), scopeNames(Scopes))
		}
		if !slices.Contains(out, token) {
			out = append(out, token)
		}
	}
	return sortScopes(out), nil
}

// sortScopes puts scopes in the order of Scopes.
func sortScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range Scopes {
		if slices.Contains(scopes, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// subsetOf reports whether every scope in a is also in b.
func subsetOf(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// firstMissing returns the first scope of a that is not in b, or "".
func firstMissing(a, b []string) string {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return s
		}
	}
	return ""
}

func scopeNames(scopes []Scope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// joinScope writes scopes in the form of the scope parameter (RFC 6749 §3.3).
func joinScope(scopes []string) string { return strings.Join(scopes, " ") }
