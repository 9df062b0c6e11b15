package web

// The gallery: the connected user's photos, fetched from Photos with the access token, shown
// with thumbnails that PrintShop makes itself, so the token never reaches the browser.

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/draw"

	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/proof"
	"github.com/valet/printing/internal/store"
)

// album is one album of the gallery.
type album struct {
	Name   string
	Photos []photosapi.Photo
}

type galleryData struct {
	Albums []album
	Scope  []string
	Sizes  []proof.Size
}

// handleGallery lists the user's photos by album, with the order form.
func handleGallery(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		var photos []photosapi.Photo
		err = a.tokens.withToken(ctx, sess.Username, func(ctx context.Context, token string) error {
			photos, err = a.photos.List(ctx, token)
			return err
		})
		if err != nil {
			return err
		}
		conn, err := a.store.Connection(ctx, sess.Username)
		if err != nil {
			return err
		}
		return a.pages.render(c, http.StatusOK, "gallery.html", pageData{Title: "Your photos", User: sess.Username,
			CSRFToken: sess.CSRFToken, Notice: takeNotice(c, a.sessions.secure),
			Data: galleryData{Albums: byAlbum(photos), Scope: conn.Scope, Sizes: proof.Sizes}})
	}
}

// byAlbum groups photos by album, keeping the order Photos listed them in.
func byAlbum(photos []photosapi.Photo) []album {
	var albums []album
	index := map[string]int{}
	for _, p := range photos {
		i, ok := index[p.Album]
		if !ok {
			i = len(albums)
			index[p.Album] = i
			albums = append(albums, album{Name: p.Album})
		}
		albums[i].Photos = append(albums[i].Photos, p)
	}
	return albums
}

// thumbnailSize is the box a thumbnail fits in.
const thumbnailSize = 320

// handleThumbnail serves a small copy of a photo: fetched once from Photos with the token,
// scaled on the server, and kept in SQLite.
func handleThumbnail(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		id := c.Param("id")
		thumb, err := a.store.Thumbnail(ctx, sess.Username, id)
		if errors.Is(err, store.ErrNotFound) {
			var full []byte
			err = a.tokens.withToken(ctx, sess.Username, func(ctx context.Context, token string) error {
				full, err = a.photos.Content(ctx, token, id)
				return err
			})
			if err != nil {
				return err
			}
			if thumb, err = makeThumbnail(full); err != nil {
				return &pageError{Status: http.StatusBadGateway, Title: "Photos sent something that is not a picture", Message: err.Error()}
			}
			if err := a.store.SaveThumbnail(ctx, sess.Username, id, thumb, a.now()); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		// The browser may keep it, but no shared cache: it is someone's photo.
		c.Response().Header().Set("Cache-Control", "private, max-age=3600")
		return c.Blob(http.StatusOK, "image/jpeg", thumb)
	}
}

// makeThumbnail scales a JPEG to fit thumbnailSize, keeping its aspect, with a Catmull-Rom filter.
func makeThumbnail(full []byte) ([]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(full))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	w, h := thumbnailSize, b.Dy()*thumbnailSize/max(b.Dx(), 1)
	if b.Dy() > b.Dx() {
		w, h = b.Dx()*thumbnailSize/max(b.Dy(), 1), thumbnailSize
	}
	dst := image.NewRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
