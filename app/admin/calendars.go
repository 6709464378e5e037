package admin

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	appmail "espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

type calendarData struct {
	base
	Zone           string
	Zones          []string
	Holidays       []HolidayRow
	PublicHolidays []calendar.PublicHoliday
	Closures       []ClosureRow
	Partial        []PartialClosureRow
	// The closure form's choices: none ticked closes the whole commune.
	Prestations []booking.Prestation
	Schools     []School
}

func (a *Admin) zone(ctx context.Context, q tenants.Querier, c *fiber.Ctx) string {
	if z, err := booking.Setting(ctx, q, "zone"); err == nil && z != "" {
		return z
	}
	return commune(c).Zone
}

func (a *Admin) showCalendar(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := calendarData{base: baseOf(c, "calendrier"), Zone: a.zone(ctx, q, c), Zones: []string{"A", "B", "C", "Corse"}}
	var err error
	if d.Holidays, err = schoolHolidays(ctx, q, d.Zone); err != nil {
		return err
	}
	y := calendar.Today(a.now()).Year()
	d.PublicHolidays = append(calendar.PublicHolidays(y), calendar.PublicHolidays(y+1)...)
	if d.Closures, err = closures(ctx, q); err != nil {
		return err
	}
	if d.Partial, err = partialClosureRows(ctx, q); err != nil {
		return err
	}
	if d.Prestations, err = offeredPrestations(ctx, q); err != nil {
		return err
	}
	if d.Schools, err = schoolList(ctx, q); err != nil {
		return err
	}
	return web.Render(c, "admin/calendrier", "Calendrier", d)
}

// setZone changes the commune's zone and loads the bundled official school
// holidays of that zone.
func (a *Admin) setZone(c *fiber.Ctx) error {
	z := calendar.NormalizeZone(formValue(c, "zone"))
	if !tenants.ValidZone(z) {
		return errInvalid("Choisissez la zone A, B, C ou Corse.")
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		old, err := booking.Setting(ctx, tx, "zone")
		if err != nil {
			return err
		}
		if err := booking.SetSetting(ctx, tx, "zone", z); err != nil {
			return err
		}
		if _, err := LoadZoneHolidays(ctx, tx, z); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "zone", old, z, now)
	})
	if err != nil {
		return err
	}
	// The platform registry keeps the zone too (provider console, new
	// calendars); the commune's own setting above is what its pages read.
	// Re-posting the form repairs a registry update that failed here.
	if err := a.srv.Registry.SetZone(c.UserContext(), commune(c).Slug, z); err != nil {
		return fmt.Errorf("admin: registry zone: %w", err)
	}
	web.AddFlash(c, "success", "Zone "+z+" enregistrée, avec ses vacances scolaires officielles.")
	return web.RedirectTo(c, "/admin/calendrier")
}

// importHolidays reads the Éducation nationale's calendar (ICS, or the
// open dataset's CSV) and stores the holidays of the commune's zone.
func (a *Admin) importHolidays(c *fiber.Ctx) error {
	fh, err := c.FormFile("fichier")
	if err != nil {
		return errInvalid("Choisissez le fichier du calendrier scolaire (ICS ou CSV).")
	}
	data, err := readUpload(fh, 8<<20)
	if err != nil {
		return err
	}
	var hs []calendar.Holiday
	if bytes.Contains(data[:min(len(data), 512)], []byte("BEGIN:VCALENDAR")) {
		hs, err = calendar.ParseICS(bytes.NewReader(data))
	} else {
		hs, err = calendar.ParseOpenDataCSV(bytes.NewReader(data))
	}
	if err != nil {
		return a.calendarFileError(c, err)
	}
	zone := a.zone(c.UserContext(), db(c).Reader(), c)
	var mine []calendar.Holiday
	for _, h := range hs {
		if h.Zone == zone {
			mine = append(mine, h)
		}
	}
	if len(mine) == 0 {
		return errInvalid("Ce fichier ne contient aucune vacance de la zone " + zone + ".")
	}
	var n int
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var err error
		if n, err = upsertHolidays(ctx, tx, mine, "import"); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "import", "school_holidays", zone, nil, map[string]any{"file": fh.Filename, "count": n}, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("%d période(s) de vacances de la zone %s importée(s).", n, zone))
	return web.RedirectTo(c, "/admin/calendrier")
}

