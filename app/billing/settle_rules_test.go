package billing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// These tests pin what a payment becomes once the provider reports it
// (issue 17): what is booked and invoiced, what becomes avoir and with
// which words, for a payment in time, a payment whose meals were taken
// meanwhile, a payment for an invoice paid meanwhile, and late payments
// for orders that expired, were replaced or refused. Every cent the
// provider captured ends booked, invoiced or as avoir.

// payOnPayFiP is the parent paying the order on PayFiP's page, then
// PayFiP's notification.
func (e *env) payOnPayFiP(o billing.Order) (billing.Order, error) {
	e.t.Helper()
	e.payfip.Finish(o.ProviderRef, "P")
	return e.h.Service().Notify(context.Background(), e.db, e.com, billing.ProviderPayFiP, o.ProviderRef, billing.SourceNotify)
}

// startCart is "Valider" on the cart, through PayFiP.
func (e *env) startCart() billing.Order {
	e.t.Helper()
	out, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
	if err != nil || out.Order.ProviderRef == "" {
		e.t.Fatalf("Valider: %+v %v", out, err)
	}
	return out.Order
}

// bookedMeanwhile books the child's meal of day by a path that ignores
// the places held (as the issue 10 notes allow for the back office).
func (e *env) bookedMeanwhile(child int64, day calendar.Date) {
	e.t.Helper()
	if _, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state,
		price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, (SELECT school_id FROM children WHERE id = ?), ?, 'validated', 255, 'x', 'x')`,
		e.family, child, e.prestations["REPAS CLASSIQUE ENFANT"], e.cantine, child, day); err != nil {
		e.t.Fatal(err)
	}
}

// returnPage is the page the parent's browser comes back to for order o.
func (e *env) returnPage(o billing.Order) string {
	e.t.Helper()
	return e.follow(e.do("GET", "/famille/paiement/retour?ref="+o.Ref, nil, e.family), e.family).Body
}

type creditRow struct {
	Kind   string
	Amount int64
	Label  string
}

// creditsOf lists the avoir movements of an order, oldest first.
func (e *env) creditsOf(o billing.Order) []creditRow {
	e.t.Helper()
	rows, err := e.db.Reader().QueryContext(context.Background(), `SELECT kind, amount_cents, label FROM credits WHERE order_id = ? ORDER BY id`, o.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []creditRow
	for rows.Next() {
		var c creditRow
		if err := rows.Scan(&c.Kind, &c.Amount, &c.Label); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func sameCredits(got, want []creditRow) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// orderInvoice reads the "payée" invoice an order wrote: its total, the
// credit and the payment it records, and its line count (0, 0, 0, 0 when
// none).
func (e *env) orderInvoice(o billing.Order) (total, credit, paid int64, lines int) {
	e.t.Helper()
	e.Scan(demo.Slug, `SELECT COALESCE(SUM(total_cents), 0), COALESCE(SUM(credit_cents), 0), COALESCE(SUM(paid_cents), 0),
		(SELECT COUNT(*) FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE order_id = ?))
		FROM invoices WHERE order_id = ?`, []any{o.ID, o.ID}, &total, &credit, &paid, &lines)
	return
}

// A cart paid in time whose meals were taken meanwhile by a path that
// ignores held places: what could be booked is booked and invoiced, the
// rest of what the family gave (payment and credit) becomes avoir, and an
// order that booked nothing says so.
func TestPaidCartWhoseMealsWereTakenMeanwhile(t *testing.T) {
	for _, c := range []struct {
		name                string
		meals, taken        int
		credit              int64
		wantStatus, outcome string
		invoice             [4]int64 // total, credit, paid, lines
		avoir               int64
	}{
		{name: "the only meal taken: nothing booked, the whole payment is avoir", meals: 1, taken: 1,
			wantStatus: billing.OrderCredited, outcome: "réservations impossibles, montant porté en avoir", avoir: 255},
		{name: "both meals taken, paid mostly by credit: payment and credit are avoir", meals: 2, taken: 2, credit: 300,
			wantStatus: billing.OrderCredited, outcome: "réservations impossibles, montant porté en avoir", avoir: 510},
		{name: "one of two meals taken: the other is booked and invoiced, the taken one is avoir", meals: 2, taken: 1,
			wantStatus: billing.OrderPaid, outcome: "payée", invoice: [4]int64{255, 0, 255, 1}, avoir: 255},
		{name: "one of two taken, credit used: the invoice records credit and payment up to its total", meals: 2, taken: 1, credit: 100,
			wantStatus: billing.OrderPaid, outcome: "payée", invoice: [4]int64{255, 100, 255, 1}, avoir: 255},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			if c.credit > 0 {
				e.credit("manual", c.credit, 0)
			}
			days := e.book(e.children[0], c.meals)
			o := e.startCart()
			if o.CreditCents != c.credit || o.AmountCents != int64(c.meals)*255-c.credit {
				t.Fatalf("order credit %d amount %d", o.CreditCents, o.AmountCents)
			}
			for _, d := range days[:c.taken] {
				e.bookedMeanwhile(e.children[0], d)
			}
			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != c.wantStatus || got.Outcome != c.outcome {
				t.Fatalf("paid: %s %q %v, want %s %q", got.Status, got.Outcome, err, c.wantStatus, c.outcome)
			}
			total, credit, paid, lines := e.orderInvoice(o)
			if [4]int64{total, credit, paid, int64(lines)} != c.invoice {
				t.Errorf("invoice (total, credit, paid, lines) = %d %d %d %d, want %v", total, credit, paid, lines, c.invoice)
			}
			if got := e.balance(); got != c.avoir {
				t.Errorf("avoir = %d, want %d", got, c.avoir)
			}
			want := []creditRow{{"rejected", c.avoir, "Réservations impossibles de la commande " + o.Ref}}
			if c.credit > 0 {
				want = append([]creditRow{{"order", -c.credit, "Commande " + o.Ref}}, want...)
			}
			if got := e.creditsOf(o); !sameCredits(got, want) {
				t.Errorf("credits = %+v, want %+v", got, want)
			}
			if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ?`, o.Ref); n != c.meals-c.taken {
				t.Errorf("booked by the order: %d, want %d", n, c.meals-c.taken)
			}
			if len(got.Booked()) != c.meals-c.taken {
				t.Errorf("receipt lists %d lines booked", len(got.Booked()))
			}
			if c.wantStatus == billing.OrderCredited {
				mustContain(t, e.returnPage(o), "Paiement reçu, porté en avoir", "mais aucune réservation", "crédité en avoir")
			}
		})
	}
}

