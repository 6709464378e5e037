package admin

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
)

// The back office's waiting lists (issue 14): the lists of the days of a
// fortnight, by day and prestation in order of arrival, and the settings
// (on or off, hours an offered place is kept). booking owns the lists.

type waitlistData struct {
	base
	From, To   calendar.Date
	Prev, Next string
	Days       []waitDay
	Settings   booking.WaitlistSettings
	Error      string
}

// waitDay is one day's entries.
type waitDay struct {
	Day     calendar.Date
	Entries []booking.WaitEntry
}

func (a *Admin) showWaitlists(c *fiber.Ctx) error {
	week, err := a.weekParam(c)
	if err != nil {
		return err
	}
	return a.renderWaitlists(c, fiber.StatusOK, week, nil, "")
}

func (a *Admin) renderWaitlists(c *fiber.Ctx, status int, week calendar.Date, set *booking.WaitlistSettings, msg string) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := waitlistData{base: baseOf(c, "reservations-attente"), From: week, To: week.AddDays(13), Error: msg,
		Prev: "/admin/liste-attente?semaine=" + week.AddDays(-14).String(), Next: "/admin/liste-attente?semaine=" + week.AddDays(14).String()}
	list, err := booking.Waits(ctx, q, d.From, d.To)
	if err != nil {
		return err
	}
	for _, e := range list {
		if n := len(d.Days); n == 0 || !d.Days[n-1].Day.Equal(e.Day) {
			d.Days = append(d.Days, waitDay{Day: e.Day})
		}
		d.Days[len(d.Days)-1].Entries = append(d.Days[len(d.Days)-1].Entries, e)
	}
	if set != nil {
		d.Settings = *set
	} else if d.Settings, err = booking.LoadWaitlistSettings(ctx, q); err != nil {
		return err
	}
	return web.RenderStatus(c, status, "admin/liste-attente", "Listes d'attente", d)
}

// saveWaitlistSettings turns the waiting list on or off and sets how many
// hours an offered place is kept.
func (a *Admin) saveWaitlistSettings(c *fiber.Ctx) error {
	set := booking.WaitlistSettings{Enabled: c.FormValue("attente") == "1"}
	h, err := strconv.Atoi(c.FormValue("heures"))
	if err != nil {
		h = 0
	}
	set.OfferHours = h
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := booking.LoadWaitlistSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := booking.SaveWaitlistSettings(ctx, tx, set); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "liste d'attente", before, set, now)
	})
	var refusal *booking.Refusal
	if errors.As(err, &refusal) {
		return a.renderWaitlists(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(), &set, refusal.Message)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Paramètres de la liste d'attente enregistrés.")
	return web.RedirectTo(c, "/admin/liste-attente")
}
