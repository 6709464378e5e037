package admin_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

const parentPassword = "une phrase de passe solide"

// parent creates a confirmed platform account linked to family (as its
// code d'adhésion would) and logs it in through the real "Mon compte" page:
// a real parent session.
func (f *fixture) parent(t *testing.T, slug string, family int64) *client {
	t.Helper()
	ctx := context.Background()
	hash, err := accounts.HashPassword(parentPassword)
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("parent%d.%d@example.org", family, time.Now().UnixNano())
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	var account int64
	err = f.reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts (email, password_hash, last_name, first_name, email_confirmed_at, password_changed_at, created_at)
			VALUES (?, ?, 'Parent', 'Un', ?, ?, ?)`, email, hash, now, now, now)
		if err != nil {
			return err
		}
		account, err = res.LastInsertId()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, slug, `INSERT INTO family_accounts (family_id, account_id, linked_at) VALUES (?, ?, ?)`, family, account, now)
	c := f.client(t)
	c.get("/" + slug + "/connexion")
	r := c.post("/"+slug+"/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {parentPassword}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "/"+slug+"/famille") {
		t.Fatalf("parent log-in: %d %q\n%s", r.status, r.location, r.body)
	}
	return c
}

// follow posts a form and, on a redirect, fetches the page it leads to.
func (c *client) follow(path string, form url.Values) response {
	c.t.Helper()
	r := c.post(path, form)
	if r.status == http.StatusSeeOther {
		return c.get(strings.TrimPrefix(r.location, "http://node.example"))
	}
	return r
}

// agenda is a child's Vue Agenda for a régie, from day's week.
func (c *client) agenda(regie, child int64, day calendar.Date) response {
	c.t.Helper()
	return c.get(fmt.Sprintf("/alpha/famille/reservations?regie=%d&enfant=%d&semaine=%s", regie, child, day))
}

// click posts an agenda cell as the browser does.
func (c *client) click(regie, child, prestation int64, day calendar.Date, intent string) response {
	c.t.Helper()
	c.agenda(regie, child, day)
	return c.follow("/alpha/famille/reservations/case", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day.String()},
		"case": {fmt.Sprintf("%d|%s|%s", prestation, day, intent)}})
}

// validate posts "Valider" on a post-paid régie's cart.
func (c *client) validate(regie, child int64, day calendar.Date) response {
	c.t.Helper()
	c.agenda(regie, child, day)
	return c.follow("/alpha/famille/reservations/valider", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day.String()}})
}

var cellRE = regexp.MustCompile(`(?s)<td class="cell ([^"]*)">(.*?)</td>`)

// cell returns the CSS state of a prestation's agenda cell on day.
func cell(t *testing.T, body, prestation string, day calendar.Date) string {
	t.Helper()
	for _, row := range strings.Split(body, "<tr>") {
		if !strings.Contains(row, `<th scope="row">`+prestation+`</th>`) {
			continue
		}
		for _, m := range cellRE.FindAllStringSubmatch(row, -1) {
			if strings.Contains(m[2], day.FR()+" : ") {
				return m[1]
			}
		}
	}
	t.Fatalf("no cell %s on %s in\n%s", prestation, day.FR(), body)
	return ""
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

// createPrestation saves the form and returns the new prestation's id.
func createPrestation(t *testing.T, f *fixture, admin *client, form url.Values) int64 {
	t.Helper()
	wantStatus(t, admin.post("/alpha/admin/prestations", form), http.StatusSeeOther)
	return int64(f.count(t, "alpha", `SELECT id FROM prestations WHERE name = ?`, form.Get("name")))
}

func isHoliday(d calendar.Date) bool {
	_, ok := calendar.PublicHolidayName(d)
	return ok
}
