package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
)

// shareWithFather registers the father's household (FAMILLE Y, with its
// own address), links it to Fille FAMILLE X and gives it the even ISO
// weeks; the mother (FAMILLE X) keeps the odd ones.
func (e *env) shareWithFather() int64 {
	e.t.Helper()
	var father int64
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		ctx, now := context.Background(), e.clock.Now()
		var err error
		father, err = families.AddOtherHousehold(ctx, tx, e.children[0], families.Guardian{LastName: "Y", FirstName: "Paul", Email: "paul.y@example.org"}, now)
		if err != nil {
			return err
		}
		return custody.SetAlternation(ctx, tx, e.children[0], father, e.family, now)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return father
}

// payCart pays a family's cantine cart with the simulator's accepted card.
func (e *env) payCart(family int64) {
	e.t.Helper()
	e.do(http.MethodGet, "/famille/factures", nil, family)
	r := e.do(http.MethodPost, "/famille/paiement", url.Values{"regie": {itoa(int(e.cantine))}, "enfant": {itoa(int(e.children[0]))}}, family)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/paiement/simulateur/") {
		e.t.Fatalf("checkout of family %d: %d %s %s", family, r.Status, r.Location, r.Body)
	}
	path := r.Location[len("/malemort-du-comtat"):]
	post := e.do(http.MethodPost, path, url.Values{"numero": {"4242 4242 4242 4242"}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}, family)
	if page := e.follow(post, family); !strings.Contains(page.Body, "Le résumé de votre paiement") {
		e.t.Fatalf("payment of family %d: %d %s", family, page.Status, page.Body)
	}
}