// A payment in time for an invoice that was paid meanwhile (at the desk,
// or by another order) pays nothing twice: the payment and the credit the
// order took both come back as avoir, with words that say why.
func TestPaymentForAnInvoicePaidMeanwhileBecomesAvoir(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	e.credit("manual", 500, 0)
	inv := e.invoiceOf(1530, 0)
	out, err := e.h.Service().StartInvoice(context.Background(), e.db, e.com, e.family, inv.ID, "")
	if err != nil || out.Order.AmountCents != 1030 || out.Order.CreditCents != 500 {
		t.Fatalf("start: %+v %v", out.Order, err)
	}
	if _, err := e.db.W.Exec(`UPDATE invoices SET status = 'paid', paid_cents = total_cents WHERE id = ?`, inv.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.payOnPayFiP(out.Order)
	if err != nil || got.Status != billing.OrderCredited || got.Outcome != "facture déjà réglée, paiement porté en avoir" {
		t.Fatalf("paid: %s %q %v", got.Status, got.Outcome, err)
	}
	want := []creditRow{{"order", -500, "Commande " + got.Ref}, {"release", 500, "Commande " + got.Ref + " non utilisée"},
		{"rejected", 1030, "Facture déjà réglée : paiement de la commande " + got.Ref}}
	if c := e.creditsOf(got); !sameCredits(c, want) {
		t.Errorf("credits = %+v, want %+v", c, want)
	}
	if e.balance() != 1530 {
		t.Errorf("avoir = %d, want 1530", e.balance())
	}
	if len(got.Booked()) != 0 {
		t.Error("the receipt lists the invoice as paid by this order")
	}
	mustContain(t, e.returnPage(got), "Facture déjà réglée", "par un autre paiement", "crédité en avoir")
}

// lateCart makes a cart order of two meals (credit 100, 4,10 € to pay)
// and closes it without payment as how says.
func (e *env) lateCart(how string) billing.Order {
	e.t.Helper()
	ctx := context.Background()
	svc := e.h.Service()
	e.credit("manual", 100, 0)
	e.book(e.children[0], 2)
	o := e.startCart()
	switch how {
	case "expired":
		e.clock.Advance(billing.OrderTTL + time.Minute)
		if rep, err := svc.Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
			e.t.Fatalf("reconcile: %+v %v", rep, err)
		}
	case "replaced":
		e.startCart()
	case "refused":
		e.payfip.Finish(o.ProviderRef, "R")
		if got, err := svc.Notify(ctx, e.db, e.com, billing.ProviderPayFiP, o.ProviderRef, billing.SourceNotify); err != nil ||
			got.Status != billing.OrderRefused {
			e.t.Fatalf("refused: %s %v", got.Status, err)
		}
	}
	return o
}

