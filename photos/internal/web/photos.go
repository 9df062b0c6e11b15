package web

// The photos API. Every handler works on the token's subject only: one user's photo id in
// another user's request is a 404, the same answer as an id that does not exist.

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

// photoJSON is one photo in the API.
type photoJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Album   string `json:"album"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	TakenAt string `json:"taken_at"` // RFC 3339, UTC
}

func toJSON(p store.Photo) photoJSON {
	return photoJSON{ID: p.ID, Title: p.Title, Album: p.Album, Width: p.Width, Height: p.Height,
		TakenAt: p.TakenAt.UTC().Format(time.RFC3339)}
}

// handleListPhotos answers GET /api/photos with the token subject's photos.
func handleListPhotos(st *store.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		photos, err := st.Photos(c.Request().Context(), principal(c).Subject)
		if err != nil {
			return err
		}
		out := make([]photoJSON, len(photos))
		for i, p := range photos {
			out[i] = toJSON(p)
		}
		return c.JSON(http.StatusOK, map[string][]photoJSON{"photos": out})
	}
}

// handleGetPhoto answers GET /api/photos/{id} with one photo's metadata.
func handleGetPhoto(st *store.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := st.Photo(c.Request().Context(), principal(c).Subject, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return errPhotoNotFound()
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toJSON(p))
	}
}

// handlePhotoContent answers GET /api/photos/{id}/content with the JPEG bytes.
func handlePhotoContent(st *store.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		jpeg, err := st.Content(c.Request().Context(), principal(c).Subject, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return errPhotoNotFound()
		}
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "image/jpeg", jpeg)
	}
}

// handleDeletePhoto answers DELETE /api/photos/{id}: the photo is gone for good.
func handleDeletePhoto(st *store.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := st.DeletePhoto(c.Request().Context(), principal(c).Subject, c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return errPhotoNotFound()
		}
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func errPhotoNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found",
		Description: "no photo with this id in your library"}
}
