package admin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	appmail "espacefamille/app/mail"
	"espacefamille/app/records"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// The back office's home page: the day's figures, each a link to its
// page. They are read through the owning packages (booking, billing,
// mail); the last import is the journal's own.

// MealsBySchool is the next open day's bookings of one school.
type MealsBySchool struct {
	School string
	Lines  []booking.DayCount
	Total  int
	PAI    int
}

// LastImport is the latest families import, from the journal.
type LastImport struct {
	At      string
	Actor   string
	File    string
	Summary families.Summary
}

// When is the import's time in Paris.
func (l LastImport) When() string { return AuditEntry{At: l.At}.When() }

type dashboardData struct {
	base
	Day        calendar.Date
	Schools    []MealsBySchool
	DayTotal   int
	Carts      int
	Unpaid     billing.Unpaid
	Failed     int
	LastImport *LastImport
	Records    int // children's record changes awaiting validation
}

// nextOpenDay is the first day after today on which the commune is open
// (weekends, public and school holidays, closures skipped), within 60
// days; else tomorrow.
func nextOpenDay(ctx context.Context, q tenants.Querier, now time.Time) (calendar.Date, error) {
	cal, err := booking.LoadCalendar(ctx, q)
	if err != nil {
		return calendar.Date{}, err
	}
	tomorrow := calendar.Today(now).AddDays(1)
	for d := tomorrow; d.Before(tomorrow.AddDays(60)); d = d.AddDays(1) {
		if cal.IsOpen(d) {
			return d, nil
		}
	}
	return tomorrow, nil
}

// mealsBySchool groups the day's counts by school.
func mealsBySchool(counts []booking.DayCount) ([]MealsBySchool, int) {
	var out []MealsBySchool
	total := 0
	for _, c := range counts {
		if len(out) == 0 || out[len(out)-1].Lines[0].SchoolID != c.SchoolID {
			name := c.School
			if name == "" {
				name = "Sans école"
			}
			out = append(out, MealsBySchool{School: name})
		}
		s := &out[len(out)-1]
		s.Lines = append(s.Lines, c)
		s.Total += c.Count
		s.PAI += c.PAI
		total += c.Count
	}
	return out, total
}

// lastImport reads the journal's latest families import (nil: none yet).
func lastImport(ctx context.Context, q tenants.Querier) (*LastImport, error) {
	var l LastImport
	var after string
	err := q.QueryRowContext(ctx, `SELECT at, actor, COALESCE(after, '') FROM audit_log
		WHERE action = 'import' AND entity = 'family' ORDER BY id DESC LIMIT 1`).Scan(&l.At, &l.Actor, &after)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("admin: last import: %w", err)
	}
	var rec struct {
		File    string           `json:"file"`
		Summary families.Summary `json:"summary"`
	}
	if err := json.Unmarshal([]byte(after), &rec); err == nil {
		l.File, l.Summary = rec.File, rec.Summary
	}
	return &l, nil
}

func (a *Admin) showDashboard(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := dashboardData{base: baseOf(c, "accueil")}
	var err error
	if d.Day, err = nextOpenDay(ctx, q, a.now()); err != nil {
		return err
	}
	counts, err := booking.DayCounts(ctx, q, d.Day)
	if err != nil {
		return err
	}
	d.Schools, d.DayTotal = mealsBySchool(counts)
	if _, d.Carts, err = booking.PendingCarts(ctx, q, 1); err != nil {
		return err
	}
	if d.Records, err = records.PendingCount(ctx, q); err != nil {
		return err
	}
	if d.IsAdmin() {
		if d.Unpaid, err = billing.UnpaidInvoices(ctx, q); err != nil {
			return err
		}
		if d.Failed, err = appmail.CountFailed(ctx, q); err != nil {
			return err
		}
		if d.LastImport, err = lastImport(ctx, q); err != nil {
			return err
		}
	}
	return web.Render(c, "admin/accueil", "Espace des agents", d)
}

type pendingCartsData struct {
	base
	Carts []booking.PendingCart
	Total int
}

// showPendingCarts lists the carts families left without "Valider".
func (a *Admin) showPendingCarts(c *fiber.Ctx) error {
	list, total, err := booking.PendingCarts(c.UserContext(), db(c).Reader(), 0)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/paniers", "Paniers non validés", pendingCartsData{base: baseOf(c, "accueil"), Carts: list, Total: total})
}

type failedMailsData struct {
	base
	Mails []appmail.Entry
}

// showFailedMails lists the emails the sender gave up on, with why.
func (a *Admin) showFailedMails(c *fiber.Ctx) error {
	list, err := appmail.ListFailed(c.UserContext(), db(c).Reader(), 200)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/courriels", "Emails non remis", failedMailsData{base: baseOf(c, "accueil"), Mails: list})
}

// retryMail queues a failed email again (after the family's address was
// corrected, or the mail server repaired).
func (a *Admin) retryMail(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var to string
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		e, err := appmail.Retry(ctx, tx, id, now)
		if errors.Is(err, appmail.ErrNotFound) {
			return web.ErrNotFound
		} else if err != nil {
			return err
		}
		to = e.To
		return audit(ctx, tx, currentStaff(c), "retry", "email", id, nil,
			map[string]string{"to": e.To, "subject": e.Subject, "last_error": e.LastError}, now)
	})
	if err != nil {
		return err
	}
	a.notify(commune(c).Slug)
	web.AddFlash(c, "success", "L'email à "+to+" est de nouveau en file d'envoi.")
	return web.RedirectTo(c, "/admin/courriels")
}

// DayLabel is "lundi 07/12/2026".
func (d dashboardData) DayLabel() string {
	return calendar.WeekdayNamesFR[d.Day.Weekday()] + " " + d.Day.FR()
}
