package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/authserver/internal/keys"
	"github.com/valet/authserver/internal/store"
)

// addRoutes lists every route Accounts serves.
func addRoutes(e *echo.Echo, f *flow, t *tokenEndpoint, st *store.Store, k *keys.Keyring, meta metadata, static fs.FS) {
	getOrHead := []string{http.MethodGet, http.MethodHead}

	// Pages for people.
	e.Match(getOrHead, "/", handleHome(f))
	e.GET("/login", handleLoginPage(f))
	e.POST("/login", handleLogin(f))
	e.POST("/logout", handleLogout(f))
	e.GET("/consent", handleConsentPage(f))
	e.POST("/consent", handleConsent(f))
	e.GET("/account", handleAccount(f))
	e.POST("/account/revoke", handleAccountRevoke(f))
	e.GET("/device", handleDevicePage(f))
	e.POST("/device", handleDeviceCode(f))
	e.GET("/device/confirm", handleDeviceConfirmPage(f))
	e.POST("/device/confirm", handleDeviceConfirm(f))
	e.StaticFS("/static", static)

	// The front channel of OAuth: the browser is sent here by the client.
	e.GET("/authorize", handleAuthorize(f))
	e.POST("/authorize", handleAuthorize(f))
	e.GET("/authorize/continue", handleAuthorizeContinue(f))
	e.GET("/code", handleCodePage(f)) // the curl demo client's redirect URI

	// The back channel: clients and resource servers call these directly.
	e.POST("/token", handleToken(t))
	e.POST("/device_authorization", handleDeviceAuthorization(t))
	e.POST("/revoke", handleRevoke(t))
	e.POST("/introspect", handleIntrospect(t))
	e.GET("/userinfo", handleUserinfo(t))
	e.POST("/userinfo", handleUserinfo(t))

	// OpenID Connect RP-Initiated Logout 1.0: the browser is sent here to sign out.
	e.GET("/end-session", handleEndSession(f))
	e.POST("/end-session", handleEndSession(f))
	e.POST("/end-session/confirm", handleEndSessionConfirm(f))

	// Discovery.
	e.Match(getOrHead, "/.well-known/oauth-authorization-server", handleMetadata(meta))
	e.Match(getOrHead, "/.well-known/openid-configuration", handleMetadata(meta))
	e.Match(getOrHead, "/.well-known/jwks.json", handleJWKS(k))
	e.Match(getOrHead, "/healthz", handleHealth(st, k, keys.InUse(t.minter.accessAlg)))
}
