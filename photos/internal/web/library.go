package web

// GET /: for a signed-in user, the library by album, as a grid of thumbnails, with the upload
// form. Signed out, the page that explains Photos.

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

// album is one album of the library page.
type album struct {
	Name   string
	Photos []store.Photo
}

type libraryData struct {
	Albums []album
	Count  int
}

// handleLibrary shows the signed-in user's library, read from the store that serves the API:
// what is uploaded or deleted here shows at PrintShop after a refresh. Signed out, it serves
// signedOut instead.
func handleLibrary(a *webApp, signedOut echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, ok, err := a.sessions.user(c)
		if err != nil {
			return err
		}
		if !ok {
			return signedOut(c)
		}
		photos, err := a.store.Photos(c.Request().Context(), sess.Username)
		if err != nil {
			return err
		}
		noStorePage(c)
		return a.pages.render(c, http.StatusOK, "library.html", a.page(sess, "Your library", libraryData{Albums: byAlbum(photos), Count: len(photos)}))
	}
}

// byAlbum groups photos, already sorted by album, into albums.
func byAlbum(photos []store.Photo) []album {
	var albums []album
	for _, p := range photos {
		if len(albums) == 0 || albums[len(albums)-1].Name != p.Album {
			albums = append(albums, album{Name: p.Album})
		}
		albums[len(albums)-1].Photos = append(albums[len(albums)-1].Photos, p)
	}
	return albums
}

// noStorePage keeps a signed-in user's page, which carries a CSRF token and private photos,
// out of every cache.
func noStorePage(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