// Affected is a family whose bookings a closure cancels or whose forfait
// it credits in part.
type Affected struct {
	FamilyID int64
	Name     string
	Lines    []string
	Cents    int64
}

type closureData struct {
	base
	Day      calendar.Date
	Reason   string
	Scope    ClosureScopeView
	Affected []Affected
	Forfaits int
	Pending  string // what the closure does to orders waiting for their payment (pendingOrdersText)
}

// closureForm reads the closure form: day, reason and scope (closureScope).
func closureForm(c *fiber.Ctx, q tenants.Querier) (calendar.ScopedClosure, error) {
	day, err := calendar.ParseDate(formValue(c, "day"))
	if err != nil {
		return calendar.ScopedClosure{}, errInvalid("La date de fermeture doit être au format JJ/MM/AAAA.")
	}
	reason := cleanText(c.FormValue("reason"))
	if reason == "" || len(reason) > 200 {
		return calendar.ScopedClosure{}, errInvalid("Indiquez le motif de la fermeture (grève, pont…).")
	}
	return closureScope(c, q, day, reason)
}

// closurePlan is what closing a day does: the daily reservations to
// cancel and credit, the forfaits that cover the day with the credit of
// the day's share (booking.ForfaitClosureShare), grouped by family.
type closurePlan struct {
	Affected []Affected
	Daily    []booking.Reservation
	Shares   []billing.NewCredit
	// Pending counts the orders waiting for their payment that hold a
	// demande the closure closes: the closure releases those places, and
	// the payment books nothing for them (their amount becomes credit).
	Pending int
}

// planClosure reads, before the day is closed (the calendar must not hold
// the closure yet), who closing day affects: every booking of the day, or
// only those of the scope's prestations and schools (the child's school
// at booking).
func planClosure(ctx context.Context, q tenants.Querier, scope calendar.ScopedClosure) (closurePlan, error) {
	var plan closurePlan
	day := scope.Date
	list, err := booking.ReservationsOn(ctx, q, day)
	if err != nil {
		return plan, err
	}
	if plan.Pending, err = booking.PendingOrdersOn(ctx, q, scope); err != nil {
		return plan, err
	}
	cal, err := booking.LoadCalendar(ctx, q)
	if err != nil {
		return plan, err
	}
	byFamily := map[int64]*Affected{}
	family := func(id int64) (*Affected, error) {
		if af := byFamily[id]; af != nil {
			return af, nil
		}
		name, _, err := familyContact(ctx, q, id)
		if err != nil {
			return nil, err
		}
		byFamily[id] = &Affected{FamilyID: id, Name: name}
		return byFamily[id], nil
	}
	for _, r := range list {
		if !scope.Whole() && !scope.Applies(r.PrestationID, r.SiteID) {
			continue
		}
		af, err := family(r.FamilyID)
		if err != nil {
			return plan, err
		}
		if r.ForfaitFrom.IsZero() {
			plan.Daily = append(plan.Daily, r)
			af.Lines = append(af.Lines, r.ChildName+" – "+r.PrestationName+" ("+web.FormatEuros(r.PriceCents)+")")
			af.Cents += r.PriceCents
			continue
		}
		p, err := booking.LoadPrestation(ctx, q, r.PrestationID)
		if err != nil {
			return plan, err
		}
		share, days := booking.ForfaitClosureShare(p, r, day, cal)
		if share == 0 {
			continue
		}
		label := fmt.Sprintf("Fermeture du %s : part du forfait %s %s (1 jour sur %d)", day.FR(), r.PrestationName, r.ChildName, days)
		plan.Shares = append(plan.Shares, billing.NewCredit{FamilyID: r.FamilyID, RegieID: r.RegieID, Kind: "closure", AmountCents: share, Label: label})
		af.Lines = append(af.Lines, fmt.Sprintf("%s – %s, forfait du %s au %s : 1 jour sur %d crédité (%s)",
			r.ChildName, r.PrestationName, r.ForfaitFrom.FR(), r.ForfaitUntil.FR(), days, web.FormatEuros(share)))
		af.Cents += share
	}
	for _, af := range byFamily {
		if len(af.Lines) > 0 {
			plan.Affected = append(plan.Affected, *af)
		}
	}
	sort.Slice(plan.Affected, func(i, j int) bool { return plan.Affected[i].Name < plan.Affected[j].Name })
	return plan, nil
}

