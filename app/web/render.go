package web

import (
	"fmt"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/branding"
	"espacefamille/tenants"
)

// UserView is what the layout shows of the logged-in person.
type UserView struct {
	AccountID   int64
	DisplayName string
	FamilyID    int64 // 0 when the account has no adhesion in this commune
	FamilyName  string
	Communes    int // communes the account has an adhesion in: "Mes communes" shows from 2
}

type userKey struct{}

// SetUser records the logged-in person for the layout (accounts middleware).
func SetUser(c *fiber.Ctx, u *UserView) { c.Locals(userKey{}, u) }

// User returns the logged-in person, or nil.
func User(c *fiber.Ctx) *UserView {
	u, _ := c.Locals(userKey{}).(*UserView)
	return u
}

// Page is the binding of every page: what the layout needs plus the page's
// own Data.
type Page struct {
	Title   string
	Commune *tenants.Commune
	User    *UserView
	Flash   []Flash            // messages shown at the top of the page
	Placed  map[string][]Flash // messages shown beside an element (FlashPlaces)
	Tab     string             // active tab of the family space
	Area    string             // AreaFamily (default) or AreaStaff: which header links to show
	Logo    string             // versioned URL of the commune's logo, "" when it has none
	Demo    bool
	csrf    string
	prefix  string
	// Data is the page's own content.
	Data any
}

// URL builds a commune URL from a commune-relative path.
func (p Page) URL(path string) string {
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	return p.prefix + path
}

// FlashAt returns the messages about the element of id place.
func (p Page) FlashAt(place string) []Flash { return p.Placed[place] }

// CSRFToken returns the page's anti-forgery token.
func (p Page) CSRFToken() string { return p.csrf }

// CSRFField returns the hidden input every form carries.
func (p Page) CSRFField() template.HTML {
	return template.HTML(`<input type="hidden" name="_csrf" value="` + template.HTMLEscapeString(p.csrf) + `">`)
}

type demoKey struct{}

// Render renders page with the common data filled in from the request.
func Render(c *fiber.Ctx, page, title string, data any) error {
	return RenderStatus(c, fiber.StatusOK, page, title, data)
}

// RenderStatus is Render with an explicit HTTP status.
func RenderStatus(c *fiber.Ctx, status int, page, title string, data any) error {
	p := NewPage(c, title, data)
	c.Status(status)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render(page, p)
}

// Partial renders the shared partial name with data through the
// application's views (Views.Partial).
func Partial(c *fiber.Ctx, name string, data any) (template.HTML, error) {
	v, ok := c.App().Config().Views.(*Views)
	if !ok {
		return "", fmt.Errorf("views: no partial %q: the application has no Views", name)
	}
	return v.Partial(name, data)
}

// NewPage builds the common binding of a page.
func NewPage(c *fiber.Ctx, title string, data any) Page {
	p := Page{Title: title, Data: data, User: User(c)}
	p.Flash, p.Placed = splitFlash(c, TakeFlash(c))
	if t := tenants.From(c); t != nil {
		com := t.Commune
		p.Commune = &com
		p.prefix = t.Prefix
		p.Logo = branding.URL(c)
	}
	p.csrf = CSRFToken(c)
	p.Demo, _ = c.Locals(demoKey{}).(bool)
	p.Area, _ = c.Locals(areaKey{}).(string)
	if tab, ok := c.Locals(tabKey{}).(string); ok {
		p.Tab = tab
	}
	return p
}

type tabKey struct{}

type areaKey struct{}

// Areas of the site, for the header: the families' pages or the back office.
const (
	AreaFamily = ""
	AreaStaff  = "staff"
)

// InArea is a middleware marking every page of a route group as part of
// an area, so the shared header shows that area's links.
func InArea(area string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(areaKey{}, area)
		return c.Next()
	}
}

// SetTab marks the active tab of the family space.
func SetTab(c *fiber.Ctx, tab string) { c.Locals(tabKey{}, tab) }

// URL builds a URL of the request's commune (or a platform URL outside one).
func URL(c *fiber.Ctx, path string) string {
	if t := tenants.From(c); t != nil {
		return t.URL(path)
	}
	return path
}

// RedirectTo answers a POST with 303 See Other to a commune-relative path.
func RedirectTo(c *fiber.Ctx, path string) error {
	return c.Redirect(URL(c, path), fiber.StatusSeeOther)
}
