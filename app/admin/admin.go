// Package admin is the commune's back office, served under /{slug}/admin/:
// staff log-in and roles, the audit log, the pages and forms of families
// and children (with the CSV import and adhesion codes: app/families owns
// their data and rules), services, calendars, news, the kitchen's numbers,
// attendance, money lists and the commune's settings.
package admin

import (
	"errors"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/branding"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Option configures the back office.
type Option func(*Admin)

// WithNotifier makes the back office wake the mail sender after a commit
// that queued emails (the sender's periodic sweep delivers them anyway).
func WithNotifier(notify func(commune string)) Option {
	return func(a *Admin) {
		if notify != nil {
			a.notify = notify
		}
	}
}

// WithSimulator lets administrators choose the built-in payment simulator
// for a régie (demo mode, or a node whose operator allowed it); without
// it the régie form refuses the simulator.
func WithSimulator(allowed bool) Option { return func(a *Admin) { a.simulator = allowed } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(a *Admin) { a.now = now } }

// Admin holds what the back office's handlers share.
type Admin struct {
	srv    *web.Server
	now    func() time.Time
	notify func(commune string)
	jobs   *jobs
	// simulator: the régie form offers the built-in payment simulator.
	simulator bool
}

// New builds the back office without registering routes.
func New(s *web.Server, opts ...Option) *Admin {
	a := &Admin{srv: s, now: time.Now, notify: func(string) {}, jobs: newJobs()}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Routes registers the back office under /admin of every commune.
func Routes(s *web.Server, opts ...Option) *Admin {
	a := New(s, opts...)
	// The logo the administrators upload (settings) is public: every page's
	// header shows it, logged in or not.
	s.Commune().Get("/logo", branding.Serve)
	a.routes(s.Commune().Group("/admin", web.InArea(web.AreaStaff)))
	return a
}

// base is embedded in every page's data: who is logged in and which
// section of the navigation is active.
type base struct {
	Staff   *Staff
	Section string
}

// IsAdmin reports whether the logged-in member is an administrator.
func (b base) IsAdmin() bool { return b.Staff != nil && b.Staff.Role == RoleAdmin }

func baseOf(c *fiber.Ctx, section string) base {
	return base{Staff: currentStaff(c), Section: section}
}

// db returns the request's commune database.
func db(c *fiber.Ctx) *tenants.DB { return tenants.From(c).DB() }

// commune returns the request's commune.
func commune(c *fiber.Ctx) tenants.Commune { return tenants.From(c).Commune }

// idParam reads a positive integer route parameter, or fails with a 404.
func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// idParams reads the route's two id parameters a and b (a family and one
// of its guardians, children or accounts); an invalid one is not found.
func idParams(c *fiber.Ctx, a, b string) (int64, int64, error) {
	first, err := idParam(c, a)
	if err != nil {
		return 0, 0, err
	}
	second, err := idParam(c, b)
	return first, second, err
}

// backToFamily shows msg on the family's page, where every change made
// from it returns.
func backToFamily(c *fiber.Ctx, id int64, msg string) error {
	web.AddFlash(c, "success", msg)
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}

// readUpload reads an uploaded file, at most its first limit bytes.
func readUpload(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit))
	f.Close()
	return data, err
}

// formErrors maps a form field to its French message.
type formErrors map[string]string

func (e formErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// errInvalid wraps a French validation message for a 422 page.
func errInvalid(msg string) error { return web.NewError(fiber.StatusUnprocessableEntity, msg) }

// errForbidden is the French refusal shown to agents.
var errForbidden = web.NewError(fiber.StatusForbidden,
	"Cette action est réservée aux administrateurs de la commune. Votre profil d'agent permet de consulter les listes et de faire le pointage.")

// publicMessage returns the French text of a validation error from a
// domain package, or "" when err is not one.
func publicMessage(err error) string {
	var pe *web.PublicError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return ""
}

// formValue returns a trimmed form value.
func formValue(c *fiber.Ctx, key string) string { return strings.TrimSpace(c.FormValue(key)) }

// checked reports whether a checkbox was ticked.
func checked(c *fiber.Ctx, key string) bool {
	v := c.FormValue(key)
	return v == "1" || v == "on" || v == "oui"
}

// ts is tenants.FormatTime under its old name, for the files other work
// is rewriting now; new code calls tenants.FormatTime.
func ts(t time.Time) string { return tenants.FormatTime(t) }
