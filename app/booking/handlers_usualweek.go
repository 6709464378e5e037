package booking

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// SettingUsualWeek is the commune's setting that offers "Ma semaine
// habituelle" to parents: on unless it is "off".
const SettingUsualWeek = "usual_week"

// UsualWeekOn reports whether the commune offers "Ma semaine habituelle".
func UsualWeekOn(ctx context.Context, q tenants.Querier) (bool, error) {
	v, err := Setting(ctx, q, SettingUsualWeek)
	return v != "off", err
}

var errUsualWeekOff = web.NewError(fiber.StatusNotFound, "Votre mairie ne propose pas « Ma semaine habituelle ».")

// usualRow is a prestation's weekday toggles for one parity.
type usualRow struct {
	Prestation Prestation
	Days       []PeriodDay
}

// usualRegie is a régie's rows for one parity.
type usualRegie struct {
	Regie Regie
	Rows  []usualRow
}

// usualSection is the form's part for one parity.
type usualSection struct {
	Parity Parity
	Title  string
	Regies []usualRegie
}

// usualData is the binding of "Ma semaine habituelle".
type usualData struct {
	Children    []families.Child
	Child       families.Child
	Alternating bool
	Sections    []usualSection
	Saved       bool // a usual week is saved
	From, To    string
	Error       string
}

// ChildPath links to a child's usual week.
func (d usualData) ChildPath(id int64) string {
	return "/famille/semaine-habituelle?enfant=" + strconv.FormatInt(id, 10)
}

// ModePath links to the form in the other mode (each week, or even and
// odd weeks), without JavaScript.
func (d usualData) ModePath(alternating bool) string {
	p := d.ChildPath(d.Child.ID)
	if alternating {
		return p + "&mode=alternee"
	}
	return p + "&mode=chaque"
}

var parityTitles = map[Parity]string{EveryWeek: "Chaque semaine", EvenWeeks: "Semaines paires", OddWeeks: "Semaines impaires"}

// usualSections lays out the form of u for its mode.
func usualSections(cfg *communeConfig, u UsualWeek) []usualSection {
	parities := []Parity{EveryWeek}
	if u.Alternating {
		parities = []Parity{EvenWeeks, OddWeeks}
	}
	var out []usualSection
	for _, parity := range parities {
		s := usualSection{Parity: parity, Title: parityTitles[parity]}
		for _, r := range cfg.regies {
			ur := usualRegie{Regie: r}
			for _, p := range cfg.prestations[r.ID] {
				if p.IsForfait() {
					continue // a forfait is booked once for its period
				}
				row := usualRow{Prestation: p}
				for i := 1; i <= 5; i++ {
					row.Days = append(row.Days, PeriodDay{Value: strconv.Itoa(i), Letter: dayLetters[i-1], Name: calendar.WeekdayNamesFR[i],
						Offered: p.Weekdays.Has(timeWeekday(i)), Checked: u.Has(parity, p.ID, i)})
				}
				ur.Rows = append(ur.Rows, row)
			}
			if len(ur.Rows) > 0 {
				s.Regies = append(s.Regies, ur)
			}
		}
		out = append(out, s)
	}
	return out
}

// usualChild resolves the page's child (?enfant=, default the first one
// the household looks after) and checks the commune offers the page.
func (svc *Service) usualChild(c *fiber.Ctx, idText string) (*communeConfig, []families.Child, families.Child, error) {
	ctx, db, fam := c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID
	var child families.Child
	if on, err := UsualWeekOn(ctx, db.Reader()); err != nil || !on {
		return nil, nil, child, errors.Join(err, errUsualWeekOff)
	}
	cfg, err := loadConfig(ctx, db, db.Reader())
	if err != nil {
		return nil, nil, child, err
	}
	kids, err := families.GuardedChildren(ctx, db.Reader(), fam)
	if err != nil {
		return nil, nil, child, err
	}
	if len(kids) == 0 {
		return nil, nil, child, web.NewError(fiber.StatusNotFound, "Aucun enfant n'est encore inscrit : contactez votre mairie.")
	}
	id, err := parseID(idText)
	if err != nil {
		return nil, nil, child, err
	}
	child = kids[0]
	if id != 0 {
		i := indexBy(kids, func(ch families.Child) bool { return ch.ID == id })
		if i < 0 {
			return nil, nil, child, errUnknown
		}
		child = kids[i]
	}
	return cfg, kids, child, nil
}

// showUsualWeek renders "Ma semaine habituelle" of a child: the saved
// days, and the forms that book them.
func (svc *Service) showUsualWeek(c *fiber.Ctx) error {
	cfg, kids, child, err := svc.usualChild(c, c.Query("enfant"))
	if err != nil {
		return err
	}
	u, err := LoadUsualWeek(c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID, child.ID)
	if err != nil {
		return publicError(err)
	}
	d := usualData{Children: kids, Child: child, Saved: !u.Empty()}
	switch c.Query("mode") {
	case "alternee":
		u.Alternating = true
	case "chaque":
		u.Alternating = false
	}
	d.Alternating, d.Sections = u.Alternating, usualSections(cfg, u)
	today := calendar.Today(svc.now())
	d.From, d.To = today.String(), calendar.DateOf(today.Year(), today.Month()+1, 0).String()
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/semaine-habituelle", "Ma semaine habituelle", d)
}