// Issue 14, shared custody: each guardian books the days the custody
// calendar gives them, pays only their own order, and gets their own
// invoice; neither sees the other's invoices, orders or bookings.
func TestSharedCustodyEachGuardianPaysOnlyTheirDays(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	father := e.shareWithFather()
	fille, classique := e.children[0], e.prestations["REPAS CLASSIQUE ENFANT"]
	year := e.clock.Now().Year()
	days := map[int64][]calendar.Date{}
	for d := calendar.DateOf(year, time.November, 2); d.Before(calendar.DateOf(year, time.November, 28)); d = d.AddDays(1) {
		for _, fam := range []int64{e.family, father} {
			_, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fam, RegieID: e.cantine, ChildID: fille, PrestationID: classique,
				Day: d, Intent: booking.IntentBook}, e.clock.Now())
			mine := custody.Even(d) == (fam == father)
			switch {
			case err == nil && !mine:
				t.Fatalf("family %d booked %s, a day of the other parent", fam, d)
			case err == nil:
				days[fam] = append(days[fam], d)
			case mine && !errors.Is(err, booking.ErrRefused):
				t.Fatalf("family %d, %s: %v", fam, d, err)
			case !mine && !strings.Contains(err.Error(), "garde de l'autre parent"):
				t.Fatalf("family %d, the other parent's %s: %v", fam, d, err)
			}
		}
	}
	if len(days[e.family]) == 0 || len(days[father]) == 0 {
		t.Fatalf("days booked: %v", days)
	}
	e.payCart(e.family)
	e.payCart(father)
	for fam, list := range days {
		var orders, amount int
		e.scalar(`SELECT COUNT(*) FROM orders WHERE family_id = ? AND status = 'paid'`, &orders, fam)
		e.scalar(`SELECT COALESCE(SUM(amount_cents), 0) FROM orders WHERE family_id = ? AND status = 'paid'`, &amount, fam)
		if orders != 1 || amount != 255*len(list) {
			t.Errorf("family %d: %d paid order(s) of %d cents, want 1 of %d", fam, orders, amount, 255*len(list))
		}
		if n := e.count(`SELECT COUNT(*) FROM reservations WHERE family_id = ? AND state = 'validated'`, fam); n != len(list) {
			t.Errorf("family %d: %d reservations, want %d", fam, n, len(list))
		}
		// Every invoice line of the family's invoices is one of its days.
		lines := e.count(`SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.family_id = ?`, fam)
		if lines != len(list) {
			t.Errorf("family %d: %d invoice lines, want %d", fam, lines, len(list))
		}
	}
	// Isolation: the father's invoices page shows his invoice, never the mother's.
	var motherInvoice, fatherInvoice string
	e.scalar(`SELECT number FROM invoices WHERE family_id = ?`, &motherInvoice, e.family)
	e.scalar(`SELECT number FROM invoices WHERE family_id = ?`, &fatherInvoice, father)
	page := e.do(http.MethodGet, "/famille/factures", nil, father)
	if !strings.Contains(page.Body, fatherInvoice) || strings.Contains(page.Body, motherInvoice) {
		t.Errorf("father's invoices page: his %s shown %v, the mother's %s shown %v", fatherInvoice, strings.Contains(page.Body, fatherInvoice),
			motherInvoice, strings.Contains(page.Body, motherInvoice))
	}
	var motherInvoiceID int64
	e.scalar(`SELECT id FROM invoices WHERE family_id = ?`, &motherInvoiceID, e.family)
	if r := e.do(http.MethodGet, "/famille/factures/"+itoa(int(motherInvoiceID)), nil, father); r.Status != http.StatusNotFound {
		t.Errorf("father opening the mother's invoice: %d", r.Status)
	}
	// The father's agenda shows the mother's days as hers, not her bookings.
	agenda := e.do(http.MethodGet, "/famille/reservations?regie="+itoa(int(e.cantine))+"&enfant="+itoa(int(fille))+"&semaine="+days[e.family][0].String(), nil, father)
	if !strings.Contains(agenda.Body, "garde de l&#39;autre parent") || strings.Contains(agenda.Body, "Garçon FAMILLE X") {
		t.Errorf("father's agenda of the mother's week: other parent shown %v, the mother's other child shown %v",
			strings.Contains(agenda.Body, "garde de l&#39;autre parent"), strings.Contains(agenda.Body, "Garçon FAMILLE X"))
	}
	// Only the household that booked cancels, and the credit is its own.
	cancelDay := days[father][len(days[father])-1]
	if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: fille, PrestationID: classique,
		Day: cancelDay, Intent: booking.IntentCancel}, e.clock.Now()); err == nil {
		t.Fatal("the mother cancelled the father's booking")
	}
	if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: father, RegieID: e.cantine, ChildID: fille, PrestationID: classique,
		Day: cancelDay, Intent: booking.IntentCancel}, e.clock.Now()); err != nil {
		t.Fatalf("the father cancelling his own day: %v", err)
	}
	e.do(http.MethodGet, "/famille/factures", nil, father)
	r := e.do(http.MethodPost, "/famille/paiement", url.Values{"regie": {itoa(int(e.cantine))}, "enfant": {itoa(int(fille))}}, father)
	if page := e.follow(r, father); !strings.Contains(page.Body, "Annulation confirmée : un avoir de 2,55") {
		t.Fatalf("father's cancellation: %d %s", page.Status, page.Body)
	}
	var fatherCredit, motherCredit int
	e.scalar(`SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = ?`, &fatherCredit, father)
	e.scalar(`SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = ?`, &motherCredit, e.family)
	if fatherCredit != 255 || motherCredit != 0 {
		t.Errorf("credits: father %d, mother %d cents; want 255 and 0", fatherCredit, motherCredit)
	}
}

