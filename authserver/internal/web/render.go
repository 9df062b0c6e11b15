package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// pageData is what every template gets: the layout reads Title, User and CSRFToken, and the
// page reads Data.
type pageData struct {
	Title     string
	User      string // the signed-in username, or ""
	CSRFToken string // for the logout form in the banner
	Data      any
}

// renderer holds every page, each parsed once together with the layout.
type renderer struct {
	pages map[string]*template.Template
}

func newRenderer(insecure []string) (*renderer, error) {
	funcs := template.FuncMap{
		"describe": describeScope,
		"date":     func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	}
	// insecure names the attack lab's switches that are on, for the layout's red banner.
	funcs["insecure"] = func() []string { return insecure }
	// The layout and the partials (files starting with "_") are shared by every page.
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		r.pages[base] = t
	}
	return r, nil
}

// render writes a page. It renders into a buffer first, so a template error becomes a clean
// error page instead of half a page.
func (r *renderer) render(c echo.Context, status int, name string, data pageData) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	// Pages carry CSRF tokens and personal data: never store them in a shared cache.
	noStore(c)
	return c.HTMLBlob(status, buf.Bytes())
}
