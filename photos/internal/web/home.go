package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
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