// A payment that arrives for a cart order closed without payment is first
// avoir, with the reason the order had closed; then what it paid for is
// booked again when the rules still allow it (the credit it had taken
// included), otherwise the avoir stays.
func TestLatePaymentForACartOrderClosedWithoutPayment(t *testing.T) {
	headings := map[string]string{"expired": "Paiement reçu après expiration", "replaced": "Paiement reçu pour une commande remplacée",
		"refused": "Paiement reçu, porté en avoir"}
	labels := map[string][2]string{
		"expired":  {"paiement reçu après expiration, porté en avoir", "Paiement reçu après expiration de la commande %s"},
		"replaced": {"paiement reçu pour une commande remplacée, porté en avoir", "Paiement reçu pour la commande %s, remplacée par une commande plus récente"},
		"refused":  {"paiement reçu pour une commande close, porté en avoir", "Paiement reçu pour la commande %s, close sans paiement"},
	}
	for _, how := range []string{"expired", "replaced", "refused"} {
		t.Run(how+", cart emptied: the payment stays avoir", func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			o := e.lateCart(how)
			if _, err := e.db.W.Exec(`DELETE FROM holds; DELETE FROM cart_lines`); err != nil {
				t.Fatal(err)
			}
			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != billing.OrderCredited || got.Outcome != labels[how][0] {
				t.Fatalf("late: %s %q %v, want %q", got.Status, got.Outcome, err, labels[how][0])
			}
			mustContain(t, e.returnPage(o), headings[how], "crédité en avoir")
			late := e.creditsOf(o)
			if last := late[len(late)-1]; last.Kind != "late" || last.Amount != 410 || last.Label != fmt.Sprintf(labels[how][1], o.Ref) {
				t.Errorf("late credit = %+v", last)
			}
			// The credit given back when the order closed, and the payment;
			// a replaced order's credit went to the order replacing it.
			want := int64(510)
			if how == "replaced" {
				want = 410
			}
			if e.balance() != want || e.count(`SELECT COUNT(*) FROM reservations`) != 0 {
				t.Errorf("avoir %d, want %d; reservations %d", e.balance(), want, e.count(`SELECT COUNT(*) FROM reservations`))
			}
		})
	}
	for _, how := range []string{"expired", "refused"} {
		t.Run(how+", meals still free: booked again, credit and payment both used", func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			o := e.lateCart(how)
			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != billing.OrderPaid || got.Outcome != "paiement tardif, réservations rétablies" {
				t.Fatalf("late: %s %q %v", got.Status, got.Outcome, err)
			}
			if total, credit, paid, lines := e.orderInvoice(o); total != 510 || credit != 100 || paid != 410 || lines != 2 {
				t.Errorf("invoice total %d credit %d paid %d lines %d, want 510 100 410 2", total, credit, paid, lines)
			}
			if e.balance() != 0 || e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND state = 'validated'`, o.Ref) != 2 {
				t.Errorf("avoir %d, reservations of the order %d", e.balance(),
					e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ?`, o.Ref))
			}
			if len(got.Booked()) != 2 {
				t.Errorf("receipt lists %d lines", len(got.Booked()))
			}
		})
	}
	t.Run("expired, one meal taken meanwhile: only the free one is booked, the rest stays avoir", func(t *testing.T) {
		e := newEnv(t)
		e.usePayFiP()
		o := e.lateCart("expired")
		e.bookedMeanwhile(e.children[0], o.Lines[0].Day)
		got, err := e.payOnPayFiP(o)
		if err != nil || got.Status != billing.OrderPaid {
			t.Fatalf("late: %s %q %v", got.Status, got.Outcome, err)
		}
		if total, _, paid, lines := e.orderInvoice(o); total != 255 || paid != 255 || lines != 1 {
			t.Errorf("invoice total %d paid %d lines %d", total, paid, lines)
		}
		if e.balance() != 255 {
			t.Errorf("avoir = %d, want 510 - 255", e.balance())
		}
	})
}

