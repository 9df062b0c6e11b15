package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"

	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// pageData is what every template gets: the layout reads Title and the signed-in user, the
// page reads Data.
type pageData struct {
	Title string
	Data  any
	// The web app's banner: who is signed in, the CSRF token of the sign-out form, and
	// Accounts' page of connected apps.
	User, Name, CSRFToken, AccountURL string
}

// renderer holds every page, each parsed once together with the layout.
type renderer struct {
	pages map[string]*template.Template
}

func newRenderer(insecure []string) (*renderer, error) {
	// insecure names the attack lab's switches that are on, for the layout's red banner.
	funcs := template.FuncMap{"insecure": func() []string { return insecure }}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for _, name := range names {
		if path.Base(name) == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		r.pages[path.Base(name)] = t
	}
	return r, nil
}

// render writes a page, rendered into a buffer first so a template error is a clean error.
func (r *renderer) render(c echo.Context, status int, name string, data pageData) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}
