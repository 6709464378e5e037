package admin_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// payCart validates a family's prepaid cart as a successful payment does
// (billing's journey is tested in app/billing).
func payCart(t *testing.T, f *fixture, family, regie int64) {
	t.Helper()
	ctx := context.Background()
	err := f.reg.WithCommune(ctx, "alpha", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			chk, err := booking.CheckCart(ctx, tx, family, regie, time.Now())
			if err != nil {
				return err
			}
			ids := []int64{}
			for _, l := range chk.Lines {
				ids = append(ids, l.ID)
			}
			res, err := booking.ConfirmLines(ctx, tx, family, ids, "TEST-PAY", time.Now())
			if err == nil && len(res.Confirmed) != len(ids) {
				t.Errorf("payment confirmed %d of %d", len(res.Confirmed), len(ids))
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A capacity of 2 set in the back office: of three parents who asked for
// the same day, two are validated and the third is refused at validation
// with "complet"; the day then shows "complet" to everyone else.
func TestCapacityOfTwoWithThreeBookers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 4)
	admin := f.admin(t)
	form := prestationForm(2, "ÉTUDE SURVEILLÉE", "1,50")
	form.Set("capacity", "2")
	p := createPrestation(t, f, admin, form)
	day := openDay(15)
	parents := make([]*client, 4)
	for i := range parents {
		parents[i] = f.parent(t, "alpha", fams[i])
	}
	for i := range 3 {
		if got := cell(t, parents[i].agenda(2, kids[i], day).Body, "ÉTUDE SURVEILLÉE", day); got != "bookable" {
			t.Fatalf("parent %d sees %q", i, got)
		}
		wantContains(t, parents[i].click(2, kids[i], p, day, "reserver").Body, "1 ÉTUDE SURVEILLÉE")
	}
	for i := range 2 {
		wantContains(t, parents[i].validate(2, kids[i], day).Body, "1 demande(s) validée(s)")
	}
	r := parents[2].validate(2, kids[2], day)
	wantContains(t, r.Body, "Non validée", "complet")
	if got := cell(t, r.Body, "ÉTUDE SURVEILLÉE", day); got != "closed full" {
		t.Fatalf("third booker's cell after refusal: %q", got)
	}
	if got := cell(t, parents[3].agenda(2, kids[3], day).Body, "ÉTUDE SURVEILLÉE", day); got != "closed full" {
		t.Fatalf("fourth parent sees %q", got)
	}
	wantContains(t, parents[3].click(2, kids[3], p, day, "").Body, "complet")
	if n := f.count(t, "alpha", `SELECT count(*) FROM reservations WHERE prestation_id = ? AND state = 'validated'`, p); n != 2 {
		t.Fatalf("%d validated, want 2", n)
	}
}

// A quotient familial bracket changed in the back office prices the new
// bookings only; the reservations already made keep their price.
func TestBracketChangePricesNewBookingsOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	f.exec(t, "alpha", `UPDATE families SET qf_value = 400, qf_valid_from = '2020-01-01', qf_valid_until = '2099-12-31' WHERE id = ?`, fams[0])
	admin := f.admin(t)
	form := prestationForm(2, "REPAS DU SOIR", "3,00")
	setBrackets(form, [2]string{"500", "1,20"}, [2]string{"", "3,00"})
	p := createPrestation(t, f, admin, form)
	parent := f.parent(t, "alpha", fams[0])
	day := openDay(15)
	wantContains(t, parent.click(2, kids[0], p, day, "reserver").Body, "Total à payer : 1,20")
	wantContains(t, parent.validate(2, kids[0], day).Body, "1 demande(s) validée(s)")

	setBrackets(form, [2]string{"500", "1,70"}, [2]string{"", "3,00"})
	wantStatus(t, admin.Post("/alpha/admin/prestations/"+itoa(p), form), http.StatusSeeOther)
	next := openDay(day.Sub(calendar.Today(time.Now())) + 1)
	wantContains(t, parent.click(2, kids[0], p, next, "reserver").Body, "Total à payer : 1,70")
	wantContains(t, parent.validate(2, kids[0], next).Body, "1 demande(s) validée(s)")
	if n := f.count(t, "alpha", `SELECT price_cents FROM reservations WHERE prestation_id = ? AND day = ?`, p, day.String()); n != 120 {
		t.Fatalf("old reservation repriced: %d", n)
	}
	if n := f.count(t, "alpha", `SELECT price_cents FROM reservations WHERE prestation_id = ? AND day = ?`, p, next.String()); n != 170 {
		t.Fatalf("new reservation at %d, want 170", n)
	}
}