// saveUsualWeek saves the form's days as the child's usual week.
func (svc *Service) saveUsualWeek(c *fiber.Ctx) error {
	_, _, child, err := svc.usualChild(c, c.FormValue("enfant"))
	if err != nil {
		return err
	}
	u := UsualWeek{ChildID: child.ID, Alternating: c.FormValue("mode") == "alternee", Days: map[Parity]map[int64]calendar.WeekdaySet{}}
	var bad bool
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		rest, ok := strings.CutPrefix(string(k), "jours_")
		if !ok {
			return
		}
		name, idText, _ := strings.Cut(rest, "_")
		parity := Parity(name)
		pid, err := parseID(idText)
		w, okDay := calendar.ParseWeekday(string(v))
		if _, known := parityTitles[parity]; !known || err != nil || pid == 0 || !okDay {
			bad = true
			return
		}
		if u.Days[parity] == nil {
			u.Days[parity] = map[int64]calendar.WeekdaySet{}
		}
		u.Days[parity][pid] = u.Days[parity][pid].With(w)
	})
	if bad {
		return errBadRequest
	}
	if err := SaveUsualWeek(c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID, u, svc.now()); err != nil {
		return publicError(err)
	}
	if u.Empty() {
		web.AddFlash(c, "info", "Semaine habituelle de "+child.FirstName+" vidée.")
	} else {
		web.AddFlash(c, "success", "Semaine habituelle de "+child.FirstName+" enregistrée. Réservez-la en un geste ci-dessous.")
	}
	return web.RedirectTo(c, usualData{}.ChildPath(child.ID)+"#reserver")
}

// usualResultRegie is one régie's cart after applying the usual week.
type usualResultRegie struct {
	Regie      Regie
	Added      int
	Cart       CartView
	AgendaPath string
}

// usualResultData is the binding of the summary of a usual week booked.
type usualResultData struct {
	Child   families.Child
	From    calendar.Date
	To      calendar.Date
	Added   int
	Regies  []usualResultRegie
	Skipped []UsualSkip
	// OtherParent counts the days of the other household (shared
	// custody), left out of Skipped: they are not this parent's to book.
	OtherParent int
	Week        calendar.Date
}

// bookUsualWeek puts the child's usual week into the carts: for the next
// open week ("quand=prochaine", one tap) or for the period du … au …; then
// shows what was added, what was not and why, and each régie's cart with
// "Total à payer" and "Valider".
func (svc *Service) bookUsualWeek(c *fiber.Ctx) error {
	_, _, child, err := svc.usualChild(c, c.FormValue("enfant"))
	if err != nil {
		return err
	}
	ctx, db, fam := c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID
	var from, to calendar.Date
	if c.FormValue("quand") != "prochaine" {
		if from, to, err = usualPeriod(c.FormValue("du"), c.FormValue("au")); err != nil {
			web.AddFlash(c, "error", err.Error())
			return web.RedirectTo(c, usualData{}.ChildPath(child.ID)+"#reserver")
		}
	}
	res, err := ApplyUsualWeek(ctx, db, fam, child.ID, from, to, svc.now())
	var refusal *Refusal
	if errors.As(err, &refusal) {
		web.AddFlash(c, "error", refusal.Message)
		return web.RedirectTo(c, usualData{}.ChildPath(child.ID)+"#reserver")
	}
	if err != nil {
		return publicError(err)
	}
	d := usualResultData{Child: child, From: res.From, To: res.To, Added: res.Added, Week: res.From.Monday()}
	for _, sk := range res.Skipped {
		if sk.Reason.Code == ReasonOtherParent {
			d.OtherParent++
			continue
		}
		d.Skipped = append(d.Skipped, sk)
	}
	for _, r := range res.Regies {
		lines, err := CartLines(ctx, db.Reader(), fam, r.Regie.ID)
		if err != nil {
			return err
		}
		sel := selection{Regie: r.Regie, Child: child}
		d.Regies = append(d.Regies, usualResultRegie{Regie: r.Regie, Added: r.Added, Cart: Summarize(lines), AgendaPath: sel.agendaPath(d.Week)})
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/semaine-habituelle-resultat", "Ma semaine habituelle", d)
}

// usualPeriod reads the period of the form (JJ/MM/AAAA or AAAA-MM-JJ), at
// most a year long.
func usualPeriod(fromText, toText string) (calendar.Date, calendar.Date, error) {
	from, err1 := calendar.ParseDate(strings.TrimSpace(fromText))
	to, err2 := calendar.ParseDate(strings.TrimSpace(toText))
	switch {
	case err1 != nil || err2 != nil:
		return from, to, errors.New("Indiquez le début et la fin de la période au format JJ/MM/AAAA.")
	case to.Before(from):
		return from, to, errors.New("La fin de la période est avant son début.")
	case to.Sub(from) > 366:
		return from, to, errors.New("La période dure au plus un an.")
	}
	return from, to, nil
}
