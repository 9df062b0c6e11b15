package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// addRoutes lists every route PrintShop serves.
func addRoutes(e *echo.Echo, a *app, static fs.FS) {
	getOrHead := []string{http.MethodGet, http.MethodHead}
	e.Match(getOrHead, "/", handleHome(a))
	e.POST("/login", handleLogin(a))
	e.POST("/logout", handleLogout(a))
	e.StaticFS("/static", static)
	e.Match(getOrHead, "/healthz", handleHealth(a))

	// The OAuth client: send the browser to Accounts, and take it back.
	e.GET("/connect", handleConnect(a))
	e.GET("/callback", handleCallback(a))
	e.POST("/disconnect", handleDisconnect(a))

	// What the valet key is for.
	e.GET("/photos", handleGallery(a))
	e.GET("/photos/:id/thumbnail", handleThumbnail(a))
	e.POST("/orders", handlePlaceOrder(a))
	e.GET("/orders", handleOrders(a))
	e.GET("/orders/:id", handleOrder(a))
	e.GET("/orders/:id/proof.jpg", handleProof(a))

	// The walkthrough: what really happened, and experiments that poke at it.
	e.GET("/flow", handleFlow(a))
	e.GET("/flow/kiosk", handleKioskFlow(a))
	e.GET("/flow/kiosk/proof.jpg", handleKioskProof(a))
	e.GET("/learn", handleLearn(a))
	e.GET("/legacy", handleLegacy(a))
	e.POST("/flow/experiments/:name", handleExperiment(a))
}
