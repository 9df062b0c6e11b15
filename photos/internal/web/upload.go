package web

// Uploads: POST /api/photos with a multipart/form-data body (RFC 7578), field "file" holding a
// JPEG or PNG, optional "title" and "album".

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // registers PNG with image.Decode
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/valet/photos/internal/store"
)

const (
	// maxUploadBytes is the largest image Photos accepts.
	maxUploadBytes = 10 << 20
	// maxUploadPixels keeps a small file that decodes to a huge image (a decompression bomb)
	// from taking gigabytes of memory.
	maxUploadPixels = 50_000_000
	maxFieldBytes   = 200
)

// limitUpload caps the whole request body: the image, the other fields and the multipart
// framing. Over the cap, reading fails and the upload answers 413.
func limitUpload(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxUploadBytes+64<<10)
		return next(c)
	}
}

// handleUploadPhoto stores an uploaded photo for the token's subject and answers 201 with its
// metadata.
func handleUploadPhoto(st *store.Store, now func() time.Time) echo.HandlerFunc {
	return func(c echo.Context) error {
		fields, file, err := readUpload(c.Request())
		if err != nil {
			return err
		}
		p, err := storeUpload(c.Request().Context(), st, principal(c).Subject, fields, file, now())
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", "/api/photos/"+p.ID)
		return c.JSON(http.StatusCreated, toJSON(p))
	}
}

// storeUpload adds an uploaded image to owner's library. The image is decoded, to be sure it is
// one, and stored re-encoded as JPEG: this also drops whatever metadata the file carried, such
// as the GPS position in EXIF. The API and the web app's upload form both store through here,
// into the one library.
func storeUpload(ctx context.Context, st *store.Store, owner string, fields map[string]string, file []byte, now time.Time) (store.Photo, error) {
	img, err := decodeImage(file)
	if err != nil {
		return store.Photo{}, err
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 90}); err != nil {
		return store.Photo{}, err
	}
	title := fields["title"]
	if title == "" {
		title = strings.TrimSuffix(path.Base(fields["filename"]), path.Ext(fields["filename"]))
	}
	if title == "" || title == "." {
		title = "Untitled"
	}
	album := fields["album"]
	if album == "" {
		album = "Uploads"
	}
	t := now.UTC()
	p := store.NewPhoto{Photo: store.Photo{ID: store.NewPhotoID(), Owner: owner, Title: title, Album: album,
		Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), TakenAt: t}, JPEG: out.Bytes()}
	if err := st.AddPhotos(ctx, []store.NewPhoto{p}, t); err != nil {
		return store.Photo{}, err
	}
	return p.Photo, nil
}

// readUpload reads the multipart body: the "file" part (at most maxUploadBytes), and the short
// text fields "title" and "album" (and "csrf_token", which the web app's form posts). The
// filename is returned as the field "filename".
func readUpload(r *http.Request) (map[string]string, []byte, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		return nil, nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "invalid_request",
			Description: "send the photo as multipart/form-data with the image in a field named file"}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, badUpload("the multipart body cannot be read: " + err.Error())
	}
	fields := map[string]string{}
	var file []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, uploadReadError(err)
		}
		switch name := part.FormName(); name {
		case "file":
			if file != nil {
				return nil, nil, badUpload("send one file per upload")
			}
			file, err = io.ReadAll(io.LimitReader(part, maxUploadBytes+1))
			if err != nil {
				return nil, nil, uploadReadError(err)
			}
			if len(file) > maxUploadBytes {
				return nil, nil, errTooLarge()
			}
			fields["filename"] = part.FileName()
		case "title", "album", "csrf_token":
			value, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return nil, nil, uploadReadError(err)
			}
			if len(value) > maxFieldBytes || !utf8.Valid(value) {
				return nil, nil, badUpload(fmt.Sprintf("%s must be UTF-8 text of at most %d bytes", name, maxFieldBytes))
			}
			fields[name] = strings.TrimSpace(string(value))
		}
	}
	if file == nil {
		return nil, nil, badUpload("the upload has no field named file")
	}
	return fields, file, nil
}

// decodeImage accepts a JPEG or PNG that decodes completely, within the pixel limit.
func decodeImage(data []byte) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Description: "the file is not a JPEG or PNG image"}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxUploadPixels {
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large",
			Description: fmt.Sprintf("the image is %dx%d; Photos takes at most %d megapixels", cfg.Width, cfg.Height, maxUploadPixels/1_000_000)}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Description: "the " + format + " file is damaged: " + err.Error()}
	}
	return img, nil
}

func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errTooLarge()
	}
	return badUpload("the multipart body cannot be read: " + err.Error())
}

func errTooLarge() *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large",
		Description: fmt.Sprintf("the photo is larger than %d MiB", maxUploadBytes>>20)}
}

func badUpload(desc string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}
