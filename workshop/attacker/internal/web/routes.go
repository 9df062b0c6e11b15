package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// addRoutes lists every route of the attacker's site.
func addRoutes(e *echo.Echo, a *attacker, static fs.FS) {
	e.GET("/", handleHome(a))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.StaticFS("/static", static)

	// Where stolen things arrive: a code in the query, a token in the fragment.
	e.GET("/steal", handleSteal(a))
	e.POST("/steal", handleStealFragment(a))

	// Traps the victim's browser is sent through.
	e.POST("/bait", handlePrepareBait(a))
	e.GET("/bait", handleBait(a))
	e.GET("/inject", handleInject(a))

	// The attacker's own tools.
	e.POST("/forge/unsigned", handleForgeUnsigned(a))
	e.GET("/api/hello", handleAPI(a))
}
