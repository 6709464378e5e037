package booking

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// periodData is the binding of the Vue Période form.
type periodData struct {
	selection
	Prestations []PeriodPrestation
	From, To    string
	Chosen      map[int64]bool // children ticked
	Errors      calendar.FieldErrors
	Cart        CartView
}

// PeriodPrestation is a prestation's row of weekday toggles.
type PeriodPrestation struct {
	Prestation Prestation
	Days       []PeriodDay
}

// PeriodDay is one toggle L M M J V.
type PeriodDay struct {
	Value   string // ISO weekday number, "1" = Monday
	Letter  string
	Name    string // "lundi"
	Offered bool
	Checked bool
}

func periodRows(prestations []Prestation, chosen map[int64][]string) []PeriodPrestation {
	var out []PeriodPrestation
	for _, p := range prestations {
		row := PeriodPrestation{Prestation: p}
		for i := 1; i <= 5; i++ {
			v := strconv.Itoa(i)
			checked := false
			for _, c := range chosen[p.ID] {
				checked = checked || c == v
			}
			row.Days = append(row.Days, PeriodDay{Value: v, Letter: dayLetters[i-1], Name: calendar.WeekdayNamesFR[i],
				Offered: p.Weekdays.Has(timeWeekday(i)), Checked: checked})
		}
		out = append(out, row)
	}
	return out
}

// showPeriod renders the empty Vue Période form, for the current month.
func (svc *Service) showPeriod(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	prestations := sel.cfg.prestations[sel.Regie.ID]
	today := calendar.Today(svc.now())
	d := periodData{selection: sel, Prestations: periodRows(prestations, nil), Chosen: map[int64]bool{sel.Child.ID: true},
		From: today.String(), To: calendar.DateOf(today.Year(), today.Month()+1, 0).String()}
	if d.Cart, err = svc.cart(c, sel); err != nil {
		return err
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/periode", "Réserver en Vue Période", d)
}

// cart is the family's cart of the selected régie as the pages show it,
// each item with its "Pourquoi ce prix ?".
func (svc *Service) cart(c *fiber.Ctx, sel selection) (CartView, error) {
	ctx, q, fam := c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID
	lines, err := CartLines(ctx, q, fam, sel.Regie.ID)
	if err != nil {
		return CartView{}, err
	}
	v := Summarize(lines)
	if v.Empty() {
		return v, nil
	}
	qf, err := FamilyQF(ctx, q, fam)
	if err != nil {
		return v, err
	}
	var credit int64
	if svc.credit != nil {
		if credit, err = svc.credit(ctx, q, fam, sel.Regie.ID); err != nil {
			return v, err
		}
	}
	explainCart(&v, lines, func(id int64) (Prestation, bool) {
		p, err := sel.cfg.prestation(id)
		return p, err == nil
	}, qf, credit)
	return v, nil
}

// periodResult is the binding of the Vue Période summary.
type periodResult struct {
	selection
	Added   int
	Skipped []SkipGroup
	From    calendar.Date
	To      calendar.Date
	Cart    CartView
}

// addPeriod validates the Vue Période form and puts every matching open
// day into the cart; errors re-render the form (400) and change nothing.
func (svc *Service) addPeriod(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	ctx, db, fam := c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID
	prestations := sel.cfg.prestations[sel.Regie.ID]
	form := PeriodForm{From: c.FormValue("du"), To: c.FormValue("au"), Weekdays: map[int64][]string{}}
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("enfants") {
		id, err := parseID(string(v))
		if err != nil || id == 0 {
			return errBadRequest
		}
		form.ChildIDs = append(form.ChildIDs, id)
	}
	var badKey bool
	args.VisitAll(func(k, v []byte) {
		key, ok := strings.CutPrefix(string(k), "jours_")
		if !ok {
			return
		}
		id, err := parseID(key)
		if err != nil || id == 0 {
			badKey = true
			return
		}
		form.Weekdays[id] = append(form.Weekdays[id], string(v))
	})
	if badKey {
		return errBadRequest
	}
	req, ferrs := ParsePeriod(form, prestations)
	if ferrs != nil {
		d := periodData{selection: sel, Prestations: periodRows(prestations, form.Weekdays), From: form.From, To: form.To,
			Chosen: map[int64]bool{}, Errors: ferrs}
		for _, id := range form.ChildIDs {
			d.Chosen[id] = true
		}
		if d.Cart, err = svc.cart(c, sel); err != nil {
			return err
		}
		web.SetTab(c, "reservations")
		return web.RenderStatus(c, fiber.StatusBadRequest, "famille/periode", "Réserver en Vue Période", d)
	}
	req.RegieID = sel.Regie.ID
	res, err := AddPeriod(ctx, db, fam, req, svc.now())
	if err != nil {
		return publicError(err)
	}
	d := periodResult{selection: sel, Added: res.Added, Skipped: GroupSkips(res.Skipped), From: req.From, To: req.To}
	if d.Cart, err = svc.cart(c, sel); err != nil {
		return err
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/periode-resultat", "Réserver en Vue Période", d)
}

// timeWeekday converts an ISO weekday number (1 = Monday) to time.Weekday.
func timeWeekday(iso int) time.Weekday { return time.Weekday(iso % 7) }