// A late payment for an invoice order: the invoice is paid when the avoir
// (the payment plus the credit given back) covers what is due, exactly
// included; when the invoice was paid meanwhile, the payment stays avoir.
func TestLatePaymentForAnInvoiceOrder(t *testing.T) {
	for _, c := range []struct {
		name        string
		paidBefore  bool
		spend       int64 // avoir spent elsewhere before the payment arrives
		wantStatus  string
		wantOutcome string
		wantAvoir   int64
	}{
		{name: "avoir exactly covers the invoice: paid", wantStatus: billing.OrderPaid, wantOutcome: "paiement tardif, facture réglée"},
		{name: "one cent short of the invoice: stays avoir", spend: 1, wantStatus: billing.OrderCredited,
			wantOutcome: "paiement reçu après expiration, porté en avoir", wantAvoir: 1529},
		{name: "invoice paid meanwhile: stays avoir", paidBefore: true, wantStatus: billing.OrderCredited,
			wantOutcome: "paiement reçu après expiration, porté en avoir", wantAvoir: 1530},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			ctx := context.Background()
			e.credit("manual", 500, 0)
			inv := e.invoiceOf(1530, 0)
			out, err := e.h.Service().StartInvoice(ctx, e.db, e.com, e.family, inv.ID, "")
			if err != nil || out.Order.AmountCents != 1030 {
				t.Fatalf("start: %+v %v", out.Order, err)
			}
			e.clock.Advance(billing.OrderTTL + time.Minute)
			if rep, err := e.h.Service().Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
				t.Fatalf("reconcile: %+v %v", rep, err)
			}
			if c.spend > 0 {
				e.credit("manual", -c.spend, 0)
			}
			if c.paidBefore {
				if _, err := e.db.W.Exec(`UPDATE invoices SET status = 'paid' WHERE id = ?`, inv.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := e.payOnPayFiP(out.Order)
			if err != nil || got.Status != c.wantStatus || got.Outcome != c.wantOutcome {
				t.Fatalf("late: %s %q %v", got.Status, got.Outcome, err)
			}
			if e.balance() != c.wantAvoir {
				t.Errorf("avoir = %d, want %d", e.balance(), c.wantAvoir)
			}
			after, err := billing.FamilyInvoice(ctx, e.db.Reader(), e.family, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.wantStatus == billing.OrderPaid {
				if !after.Paid() || after.PaidCents != 1030 || after.CreditCents != 500 || after.PaymentMeans != "Carte bancaire (PayFiP) (paiement tardif)" {
					t.Errorf("invoice %s paid %d credit %d means %q", after.Status, after.PaidCents, after.CreditCents, after.PaymentMeans)
				}
			} else if !c.paidBefore && after.Paid() {
				t.Error("invoice paid without enough avoir")
			}
		})
	}
}

// A refusal or an abandon reported for an order that is no longer
// pending changes nothing: the credit it had taken is not given back
// twice.
func TestRefusalAfterTheOrderClosedChangesNothing(t *testing.T) {
	for _, status := range []billing.Status{billing.StatusRefused, billing.StatusAbandoned} {
		t.Run(string(status), func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			o := e.lateCart("expired")
			if e.balance() != 100 {
				t.Fatalf("avoir after expiry = %d", e.balance())
			}
			got, err := e.h.Service().Apply(context.Background(), e.db, e.com, o.ID, billing.Result{Status: status}, billing.SourceNotify)
			if err != nil || got.Status != billing.OrderExpired || e.balance() != 100 {
				t.Errorf("after %s: order %s, avoir %d, %v", status, got.Status, e.balance(), err)
			}
		})
	}
	t.Run("refused while pending: places and credit given back at once", func(t *testing.T) {
		e := newEnv(t)
		e.usePayFiP()
		o := e.lateCart("none")
		got, err := e.h.Service().Apply(context.Background(), e.db, e.com, o.ID, billing.Result{Status: billing.StatusAbandoned}, billing.SourceNotify)
		if err != nil || got.Status != billing.OrderAbandoned || got.Outcome != "paiement abandonné" || e.balance() != 100 ||
			e.count(`SELECT COUNT(*) FROM holds`) != 0 {
			t.Errorf("abandoned: %s %q, avoir %d, holds %d, %v", got.Status, got.Outcome, e.balance(), e.count(`SELECT COUNT(*) FROM holds`), err)
		}
	})
}

