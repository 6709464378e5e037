package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
)

// startOrders opens n orders at once (n tabs pressing "Payer" on the open
// invoice, or "Valider" on the cart), each with its PayFiP operation.
func (e *env) startOrders(kind string, n int, invoiceID int64) []billing.Order {
	e.t.Helper()
	ctx := context.Background()
	svc := e.h.Service()
	orders := make([]billing.Order, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out billing.Checkout
			if kind == billing.KindInvoice {
				out, errs[i] = svc.StartInvoice(ctx, e.db, e.com, e.family, invoiceID, "")
			} else {
				out, errs[i] = svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
			}
			orders[i] = out.Order
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return orders
}

// openInvoice writes an open invoice of 15,30 € for FAMILLE X.
func (e *env) openInvoice() billing.Invoice {
	e.t.Helper()
	var inv billing.Invoice
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		inv, err = e.newInvoice(tx, billing.InvoiceOpen)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

// The story: two (or three) tabs, "Payer" in each, every one paid.
// Whatever the order of the notifications, and even when they race, the
// money of each payment ends applied (one order) or as an avoir (the
// others), nothing stays pending, and reconciliation finds nothing wrong.
func TestCapturedPaymentIsNeverLost(t *testing.T) {
	for _, kind := range []string{billing.KindInvoice, billing.KindCart} {
		for _, n := range []int{2, 3} {
			for _, race := range []bool{false, true} {
				name := fmt.Sprintf("%s, %d orders, paid one after the other", kind, n)
				if race {
					name = fmt.Sprintf("%s, %d orders, notifications racing", kind, n)
				}
				t.Run(name, func(t *testing.T) { capturedPaymentNeverLost(t, kind, n, race) })
			}
		}
	}
}

func capturedPaymentNeverLost(t *testing.T, kind string, n int, race bool) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	var invoiceID, due int64
	if kind == billing.KindInvoice {
		inv := e.openInvoice()
		invoiceID, due = inv.ID, inv.DueCents()
	} else {
		e.book(e.children[0], 3)
		due = 765
	}
	orders := e.startOrders(kind, n, invoiceID)
	svc := e.h.Service()
	// Every tab pays, the oldest first (the order).
	for _, o := range orders {
		if o.AmountCents != due || o.ProviderRef == "" {
			t.Fatalf("order = %+v", o)
		}
		e.payfip.Finish(o.ProviderRef, "P")
	}
	notify := func(o billing.Order) {
		if _, err := svc.Notify(ctx, e.db, e.com, billing.ProviderPayFiP, o.ProviderRef, billing.SourceNotify); err != nil {
			t.Errorf("notify %s: %v", o.Ref, err)
		}
	}
	if race {
		var wg sync.WaitGroup
		for _, o := range orders {
			wg.Add(1)
			go func() { defer wg.Done(); notify(o) }()
		}
		wg.Wait()
	} else {
		for _, o := range orders {
			notify(o)
		}
	}
	if p := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'pending'`); p != 0 {
		t.Errorf("%d order(s) still pending", p)
	}
	if p := e.count(`SELECT COUNT(*) FROM payments`); p != n {
		t.Errorf("payments recorded = %d, want %d", p, n)
	}
	if got := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'paid'`); got != 1 {
		t.Errorf("orders applied = %d, want 1", got)
	}
	if got := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'credited'`); got != n-1 {
		t.Errorf("orders credited = %d, want %d", got, n-1)
	}
	bal, err := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine)
	if err != nil || bal != int64(n-1)*due {
		t.Errorf("avoir = %d, want %d (every payment but the applied one)", bal, int64(n-1)*due)
	}
	if kind == billing.KindInvoice {
		var status string
		e.scalar(`SELECT status FROM invoices WHERE id = ?`, &status, invoiceID)
		if status != billing.InvoicePaid {
			t.Errorf("invoice %s", status)
		}
	} else if got := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); got != 3 {
		t.Errorf("reservations = %d, want 3 (booked once)", got)
	}
	if e.count(`SELECT COUNT(*) FROM holds`) != 0 {
		t.Error("places still held")
	}
	rep, err := svc.Reconcile(ctx, e.db, e.com)
	if err != nil || rep.Errors != 0 || rep.Checked != 0 || rep.Broken() {
		t.Errorf("reconcile after: %+v %v", rep, err)
	}
	// Each parent reads what became of their payment: the receipt, or an
	// avoir that does not pretend the order expired.
	for _, o := range orders {
		got, err := billing.OrderByRef(ctx, e.db.Reader(), e.family, o.Ref)
		if err != nil {
			t.Fatal(err)
		}
		page := e.follow(e.do("GET", "/famille/paiement/retour?ref="+o.Ref, nil, e.family), e.family)
		switch got.Status {
		case billing.OrderPaid:
			mustContain(t, page.Body, "Le résumé de votre paiement")
			if kind == billing.KindInvoice && strings.Contains(got.Outcome, "réservations") {
				t.Errorf("an invoice's payment reads %q", got.Outcome)
			}
		case billing.OrderCredited:
			mustContain(t, page.Body, "avoir")
			if strings.Contains(page.Body, "après expiration") || strings.Contains(page.Body, "en cours de vérification") {
				t.Errorf("%s: return page says %q", o.Ref, page.Body)
			}
		}
	}
}

// Issue 9 §3: a cart that only cancels a paid meal is confirmed without
// the payment page, in words that say what happened, and its summary does
// not pretend a payment.
func TestCancellationOnlyCartIsConfirmedWithoutPaymentPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.payThenCancelOne()
	cart := e.do(http.MethodGet, fmt.Sprintf("/famille/reservations?regie=%d&enfant=%d", e.cantine, e.children[0]), nil, e.family)
	mustContain(t, cart.Body, "Avoir à recevoir : 2,55")
	for _, bad := range []string{"Total à payer : -2,55", "la page pour le paiement s'ouvre"} {
		if strings.Contains(cart.Body, bad) {
			t.Errorf("cart page says %q", bad)
		}
	}
	r := e.checkout()
	if r.Status != http.StatusSeeOther || strings.Contains(r.Location, "simulateur") || !strings.Contains(r.Location, "/famille/paiement/EF") {
		t.Fatalf("checkout: %d %s", r.Status, r.Location)
	}
	page := e.follow(r, e.family)
	mustContain(t, page.Body, "Demande validée", "Annulation confirmée : un avoir de 2,55", "est ajouté à votre compte", "Annulation")
	var subject, text string
	if err := e.db.Reader().QueryRowContext(context.Background(), `SELECT subject, text_body FROM outbox WHERE kind = 'payment_receipt' ORDER BY id DESC LIMIT 1`).Scan(&subject, &text); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{page.Body, text} {
		for _, bad := range []string{"Montant payé", "Moyen de paiement", "ticket de paiement", "Le résumé de votre paiement"} {
			if strings.Contains(body, bad) {
				t.Errorf("summary of a cancellation says %q", bad)
			}
		}
	}
	if !strings.HasPrefix(subject, "Demande validée") || !strings.Contains(text, "Annulation confirmée : un avoir de 2,55") {
		t.Errorf("email %q:\n%s", subject, text)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 255 {
		t.Errorf("avoir = %d, want 255", bal)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'cancelled'`); n != 1 || e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`) != 2 {
		t.Errorf("cancelled reservations = %d", n)
	}
}

// Issue 9 §4: an amount under 1,00 € is not sent to the payment service;
// the parent is told what to do and keeps the demandes for the next cart.
func TestAmountUnderOneEuroIsNotSentToThePaymentService(t *testing.T) {
	for _, tc := range []struct {
		name      string
		credit    int64
		wantOrder bool
	}{
		{"0,01 € left after an avoir of 2,54 €: kept in the cart", 254, false},
		{"0,99 € left: kept in the cart", 156, false},
		{"1,00 € left: the payment page", 155, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			if _, err := e.db.W.Exec(`INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, created_at)
				VALUES (?, ?, 'manual', ?, 'geste', '2026-01-01T00:00:00Z')`, e.family, e.cantine, tc.credit); err != nil {
				t.Fatal(err)
			}
			e.book(e.children[0], 1)
			r := e.checkout()
			if tc.wantOrder {
				if !strings.HasPrefix(r.Location, e.payfip.PaymentURL()) || e.lastOrder().AmountCents != 100 {
					t.Fatalf("checkout: %d %s", r.Status, r.Location)
				}
				return
			}
			if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/famille/reservations") {
				t.Fatalf("checkout: %d %s", r.Status, r.Location)
			}
			page := e.follow(r, e.family)
			mustContain(t, page.Body, "Le paiement en ligne n&#39;est possible qu&#39;à partir de 1,00", "vos demandes restent dans votre panier")
			if e.payfip.Ops() != 0 || e.count(`SELECT COUNT(*) FROM orders`) != 0 || e.count(`SELECT COUNT(*) FROM holds`) != 0 || e.cartLines() != 1 {
				t.Error("something was created, or the cart was emptied")
			}
		})
	}
}

// payThenCancelOne books and pays three meals of the first child, then
// asks for the cancellation of the first one (2,55 €) inside its window.
func (e *env) payThenCancelOne() {
	e.t.Helper()
	days := e.book(e.children[0], 3)
	e.payWithSimulator("4242424242424242", false)
	if _, err := booking.ToggleCell(context.Background(), e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: e.children[0],
		PrestationID: e.prestations["REPAS CLASSIQUE ENFANT"], Day: days[0], Intent: booking.IntentCancel}, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// A parent finishes paying on PayFiP's page after the order expired, and
// that notification is lost: reconciliation keeps asking about orders
// closed without payment for LateWatch, finds the payment and applies it
// (here the meals are still free: they are booked); after LateWatch, an
// order closed unpaid is no longer asked about.
func TestLatePaymentWithLostNotificationIsFoundByReconciliation(t *testing.T) {
	e := newPayFiPCart(t)
	ctx := context.Background()
	svc := e.h.Service()
	o := e.payfipCheckout()
	e.clock.Advance(billing.OrderTTL + time.Minute)
	if rep, err := svc.Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
		t.Fatalf("expiry pass: %+v %v", rep, err)
	}
	e.payfip.Finish(o.ProviderRef, "P") // paid, no notification
	rep, err := svc.Reconcile(ctx, e.db, e.com)
	if err != nil || rep.Watched != 1 || rep.Paid != 1 || rep.Broken() {
		t.Fatalf("watch pass: %+v %v", rep, err)
	}
	if got := e.lastOrder(); got.Status != billing.OrderPaid || e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`) != 3 {
		t.Fatalf("late payment found: order %s %q", got.Status, got.Outcome)
	}
	if rep, _ := svc.Reconcile(ctx, e.db, e.com); rep.Watched != 0 || e.count(`SELECT COUNT(*) FROM payments`) != 1 {
		t.Errorf("a recorded payment is asked about again: %+v", rep)
	}

	// Another order expires unpaid; two hours later nobody asks any more.
	e.book(e.children[1], 1)
	o2, err := svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(billing.OrderTTL + time.Minute)
	svc.Reconcile(ctx, e.db, e.com)
	if rep, _ := svc.Reconcile(ctx, e.db, e.com); rep.Watched != 1 {
		t.Errorf("recently expired order not watched: %+v", rep)
	}
	e.clock.Advance(billing.LateWatch)
	if rep, _ := svc.Reconcile(ctx, e.db, e.com); rep.Watched != 0 {
		t.Errorf("order %s still watched after %s: %+v", o2.Order.Ref, billing.LateWatch, rep)
	}
}

// The parent who paid on PayFiP's page after the order expired comes back
// to the return page: the payment is found there and then, not left to
// "Paiement expiré".
func TestReturnAfterPayingAnExpiredOrderFindsThePayment(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	e.clock.Advance(billing.OrderTTL + time.Minute)
	if rep, err := e.h.Service().Reconcile(context.Background(), e.db, e.com); err != nil || rep.Expired != 1 {
		t.Fatalf("expiry: %+v %v", rep, err)
	}
	e.payfip.Finish(o.ProviderRef, "P")
	page := e.follow(e.do(http.MethodGet, "/famille/paiement/retour?ref="+o.Ref, nil, e.family), e.family)
	mustContain(t, page.Body, "Le résumé de votre paiement", "paiement tardif, réservations rétablies")
	if got := e.lastOrder(); got.Status != billing.OrderPaid {
		t.Errorf("order %s", got.Status)
	}
}
