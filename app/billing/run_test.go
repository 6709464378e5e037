package billing_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/calendar"
)

// Issue 9 §2: post-paid invoicing follows "service fait". On 5 October a
// run for November is refused and creates nothing; on 2 December it
// invoices November's open days only (not the 11th, a public holiday),
// and the period printed is the month, whatever days were booked.
func TestMonthlyInvoicingOnlyForAnEndedMonthAndOpenDays(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year()
	var etude int64
	if err := e.db.W.QueryRow(`INSERT INTO prestations (regie_id, name, kind, weekdays, price_cents, created_at)
		VALUES (?, 'ETUDE', 'daily', 31, 200, '2026-01-01T00:00:00Z') RETURNING id`, e.garderie).Scan(&etude); err != nil {
		t.Fatal(err)
	}
	for _, d := range []int{11, 16, 17} { // 11/11: Armistice
		day := calendar.DateOf(year, time.November, d)
		if _, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
			VALUES (?, ?, ?, ?, 0, ?, 'validated', 200, 'x', 'x')`, e.family, e.children[0], etude, e.garderie, day); err != nil {
			t.Fatal(err)
		}
	}
	link := "http://ef.test/malemort-du-comtat/famille/factures"
	_, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, link)
	var notEnded *billing.MonthNotEndedError
	if !errors.As(err, &notEnded) || e.count(`SELECT COUNT(*) FROM invoices`) != 0 {
		t.Fatalf("run of a month to come: %v, %d invoice(s)", err, e.count(`SELECT COUNT(*) FROM invoices`))
	}
	if msg := notEnded.Message(); msg != "Le mois de 11/"+itoa(year)+" n'est pas terminé : la facturation suit le service fait, elle sera possible à partir du 01/12/"+itoa(year)+"." {
		t.Errorf("message %q", msg)
	}
	// The last day of the month is not enough either.
	e.clock.Set(calendar.DateOf(year, time.November, 30).At(23, 59))
	if _, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, link); !errors.As(err, &notEnded) {
		t.Fatalf("run on the month's last day: %v", err)
	}
	e.clock.Set(calendar.DateOf(year, time.December, 2).At(10, 0))
	rep, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, link)
	if err != nil || rep.Created != 1 || rep.TotalCents != 400 {
		t.Fatalf("run = %+v %v", rep, err)
	}
	var start, end, issued string
	e.scalar(`SELECT period_start FROM invoices`, &start)
	e.scalar(`SELECT period_end FROM invoices`, &end)
	e.scalar(`SELECT issued_on FROM invoices`, &issued)
	if start != itoa(year)+"-11-01" || end != itoa(year)+"-11-30" || issued != itoa(year)+"-12-02" {
		t.Errorf("invoice period %s – %s issued %s", start, end, issued)
	}
	if n := e.count(`SELECT COUNT(*) FROM invoice_lines WHERE day = ?`, calendar.DateOf(year, time.November, 11)); n != 0 {
		t.Error("a public holiday was invoiced")
	}
}

// Issue 9 §4: an open invoice whose remainder is under the online
// payment minimum is not sent to the payment service; the parent is told
// it moves to the next invoice, and the next monthly run carries it there.
func TestSmallInvoiceIsCarriedToTheNextInvoice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.usePayFiP()
	year := e.clock.Now().Year()
	var etude int64
	if err := e.db.W.QueryRow(`INSERT INTO prestations (regie_id, name, kind, weekdays, price_cents, created_at)
		VALUES (?, 'ETUDE', 'daily', 31, 60, '2026-01-01T00:00:00Z') RETURNING id`, e.garderie).Scan(&etude); err != nil {
		t.Fatal(err)
	}
	book := func(day calendar.Date) {
		if _, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
			VALUES (?, ?, ?, ?, 0, ?, 'validated', 60, 'x', 'x')`, e.family, e.children[0], etude, e.garderie, day); err != nil {
			t.Fatal(err)
		}
	}
	book(calendar.DateOf(year, time.November, 16))
	link := "http://ef.test/malemort-du-comtat/famille/factures"
	e.clock.Set(calendar.DateOf(year, time.December, 2).At(10, 0))
	if _, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, link); err != nil {
		t.Fatal(err)
	}
	var small int64
	e.scalar(`SELECT id FROM invoices`, &small)
	e.do("GET", "/famille/factures/"+itoa(int(small)), nil, e.family)
	r := e.do("POST", "/famille/factures/"+itoa(int(small))+"/payer", url.Values{}, e.family)
	page := e.follow(r, e.family)
	mustContain(t, page.Body, "Le paiement en ligne n&#39;est possible qu&#39;à partir de 1,00", "reporté sur votre prochaine facture")
	if e.payfip.Ops() != 0 || e.count(`SELECT COUNT(*) FROM orders`) != 0 {
		t.Fatal("0,60 € was sent to PayFiP")
	}
	book(calendar.DateOf(year, time.December, 7))
	e.clock.Set(calendar.DateOf(year+1, time.January, 4).At(10, 0))
	if _, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.December, link); err != nil {
		t.Fatal(err)
	}
	var total int64
	e.scalar(`SELECT total_cents FROM invoices WHERE period_key = ?`, &total, itoa(year)+"-12")
	if total != 120 {
		t.Errorf("December invoice = %d, want 120 (its 0,60 € and November's)", total)
	}
	var status, means string
	e.scalar(`SELECT status FROM invoices WHERE id = ?`, &status, small)
	e.scalar(`SELECT payment_means FROM invoices WHERE id = ?`, &means, small)
	if status != billing.InvoicePaid || means[:len("Reporté sur la facture")] != "Reporté sur la facture" {
		t.Errorf("November invoice %s %q", status, means)
	}
}