// previewClosure shows who a closure affects before anything changes.
func (a *Admin) previewClosure(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	scope, err := closureForm(c, q)
	if err != nil {
		return err
	}
	plan, err := planClosure(ctx, q, scope)
	if err != nil {
		return err
	}
	view, err := scopeView(ctx, q, scope)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/fermeture", "Fermeture du "+scope.Date.FR(), closureData{base: baseOf(c, "calendrier"), Day: scope.Date,
		Reason: scope.Reason, Scope: view, Affected: plan.Affected, Forfaits: len(plan.Shares), Pending: pendingOrdersText(plan.Pending, false)})
}

// confirmClosure closes the day, cancels its daily bookings and credits
// them (prepaid régies), credits the day's share of the forfaits that
// cover it (every régie: a post-paid family's credit is taken off its
// next invoice payment), and emails the families, in one transaction.
func (a *Admin) confirmClosure(c *fiber.Ctx) error {
	scope, err := closureForm(c, db(c).Reader())
	if err != nil {
		return err
	}
	day, reason := scope.Date, scope.Reason
	t := tenants.From(c)
	var families, pending int
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		plan, err := planClosure(ctx, tx, scope)
		if err != nil {
			return err
		}
		view, err := scopeView(ctx, tx, scope)
		if err != nil {
			return err
		}
		if scope.Whole() {
			err = booking.AddClosure(ctx, tx, day, reason, now)
		} else {
			_, err = booking.AddPartialClosure(ctx, tx, scope, now)
		}
		switch {
		case errors.Is(err, booking.ErrClosureExists), errors.Is(err, booking.ErrDayClosed):
			return errInvalid("Le " + day.FR() + " est déjà un jour de fermeture pour toute la commune.")
		case err != nil:
			return err
		}
		credits := make([]billing.ReservationCredit, 0, len(plan.Daily))
		for _, r := range plan.Daily {
			if err := booking.CancelReservation(ctx, tx, r.ID, "", now); err != nil {
				return err
			}
			credits = append(credits, billing.ReservationCredit{FamilyID: r.FamilyID, RegieID: r.RegieID, ReservationID: r.ID,
				AmountCents: r.PriceCents, Label: "Fermeture du " + day.FR() + " : " + r.PrestationName + " " + r.ChildName})
		}
		if _, err := billing.CreditReservations(ctx, tx, "closure", credits, now); err != nil {
			return err
		}
		// The closure day is unique, so each forfait's share is credited
		// once per closed day (no reservation id: a forfait may meet
		// several closures).
		var shared int64
		for _, s := range plan.Shares {
			if _, err := billing.AddCredit(ctx, tx, s, now); err != nil {
				return err
			}
			shared += s.AmountCents
		}
		from := appmail.SenderName(ctx, tx, t.Commune.Name)
		platform := a.srv.Registry.Platform().Reader()
		for _, af := range plan.Affected {
			if err := queueClosureMail(ctx, tx, platform, t, from, af, day, reason, now); err != nil {
				return err
			}
		}
		families, pending = len(plan.Affected), plan.Pending
		return audit(ctx, tx, currentStaff(c), "create", "closure", day.String(), nil,
			scopeAudit(view, map[string]any{"reason": reason, "cancelled": len(plan.Daily), "families": families,
				"forfaits": len(plan.Shares), "forfait_credit_cents": shared, "pending_orders": pending}), now)
	})
	if err != nil {
		return err
	}
	a.notify(t.Commune.Slug)
	msg := fmt.Sprintf("Fermeture du %s enregistrée ; %d famille(s) prévenue(s), réservations annulées et créditées.", day.FR(), families)
	if pending > 0 {
		msg += " " + pendingOrdersText(pending, true)
	}
	web.AddFlash(c, "success", msg)
	return web.RedirectTo(c, "/admin/calendrier")
}