// A provider's answer naming another order is refused and logged; the
// order waits on.
func TestProviderAnswerAboutAnotherOrderIsRefused(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	e.book(e.children[0], 1)
	o := e.startCart()
	got, err := e.h.Service().Apply(context.Background(), e.db, e.com, o.ID,
		billing.Result{Status: billing.StatusPaid, OrderRef: "EF-OTHER", AmountCents: o.AmountCents}, billing.SourceNotify)
	if !errors.Is(err, billing.ErrRefMismatch) || got.Status != billing.OrderPending {
		t.Fatalf("answer about another order: %s %v", got.Status, err)
	}
	if e.count(`SELECT COUNT(*) FROM payments`) != 0 || e.count(`SELECT COUNT(*) FROM payment_events WHERE outcome = 'ref_mismatch'`) != 1 {
		t.Error("a payment was recorded, or the refusal not logged")
	}
	// The same answer naming the order itself is applied.
	got, err = e.h.Service().Apply(context.Background(), e.db, e.com, o.ID,
		billing.Result{Status: billing.StatusPaid, OrderRef: o.Ref, AmountCents: o.AmountCents}, billing.SourceNotify)
	if err != nil || got.Status != billing.OrderPaid {
		t.Errorf("answer about the order: %s %v", got.Status, err)
	}
}

// A cart that only cancels gives its avoir as an annulation's ("cancel"),
// not as meals that could not be booked.
func TestCancellationAvoirIsRecordedAsAnnulation(t *testing.T) {
	e := newEnv(t)
	e.payThenCancelOne()
	out, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
	if err != nil || out.Order.Status != billing.OrderPaid {
		t.Fatalf("%+v %v", out.Order, err)
	}
	want := []creditRow{{"cancel", 255, "Annulations de la commande " + out.Order.Ref}}
	if got := e.creditsOf(out.Order); !sameCredits(got, want) {
		t.Errorf("credits = %+v, want %+v", got, want)
	}
}

// A replacement at the same price (the classic meal cancelled, the
// vegetarian one booked the same day) moves no money: no invoice of
// 0,00 €, no avoir, and both changes are made.
func TestReplacementAtTheSamePriceWritesNoInvoice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	days := e.book(e.children[0], 3)
	e.payWithSimulator("4242424242424242", false)
	if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: e.children[0],
		PrestationID: e.prestations["REPAS VEGETARIEN"], Day: days[0], Intent: booking.IntentBook}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	out, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil || out.Order.TotalCents != 0 || out.Order.Status != billing.OrderPaid || out.RedirectURL != "" {
		t.Fatalf("replacement: %+v %v", out, err)
	}
	if total, _, _, lines := e.orderInvoice(out.Order); total != 0 || lines != 0 {
		t.Errorf("an invoice of %d cents, %d lines, was written", total, lines)
	}
	if e.balance() != 0 || len(e.creditsOf(out.Order)) != 0 {
		t.Errorf("avoir %d", e.balance())
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND prestation_id = ?`, e.prestations["REPAS VEGETARIEN"]); n != 1 {
		t.Errorf("vegetarian meals booked: %d", n)
	}
	if len(out.Order.Booked()) != 2 {
		t.Errorf("the summary lists %d changes, want 2", len(out.Order.Booked()))
	}
}

// An order placed before places were held (before migration 00010) has
// no holds: its lines are checked when its payment arrives, and booked.
func TestOrderPlacedBeforeHoldsExistedIsCheckedAtPayment(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.startCart()
	if _, err := e.db.W.Exec(`DELETE FROM holds; UPDATE slot_counts SET booked = 0`); err != nil {
		t.Fatal(err)
	}
	got, err := e.payOnPayFiP(o)
	if err != nil || got.Status != billing.OrderPaid || len(got.Booked()) != 3 {
		t.Fatalf("paid: %s %q, %d booked, %v", got.Status, got.Outcome, len(got.Booked()), err)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND state = 'validated'`, o.Ref); n != 3 {
		t.Errorf("reservations = %d, want 3", n)
	}
	if total, _, paid, lines := e.orderInvoice(o); total != 765 || paid != 765 || lines != 3 {
		t.Errorf("invoice %d %d %d", total, paid, lines)
	}
	if e.balance() != 0 || e.cartLines() != 0 {
		t.Errorf("avoir %d, cart %d lines", e.balance(), e.cartLines())
	}
}
