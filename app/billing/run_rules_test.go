package billing_test

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/calendar"
)

// Which open invoices the monthly run carries onto the new one (issue 9
// §4, pinned for issue 17): only the family's open invoices of the same
// régie whose remainder is above zero and under the online minimum.
func TestMonthlyRunCarriesOnlyOpenRemaindersUnderTheMinimum(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year()
	day := calendar.DateOf(year, time.October, 31)
	invoice := func(regie int64, status string, total, credit int64) billing.Invoice {
		t.Helper()
		var inv billing.Invoice
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			inv, err = billing.CreateInvoice(ctx, tx, billing.NewInvoice{RegieID: regie, FamilyID: e.family, Status: status,
				IssuedOn: day, DueOn: day.AddDays(30), CreditCents: credit, PaidAt: e.clock.Now(),
				Lines: []billing.Line{{ChildName: "Fille FAMILLE X", Prestation: "ETUDE", Day: day, Quantity: 1, UnitCents: total, AmountCents: total}}},
				e.clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return inv
	}
	carried := invoice(e.garderie, billing.InvoiceOpen, 99, 0)    // 0,99 € due: carried
	atMinimum := invoice(e.garderie, billing.InvoiceOpen, 100, 0) // 1,00 €: can be paid online
	covered := invoice(e.garderie, billing.InvoiceOpen, 80, 80)   // nothing due
	paid := invoice(e.garderie, billing.InvoicePaid, 50, 0)
	otherRegie := invoice(e.cantine, billing.InvoiceOpen, 50, 0)
	// A November meal of the garderie, validated: the month to invoice.
	if _, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents,
		created_at, validated_at) VALUES (?, ?, ?, ?, 0, ?, 'validated', 2500, 'x', 'x')`,
		e.family, e.children[0], e.prestations["GARDERIE MATIN ET SOIR"], e.garderie, calendar.DateOf(year, time.November, 16)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(calendar.DateOf(year, time.December, 2).At(10, 0))
	if _, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.November, "http://ef.test/f"); err != nil {
		t.Fatal(err)
	}
	var id int64
	e.scalar(`SELECT id FROM invoices WHERE period_key = ?`, &id, itoa(year)+"-11")
	nov, err := billing.FamilyInvoice(ctx, e.db.Reader(), e.family, id)
	if err != nil {
		t.Fatal(err)
	}
	var reports []string
	for _, l := range nov.Lines {
		if strings.HasPrefix(l.Prestation, "Report de la facture ") {
			reports = append(reports, strings.TrimPrefix(l.Prestation, "Report de la facture "))
			if l.AmountCents != 99 || l.Label != "reste à payer, sous le minimum du paiement en ligne" {
				t.Errorf("report line %+v", l)
			}
		}
	}
	sort.Strings(reports)
	if strings.Join(reports, ",") != carried.Number {
		t.Errorf("carried %v, want only %s (not %s, %s, %s, %s)", reports, carried.Number, atMinimum.Number, covered.Number, paid.Number, otherRegie.Number)
	}
	if nov.TotalCents != 2500+99 {
		t.Errorf("November total %d, want 2599", nov.TotalCents)
	}
	for _, c := range []struct {
		inv    billing.Invoice
		status string
	}{{carried, billing.InvoicePaid}, {atMinimum, billing.InvoiceOpen}, {covered, billing.InvoiceOpen}, {otherRegie, billing.InvoiceOpen}} {
		got, err := billing.FamilyInvoice(ctx, e.db.Reader(), e.family, c.inv.ID)
		if err != nil || got.Status != c.status {
			t.Errorf("invoice %s: %s %v, want %s", c.inv.Number, got.Status, err, c.status)
		}
	}
}