// pendingOrdersText tells the back office what a closure does (done:
// has done) to the n orders waiting for their payment that hold one of
// its demandes; "" when there are none.
func pendingOrdersText(n int, done bool) string {
	var what string
	switch {
	case n == 0:
		return ""
	case n == 1 && done:
		what = "1 commande en attente de paiement réservait ce jour : sa place est libérée"
	case n == 1:
		what = "1 commande en attente de paiement réserve ce jour : sa place sera libérée"
	case done:
		what = fmt.Sprintf("%d commandes en attente de paiement réservaient ce jour : leurs places sont libérées", n)
	default:
		what = fmt.Sprintf("%d commandes en attente de paiement réservent ce jour : leurs places seront libérées", n)
	}
	return what + " ; au paiement, ce jour ne sera pas réservé et son montant sera porté en avoir de la famille."
}

// reopenedText is msg followed, when n orders waiting for their payment
// hold a demande of the reopened day (booking.ReopenedOrdersOn), by what
// their payment will do with it.
func reopenedText(msg string, n int) string {
	switch {
	case n == 0:
		return msg
	case n == 1:
		msg += " 1 commande en attente de paiement comprend ce jour"
	default:
		msg += fmt.Sprintf(" %d commandes en attente de paiement comprennent ce jour", n)
	}
	return msg + " : s'il reste de la place au moment du paiement, il sera réservé."
}

// queueClosureMail tells a family about the closure and what it cancelled:
// its address on file and every parent's account linked to it
// (accounts.FamilyRecipients; platform is the platform's database).
func queueClosureMail(ctx context.Context, tx *sql.Tx, platform tenants.Querier, t *tenants.Tenant, from string, af Affected, day calendar.Date, reason string, now time.Time) error {
	to, err := accounts.FamilyRecipients(ctx, tx, platform, af.FamilyID)
	if err != nil {
		return err
	}
	text, html, err := appmail.Render("closure", map[string]any{"CommuneName": t.Commune.Name, "Name": af.Name,
		"Day": day.FR(), "Reason": reason, "Lines": af.Lines, "From": from})
	if err != nil {
		return err
	}
	for _, addr := range to {
		if _, err := appmail.Enqueue(ctx, tx, appmail.Message{Kind: "closure", To: addr, ToName: af.Name, FromName: from,
			Subject: "Fermeture le " + day.FR() + " – réservations annulées", Text: text, HTML: html, Commune: t.Commune.Slug}, now); err != nil {
			return err
		}
	}
	return nil
}

func (a *Admin) deleteClosure(c *fiber.Ctx) error {
	day, err := calendar.ParseISO(c.Params("day"))
	if err != nil {
		return web.ErrNotFound
	}
	var reopened int
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := booking.RemoveClosure(ctx, tx, day); errors.Is(err, booking.ErrNotFound) {
			return web.ErrNotFound
		} else if err != nil {
			return err
		}
		var err error
		if reopened, err = booking.ReopenedOrdersOn(ctx, tx, day); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "delete", "closure", day.String(), nil, nil, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", reopenedText("Le "+day.FR()+" n'est plus un jour de fermeture (les réservations annulées ne sont pas rétablies).", reopened))
	return web.RedirectTo(c, "/admin/calendrier")
}

// calendarFileError is the safe French message for a calendar file that
// could not be read: our importers' own row errors (French, with the line)
// are shown; anything else is logged and summed up.
func (a *Admin) calendarFileError(c *fiber.Ctx, err error) error {
	var re *calendar.RowError
	switch {
	case errors.As(err, &re):
		return errInvalid(fmt.Sprintf("Ce fichier n'a pas pu être lu : ligne %d : %s.", re.Line, re.Msg))
	case errors.Is(err, calendar.ErrNoHeader):
		return errInvalid("Ce fichier n'a pas pu être lu : la ligne d'en-tête attendue est absente ou incomplète. Importez le fichier ICS ou le CSV du jeu de données « Calendrier scolaire » de l'Éducation nationale, sans le modifier.")
	}
	a.srv.Logger(c).Warn("admin: unreadable calendar file", "err", err)
	return errInvalid("Ce fichier n'a pas pu être lu : ce n'est ni un calendrier ICS ni le CSV du calendrier scolaire de l'Éducation nationale.")
}
