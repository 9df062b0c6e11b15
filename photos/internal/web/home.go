package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/valet/photos/internal/store"
)

// endpoint is one line of the API table on the home page.
type endpoint struct {
	Method, Path, Answer, Scope string
}

var endpoints = []endpoint{
	{"GET", "/api/photos", `{"photos": [{"id", "title", "album", "width", "height", "taken_at"}]}`, "photos.read"},
	{"GET", "/api/photos/{id}", "one photo's metadata", "photos.read"},
	{"GET", "/api/photos/{id}/content", "the picture, image/jpeg", "photos.read"},
	{"POST", "/api/photos", "upload: multipart field file (JPEG or PNG, at most 10 MiB), optional title and album; 201", "photos.write"},
	{"DELETE", "/api/photos/{id}", "delete for good; 204", "photos.delete"},
}

type homeData struct {
	Config    Config
	Endpoints []endpoint
	Scopes    []Scope
}

// handleHome explains what a resource server is and lists the API.
func handleHome(pages *renderer, cfg Config) echo.HandlerFunc {
	return func(c echo.Context) error {
		return pages.render(c, http.StatusOK, "home.html", pageData{Title: "Photos",
			Data: homeData{Config: cfg, Endpoints: endpoints, Scopes: Scopes}})
	}
}

// handleHealth answers 200 when the database answers. It does not ask Accounts: Photos keeps
// serving with cached keys while Accounts is down.
func handleHealth(st *store.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			return c.String(http.StatusServiceUnavailable, "database not reachable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	}
}
