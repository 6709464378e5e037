package admin_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// parent creates a confirmed platform account linked to family (as its
// code d'adhésion would) and logs it in through the real "Mon compte" page:
// a real parent session.
func (f *fixture) parent(t *testing.T, slug string, family int64) *client {
	t.Helper()
	return &client{Client: f.Env.Parent(t, slug, family), t: t, f: f}
}

// agenda is a child's Vue Agenda for a régie, from day's week.
func (c *client) agenda(regie, child int64, day calendar.Date) apptest.Response {
	c.t.Helper()
	return c.Get(fmt.Sprintf("/alpha/famille/reservations?regie=%d&enfant=%d&semaine=%s", regie, child, day))
}

// click posts an agenda cell as the browser does.
func (c *client) click(regie, child, prestation int64, day calendar.Date, intent string) apptest.Response {
	c.t.Helper()
	c.agenda(regie, child, day)
	return c.PostFollow("/alpha/famille/reservations/case", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day.String()},
		"case": {fmt.Sprintf("%d|%s|%s", prestation, day, intent)}})
}

// validate posts "Valider" on a post-paid régie's cart.
func (c *client) validate(regie, child int64, day calendar.Date) apptest.Response {
	c.t.Helper()
	c.agenda(regie, child, day)
	return c.PostFollow("/alpha/famille/reservations/valider", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day.String()}})
}

// cell returns the CSS state of a prestation's agenda cell on day.
func cell(t *testing.T, body, prestation string, day calendar.Date) string {
	t.Helper()
	return apptest.AgendaCell(t, body, prestation, day.FR())
}

func itoa(n int64) string { return fmt.Sprint(n) }

// openDay is the first Monday, Tuesday, Thursday or Friday at least 15
// days ahead that is not a public holiday (the test communes have no
// school holidays).
func openDay(after int) calendar.Date {
	d := calendar.Today(time.Now()).AddDays(after)
	for {
		w := d.Weekday()
		if w != time.Wednesday && w != time.Saturday && w != time.Sunday && !isHoliday(d) {
			return d
		}
		d = d.AddDays(1)
	}
}

// seedServices creates in alpha a prepaid cantine (1) and a post-paid
// garderie (2) régie, and n families of one child each at school 1;
// it returns the families' and children's ids.
func seedServices(t *testing.T, f *fixture, n int) (fams, kids []int64) {
	t.Helper()
	ts := "2026-01-01T00:00:00Z"
	f.exec(t, "alpha", `INSERT INTO schools (id, name) VALUES (1, 'École du Centre'), (2, 'École du Hameau')`)
	f.exec(t, "alpha", `INSERT INTO regies (id, name, mode, created_at) VALUES (1, 'REGIE CANTINE', 'prepaid', ?), (2, 'REGIE GARDERIE', 'postpaid', ?)`, ts, ts)
	err := f.reg.WithCommune(context.Background(), "alpha", func(db *tenants.DB) error {
		return db.Tx(context.Background(), func(tx *sql.Tx) error {
			for i := range n {
				res, err := tx.Exec(`INSERT INTO families (name, email, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("FAMILLE %c", 'A'+i), fmt.Sprintf("f%d@example.org", i), ts)
				if err != nil {
					return err
				}
				fam, _ := res.LastInsertId()
				res, err = tx.Exec(`INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, created_at)
					VALUES (?, 'Enfant', ?, '2018-03-01', 1, ?)`, fam, fmt.Sprintf("FAMILLE %c", 'A'+i), ts)
				if err != nil {
					return err
				}
				kid, _ := res.LastInsertId()
				fams, kids = append(fams, fam), append(kids, kid)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return fams, kids
}

// prestationForm is the back office's form for a daily meal, open every
// weekday but Wednesday until the day before at midnight.
func prestationForm(regie int64, name, price string) url.Values {
	return url.Values{"regie_id": {itoa(regie)}, "name": {name}, "kind": {"daily"}, "exclusive_group": {"repas"},
		"weekday_1": {"1"}, "weekday_2": {"1"}, "weekday_4": {"1"}, "weekday_5": {"1"}, "price": {price},
		"capacity": {"0"}, "capacity_scope": {"day"}, "booking_kind": {"days"}, "booking_days": {"1"}, "booking_at": {"00:00"},
		"cancel_kind": {"days"}, "cancel_days": {"1"}, "cancel_at": {"00:00"}}
}

// setBrackets puts a QF grid in the form, one row per {max, price}; the
// last row's max is "" (open-ended).
func setBrackets(form url.Values, rows ...[2]string) {
	form.Set("bracket_count", strconv.Itoa(len(rows)))
	for i, r := range rows {
		k := strconv.Itoa(i)
		form.Set("qf_max_"+k, r[0])
		form.Set("qf_price_"+k, r[1])
	}
}

// createPrestation saves the form and returns the new prestation's id.
func createPrestation(t *testing.T, f *fixture, admin *client, form url.Values) int64 {
	t.Helper()
	wantStatus(t, admin.Post("/alpha/admin/prestations", form), http.StatusSeeOther)
	return int64(f.count(t, "alpha", `SELECT id FROM prestations WHERE name = ?`, form.Get("name")))
}

func isHoliday(d calendar.Date) bool {
	_, ok := calendar.PublicHolidayName(d)
	return ok
}
