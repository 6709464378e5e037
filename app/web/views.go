package web

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"testing/fstest"

	"github.com/gofiber/template/html/v2"
)

// Views implements fiber.Views with one gofiber html engine per page: each
// engine holds only the layouts, the partials and that page, so the pages'
// {{define "content"}} blocks never collide. Templates are parsed once at
// start, and nothing is mutated per request (the engine's own layout
// mechanism takes a global lock and rewrites the template's functions on
// every render, which we avoid by letting pages call the layout).
type Views struct {
	pages map[string]*html.Engine
	// partials is one of the pages' engines: each holds every partial.
	partials *html.Engine
}

// shared are the directories every page set includes.
var shared = []string{"layouts/", "partials/"}

// NewViews parses every page of fsys (all .html files outside layouts/ and
// partials/) with funcs, and fails on the first broken template.
func NewViews(fsys fs.FS, funcs template.FuncMap) (*Views, error) {
	common := fstest.MapFS{}
	var pages []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		for _, dir := range shared {
			if strings.HasPrefix(p, dir) {
				common[p] = &fstest.MapFile{Data: b}
				return nil
			}
		}
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	v := &Views{pages: map[string]*html.Engine{}}
	for _, p := range pages {
		set := fstest.MapFS{}
		for k, f := range common {
			set[k] = f
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		set[p] = &fstest.MapFile{Data: b}
		eng := html.NewFileSystem(http.FS(set), ".html")
		eng.AddFuncMap(funcs)
		if err := eng.Load(); err != nil {
			return nil, fmt.Errorf("views: page %s: %w", p, err)
		}
		name := strings.TrimSuffix(p, ".html")
		if eng.Templates.Lookup(name) == nil {
			return nil, fmt.Errorf("views: page %s did not parse to a template", p)
		}
		v.pages[name] = eng
		v.partials = eng
	}
	return v, nil
}

// Load satisfies fiber.Views; templates are already parsed.
func (v *Views) Load() error { return nil }

// Render executes page name with binding; layouts are called by the page.
func (v *Views) Render(w io.Writer, name string, binding any, _ ...string) error {
	eng, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("views: no page %q", name)
	}
	return eng.Render(w, name, binding)
}

// Partial renders the shared partial name (e.g. "partials/menus-week")
// with data, as {{template name data}} prints it in a page's HTML text:
// for fragments that do not change between requests, which a page keeps
// and prints as they are (the agenda's menus, issue 10).
func (v *Views) Partial(name string, data any) (template.HTML, error) {
	if v.partials == nil || !strings.HasPrefix(name, "partials/") {
		return "", fmt.Errorf("views: no partial %q", name)
	}
	t := v.partials.Templates.Lookup(name)
	if t == nil {
		return "", fmt.Errorf("views: no partial %q", name)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("views: partial %s: %w", name, err)
	}
	return template.HTML(b.String()), nil //nolint:gosec // escaped by html/template
}

// Has reports whether page name exists.
func (v *Views) Has(name string) bool { _, ok := v.pages[name]; return ok }