// A meal type added in the back office appears in the parent's agenda and
// can be booked.
func TestNewMealTypeAppearsInAgenda(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	admin := f.admin(t)
	createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	parent := f.parent(t, "alpha", fams[0])
	day := openDay(15)
	body := parent.agenda(1, kids[0], day).Body
	if strings.Contains(body, "REPAS BIO") {
		t.Fatal("REPAS BIO before it exists")
	}
	p := createPrestation(t, f, admin, prestationForm(1, "REPAS BIO", "3,10"))
	body = parent.agenda(1, kids[0], day).Body
	if got := cell(t, body, "REPAS BIO", day); got != "bookable" {
		t.Fatalf("new meal type cell %q", got)
	}
	wantContains(t, parent.click(1, kids[0], p, day, "reserver").Body, "1 REPAS BIO", "Total à payer : 3,10")
}

// A closure day confirmed in the back office: the parent's paid booking is
// cancelled and credited, and the day is no longer bookable.
func TestClosureDayUnbookableAndCredited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	admin := f.admin(t)
	p := createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	parent := f.parent(t, "alpha", fams[0])
	day := openDay(15)
	parent.click(1, kids[0], p, day, "reserver")
	payCart(t, f, fams[0], 1)
	if got := cell(t, parent.agenda(1, kids[0], day).Body, "REPAS CLASSIQUE ENFANT", day); got != "validated" {
		t.Fatalf("booked cell %q", got)
	}
	r := admin.Post("/alpha/admin/calendrier/fermetures", url.Values{"day": {day.FR()}, "reason": {"Grève"}})
	wantContains(t, r.Body, "1 famille(s)", "FAMILLE A", "Enfant FAMILLE A – REPAS CLASSIQUE ENFANT (2,55")
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", url.Values{"day": {day.FR()}, "reason": {"Grève"}}), http.StatusSeeOther)

	body := parent.agenda(1, kids[0], day).Body
	if got := cell(t, body, "REPAS CLASSIQUE ENFANT", day); got != "closed closure" {
		t.Fatalf("closed day cell %q", got)
	}
	wantContains(t, body, "non réservable : fermeture (Grève)")
	wantContains(t, parent.click(1, kids[0], p, day, "").Body, "fermeture")
	if n := f.count(t, "alpha", `SELECT count(*) FROM cart_lines`); n != 0 {
		t.Fatal("a closed day went into the cart")
	}
	wantContains(t, parent.Get("/alpha/famille/factures").Body, "Mes avoirs", "2,55")
	if n := f.count(t, "alpha", `SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = ? AND kind = 'closure'`, fams[0]); n != 255 {
		t.Fatalf("credit %d, want 255", n)
	}
}

// Issue 9 item 17: the closure notice (bookings cancelled by the mairie)
// went to the family's address on file only; every parent's account
// linked to the family gets it too, each address once.
func TestClosureNoticeReachesLinkedParents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	admin := f.admin(t)
	p := createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	f.For(t).ParentAccount("alpha", fams[0], "maman@example.org", apptest.ParentPassword)
	f.For(t).ParentAccount("alpha", fams[0], "F0@example.org", apptest.ParentPassword) // the family's own address
	c := f.Client(t)
	c.LoginParent("alpha", "maman@example.org", apptest.ParentPassword)
	parent := &client{Client: c, t: t, f: f}
	day := openDay(15)
	parent.click(1, kids[0], p, day, "reserver")
	payCart(t, f, fams[0], 1)
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", url.Values{"day": {day.FR()}, "reason": {"Grève"}}), http.StatusSeeOther)
	for _, addr := range []string{"f0@example.org", "maman@example.org"} {
		if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'closure' AND to_addr = ?`, addr); n != 1 {
			t.Errorf("closure notices to %s: %d, want 1", addr, n)
		}
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'closure'`); n != 2 {
		t.Errorf("%d closure notices, want 2", n)
	}
	var text, html string
	f.For(t).Scan("alpha", `SELECT text_body, html_body FROM outbox WHERE kind = 'closure' AND to_addr = 'maman@example.org'`, nil, &text, &html)
	for _, want := range []string{"Bonjour FAMILLE A,", "seront fermés le " + day.FR() + " (Grève)", "- Enfant FAMILLE A – REPAS CLASSIQUE ENFANT (2,55"} {
		if !strings.Contains(text, want) {
			t.Errorf("closure notice lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, "<li>Enfant FAMILLE A – REPAS CLASSIQUE ENFANT (2,55") {
		t.Errorf("closure notice's HTML part lacks the cancelled booking:\n%s", html)
	}
}
