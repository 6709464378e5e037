package admin

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// A closure applies to the whole commune, or to the prestations and/or
// schools ticked on the form (booking.AddPartialClosure): a canteen
// strike leaves the garderie open, a school's closure concerns its
// children only. Both go through the same preview → confirm flow
// (calendars.go), which cancels, credits and emails only what the
// closure concerns.

// offeredPrestations lists every prestation, régie by régie, in order.
func offeredPrestations(ctx context.Context, q tenants.Querier) ([]booking.Prestation, error) {
	rs, err := booking.Regies(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []booking.Prestation
	for _, r := range rs {
		ps, err := booking.Prestations(ctx, q, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// closureScope reads the ticked prestations and schools of the closure
// form (none: the whole commune), checked against the commune's own.
func closureScope(c *fiber.Ctx, q tenants.Querier, day calendar.Date, reason string) (calendar.ScopedClosure, error) {
	s := calendar.ScopedClosure{Date: day, Reason: reason}
	ctx := c.UserContext()
	ps, err := offeredPrestations(ctx, q)
	if err != nil {
		return s, err
	}
	schools, err := schoolList(ctx, q)
	if err != nil {
		return s, err
	}
	known := map[int64]bool{}
	for _, p := range ps {
		known[p.ID] = true
	}
	ids := func(field string, ok func(int64) bool) ([]int64, error) {
		var out []int64
		for _, v := range c.Request().PostArgs().PeekMulti(field) {
			id, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || !ok(id) {
				return nil, errInvalid("Cette prestation ou cette école n'existe pas (ou plus) : rechargez la page du calendrier.")
			}
			out = append(out, id)
		}
		return out, nil
	}
	if s.Prestations, err = ids("prestation", func(id int64) bool { return known[id] }); err != nil {
		return s, err
	}
	s.Schools, err = ids("school", func(id int64) bool {
		for _, sc := range schools {
			if sc.ID == id {
				return true
			}
		}
		return false
	})
	return s, err
}

// ClosureScopeView is what a closure concerns, in words and as the
// preview's hidden fields.
type ClosureScopeView struct {
	Whole       bool
	Prestations []booking.Prestation
	Schools     []School
}

// Text is "toute la commune", or the prestations and schools named.
func (v ClosureScopeView) Text() string {
	if v.Whole {
		return "toute la commune"
	}
	var parts []string
	if len(v.Prestations) > 0 {
		names := make([]string, len(v.Prestations))
		for i, p := range v.Prestations {
			names[i] = p.Name
		}
		parts = append(parts, strings.Join(names, ", "))
	} else {
		parts = append(parts, "toutes les prestations")
	}
	if len(v.Schools) > 0 {
		names := make([]string, len(v.Schools))
		for i, s := range v.Schools {
			names[i] = s.Name
		}
		parts = append(parts, "enfants de "+strings.Join(names, ", "))
	}
	return strings.Join(parts, " – ")
}

// scopeView names a scope's prestations and schools.
func scopeView(ctx context.Context, q tenants.Querier, s calendar.ScopedClosure) (ClosureScopeView, error) {
	v := ClosureScopeView{Whole: s.Whole()}
	ps, err := offeredPrestations(ctx, q)
	if err != nil {
		return v, err
	}
	for _, p := range ps {
		for _, id := range s.Prestations {
			if p.ID == id {
				v.Prestations = append(v.Prestations, p)
			}
		}
	}
	schools, err := schoolList(ctx, q)
	if err != nil {
		return v, err
	}
	for _, sc := range schools {
		for _, id := range s.Schools {
			if sc.ID == id {
				v.Schools = append(v.Schools, sc)
			}
		}
	}
	return v, nil
}

// PartialClosureRow is a partial closure in the calendar's list.
type PartialClosureRow struct {
	ID     int64
	Day    calendar.Date
	Reason string
	Scope  string
}

func partialClosureRows(ctx context.Context, q tenants.Querier) ([]PartialClosureRow, error) {
	list, err := booking.PartialClosures(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]PartialClosureRow, 0, len(list))
	for _, s := range list {
		v, err := scopeView(ctx, q, s)
		if err != nil {
			return nil, err
		}
		out = append(out, PartialClosureRow{ID: s.ID, Day: s.Date, Reason: s.Reason, Scope: v.Text()})
	}
	return out, nil
}

// scopeAudit adds to fields what the journal records of a closure's scope.
func scopeAudit(v ClosureScopeView, fields map[string]any) map[string]any {
	ps := make([]string, len(v.Prestations))
	for i, p := range v.Prestations {
		ps[i] = p.Name
	}
	ss := make([]string, len(v.Schools))
	for i, s := range v.Schools {
		ss[i] = s.Name
	}
	fields["scope"], fields["prestations"], fields["schools"] = v.Text(), ps, ss
	return fields
}

// deletePartialClosure reopens what a partial closure closed (cancelled
// bookings are not restored).
func (a *Admin) deletePartialClosure(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var day calendar.Date
	var reopened int
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		s, err := booking.RemovePartialClosure(ctx, tx, id)
		if errors.Is(err, booking.ErrNotFound) {
			return web.ErrNotFound
		} else if err != nil {
			return err
		}
		day = s.Date
		if reopened, err = booking.ReopenedOrdersOn(ctx, tx, day); err != nil {
			return err
		}
		v, err := scopeView(ctx, tx, s)
		if err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "delete", "closure", s.Date.String(), scopeAudit(v, map[string]any{"reason": s.Reason}), nil, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", reopenedText("La fermeture partielle du "+day.FR()+" est supprimée (les réservations annulées ne sont pas rétablies).", reopened))
	return web.RedirectTo(c, "/admin/calendrier")
}
