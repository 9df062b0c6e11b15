package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/access"
	"github.com/valet/photos/internal/dpop"
	"github.com/valet/photos/internal/store"
)

// addRoutes lists every route Photos serves. Each API route names the scope it needs; the
// scope is checked before the photo is looked up, so a 403 comes before a 404.
func addRoutes(e *echo.Echo, st *store.Store, checker access.Checker, cfg Config, pages *renderer, static fs.FS) {
	getOrHead := []string{http.MethodGet, http.MethodHead}
	app := newWebApp(st, pages, cfg)
	e.Match(getOrHead, "/", handleLibrary(app, handleHome(pages, cfg)))
	e.StaticFS("/static", static)
	e.Match(getOrHead, "/.well-known/oauth-protected-resource", handleResourceMetadata(cfg))
	e.Match(getOrHead, "/healthz", handleHealth(st))

	challenge := newChallenger(cfg.PublicURL)
	sender := senderConstraint{proofs: dpop.NewVerifier(cfg.Now, dpopReplayLimit), publicURL: cfg.PublicURL}
	api := e.Group("/api", noStoreAPI, requireToken(checker, challenge, sender))
	api.GET("/photos", handleListPhotos(st), requireScope("photos.read", challenge))
	api.GET("/photos/:id", handleGetPhoto(st), requireScope("photos.read", challenge))
	api.GET("/photos/:id/content", handlePhotoContent(st), requireScope("photos.read", challenge))
	api.POST("/photos", handleUploadPhoto(st, cfg.Now), requireScope("photos.write", challenge), limitUpload)
	api.DELETE("/photos/:id", handleDeletePhoto(st), requireScope("photos.delete", challenge))

	// Photos' own web app: its owner's pages, signed in with OpenID Connect at Accounts, on
	// the photos_session cookie, never a bearer token.
	e.GET("/login", handleLogin(app))
	e.GET("/callback", handleCallback(app))
	e.GET("/me", handleMe(app))
	e.POST("/logout", handleLogout(app))
	e.GET("/photos/:id", handlePhotoPage(app))
	e.GET("/photos/:id/image", handlePhotoImage(app))
	e.POST("/photos/:id/delete", handleWebDelete(app))
	e.POST("/upload", handleWebUpload(app), limitUpload)
}