// Issue 14, shared custody with a post-paid régie: the monthly run makes
// one invoice per paying guardian, each with its own days, including a
// child present without a booking on the father's day (majoration).
func TestSharedCustodyMonthlyInvoicesAreSplitPerGuardian(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	father := e.shareWithFather()
	fille := e.children[0]
	year := e.clock.Now().Year()
	var etude int64
	if err := e.db.W.QueryRow(`INSERT INTO prestations (regie_id, name, kind, weekdays, price_cents, surcharge_kind, surcharge_value, created_at)
		VALUES (?, 'ETUDE', 'daily', 31, 200, 'fixed', 100, '2026-01-01T00:00:00Z') RETURNING id`, e.garderie).Scan(&etude); err != nil {
		t.Fatal(err)
	}
	want := map[int64]int64{}
	// Monday and Tuesday of two consecutive weeks (one odd, the mother's,
	// one even, the father's), and Thursday of the even week, on which
	// the child is present without a booking.
	monday := calendar.DateOf(year, time.November, 8).Monday().AddDays(7)
	var unbooked calendar.Date
	for _, day := range []calendar.Date{monday, monday.AddDays(1), monday.AddDays(7), monday.AddDays(8)} {
		fam := e.family
		if custody.Even(day) {
			fam, unbooked = father, day.AddDays(2)
		}
		if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fam, RegieID: e.garderie, ChildID: fille, PrestationID: etude,
			Day: day, Intent: booking.IntentBook}, e.clock.Now()); err != nil {
			t.Fatalf("%s by %d: %v", day, fam, err)
		}
		if _, err := booking.ValidatePostpaid(ctx, e.db, fam, e.garderie, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		want[fam] += 200
	}
	if _, err := e.db.W.Exec(`INSERT INTO attendance (day, prestation_id, child_id, status, unbooked, recorded_at) VALUES (?, ?, ?, 'present', 1, 'x')`,
		unbooked, etude, fille); err != nil {
		t.Fatal(err)
	}
	want[father] += 300
	e.clock.Set(calendar.DateOf(year, time.December, 2).At(10, 0))
	rep, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, "http://ef.test/malemort-du-comtat/famille/factures")
	if err != nil || rep.Created != 2 {
		t.Fatalf("run = %+v %v", rep, err)
	}
	for fam, cents := range want {
		var total int64
		e.scalar(`SELECT total_cents FROM invoices WHERE family_id = ? AND period_key <> ''`, &total, fam)
		if total != cents {
			t.Errorf("family %d invoiced %d cents, want %d", fam, total, cents)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.family_id = ? AND l.day = ?`, e.family, unbooked); n != 0 {
		t.Error("the father's unbooked day was invoiced to the mother")
	}
}

// The mother puts a day of her week in her cart; the custody calendar
// then changes and the day becomes the father's; he books it: his click
// is refused with a French explanation (the demande still in the other
// household's cart, never named), not the database's uniqueness error,
// and nothing of it is written.
func TestTwoHouseholdsAskingForTheSameDayAfterACustodyChangeGetAClearMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	father := e.shareWithFather()
	fille, classique := e.children[0], e.prestations["REPAS CLASSIQUE ENFANT"]
	year := e.clock.Now().Year()
	day := calendar.DateOf(year, time.November, 2)
	click := func(fam int64) error {
		_, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fam, RegieID: e.cantine, ChildID: fille, PrestationID: classique,
			Day: day, Intent: booking.IntentBook}, e.clock.Now())
		return err
	}
	for custody.Even(day) || click(e.family) != nil {
		day = day.AddDays(1) // an odd week's day the mother can book
	}
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return custody.SetAlternation(ctx, tx, fille, e.family, father, e.clock.Now()) // the weeks swap
	}); err != nil {
		t.Fatal(err)
	}
	err := click(father)
	if !errors.Is(err, booking.ErrRefused) {
		t.Fatalf("father's click: %v, want a refusal", err)
	}
	want := "REPAS CLASSIQUE ENFANT du " + day.FR() + " est déjà demandé par l'autre foyer de l'enfant"
	if msg := err.Error(); !strings.Contains(msg, want) || strings.Contains(msg, "FAMILLE X") || strings.Contains(strings.ToLower(msg), "unique") {
		t.Fatalf("father's click: %q, want %q", msg, want)
	}
	if n := e.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, father); n != 0 {
		t.Errorf("father's cart has %d line(s) after the refusal", n)
	}
	// Through the agenda's form, the father reads the same message.
	e.do(http.MethodGet, "/famille/factures", nil, father)
	r := e.do(http.MethodPost, "/famille/reservations/case", url.Values{"regie": {itoa(int(e.cantine))}, "enfant": {itoa(int(fille))},
		"semaine": {day.String()}, "case": {itoa(int(classique)) + "|" + day.String() + "|" + string(booking.IntentBook)}}, father)
	if page := e.follow(r, father); !strings.Contains(page.Body, "est déjà demandé par l&#39;autre foyer de l&#39;enfant") {
		t.Errorf("agenda after the click: %d\n%s", page.Status, page.Body)
	}
}
