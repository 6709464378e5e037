package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/billing/payfip"
)

// newPayFiPCart is a commune paying through PayFiP whose family has three
// days of cantine (7,65 €) in the cart.
func newPayFiPCart(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.usePayFiP()
	e.book(e.children[0], 3)
	return e
}

// payfipCheckout validates the cart and returns the order and its idOp.
func (e *env) payfipCheckout() billing.Order {
	e.t.Helper()
	r := e.checkout()
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, e.payfip.PaymentURL()+"?idop=") {
		e.t.Fatalf("checkout: %d %q %s", r.Status, r.Location, r.Body)
	}
	o := e.lastOrder()
	op, ok := e.payfip.Op(o.ProviderRef)
	if !ok || op.Request.Refdet != o.Ref || op.Request.Montant != "765" || op.Request.Numcli != "012345" ||
		!strings.HasSuffix(op.Request.URLNotif, "/malemort-du-comtat/paiement/notification/payfip") ||
		!strings.Contains(op.Request.URLRedirect, "/famille/paiement/retour?ref="+o.Ref) {
		e.t.Fatalf("PayFiP request = %+v", op.Request)
	}
	return o
}

func (e *env) notifyPayFiP(idop, field string) apptest.Response {
	return e.do(http.MethodPost, "/paiement/notification/payfip", url.Values{field: {idop}}, 0)
}

func TestPayFiPRedirectBeforeNotification(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	e.payfip.Finish(o.ProviderRef, "P")
	// The browser comes back first.
	page := e.follow(e.do(http.MethodGet, "/famille/paiement/retour?ref="+o.Ref, nil, e.family), e.family)
	mustContain(t, page.Body, "Le résumé de votre paiement", o.Ref, "Carte bancaire (PayFiP)")
	// Then PayFiP's notification (idOp spelling), twice.
	for _, field := range []string{"idOp", "idop"} {
		if r := e.notifyPayFiP(o.ProviderRef, field); r.Status != http.StatusOK {
			t.Fatalf("notification: %d %s", r.Status, r.Body)
		}
	}
	if e.count(`SELECT COUNT(*) FROM payments`) != 1 || e.count(`SELECT COUNT(*) FROM invoices WHERE status = 'paid'`) != 1 {
		t.Error("not exactly one payment and one invoice")
	}
	var auth string
	e.scalar(`SELECT auth_number FROM payments`, &auth)
	if auth == "" {
		t.Error("no authorisation number")
	}
}

func TestPayFiPInProgressThenExpiryThenLatePayment(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	ctx := context.Background()
	svc := e.h.Service()
	// P5: still running, nothing changes.
	rep, err := svc.Reconcile(ctx, e.db, e.com)
	if err != nil || rep.Pending != 1 {
		t.Fatalf("reconcile while in progress: %+v %v", rep, err)
	}
	e.clock.Advance(31 * time.Minute)
	rep, err = svc.Reconcile(ctx, e.db, e.com)
	if err != nil || rep.Expired != 1 {
		t.Fatalf("reconcile after 31 minutes: %+v %v", rep, err)
	}
	if got := e.lastOrder(); got.Status != billing.OrderExpired || e.cartLines() != 3 {
		t.Fatalf("expired order %s, cart %d", got.Status, e.cartLines())
	}
	page := e.do(http.MethodGet, "/famille/paiement/retour?ref="+o.Ref, nil, e.family)
	mustContain(t, page.Body, "Paiement expiré", "vos demandes restent dans votre panier")
	// The parent had paid anyway: recorded, bookings restored (rules allow).
	e.payfip.Finish(o.ProviderRef, "P")
	if r := e.notifyPayFiP(o.ProviderRef, "idop"); r.Status != http.StatusOK {
		t.Fatalf("late notification: %d %s", r.Status, r.Body)
	}
	got := e.lastOrder()
	if got.Status != billing.OrderPaid || !strings.Contains(got.Outcome, "rétablies") {
		t.Fatalf("late order = %s %q", got.Status, got.Outcome)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != 3 {
		t.Errorf("restored reservations = %d", n)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 0 {
		t.Errorf("credit balance = %d, want 0", bal)
	}
}

func TestLatePaymentCreditedWhenBookingsCannotBeRestored(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	e.clock.Advance(31 * time.Minute)
	ctx := context.Background()
	if _, err := e.h.Service().Reconcile(ctx, e.db, e.com); err != nil {
		t.Fatal(err)
	}
	// The parent empties the cart; then the payment arrives.
	if _, err := e.db.W.Exec(`DELETE FROM cart_lines`); err != nil {
		t.Fatal(err)
	}
	e.payfip.Finish(o.ProviderRef, "P")
	e.notifyPayFiP(o.ProviderRef, "idop")
	if got := e.lastOrder(); got.Status != billing.OrderCredited {
		t.Fatalf("order = %s", got.Status)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 765 {
		t.Errorf("credit = %d, want 765", bal)
	}
	list := e.do(http.MethodGet, "/famille/factures", nil, e.family)
	mustContain(t, list.Body, "Mes avoirs", "7,65")
}

func TestPayFiPMismatchedAmountIsRefusedButTheMoneyIsCredited(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	e.payfip.SetAmount(o.ProviderRef, 100)
	e.payfip.Finish(o.ProviderRef, "P")
	if r := e.notifyPayFiP(o.ProviderRef, "idop"); r.Status != http.StatusConflict {
		t.Fatalf("mismatch: %d", r.Status)
	}
	// Nothing is booked for a payment that does not match its order, but
	// the money the provider captured is not lost: it becomes credit, in
	// the same transaction, and the order's places are released.
	if e.count(`SELECT COUNT(*) FROM reservations`) != 0 || e.count(`SELECT COUNT(*) FROM holds`) != 0 ||
		e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts`) != 0 {
		t.Error("a mismatched payment booked something or kept its places")
	}
	if got := e.lastOrder(); got.Status != billing.OrderCredited || e.count(`SELECT COUNT(*) FROM payments WHERE amount_cents = 100`) != 1 {
		t.Errorf("order %s, payment not recorded", got.Status)
	}
	if bal, _ := billing.CreditBalance(context.Background(), e.db.Reader(), e.family, e.cantine); bal != 100 {
		t.Errorf("credit = %d, want 100", bal)
	}
	if e.count(`SELECT COUNT(*) FROM payment_events WHERE outcome = 'amount_mismatch'`) != 1 {
		t.Error("mismatch not logged")
	}
}

func TestPayFiPFaultsAndReconciliation(t *testing.T) {
	ctx := context.Background()
	t.Run("R3 at creation: nothing validated, clear message", func(t *testing.T) {
		e := newPayFiPCart(t)
		e.payfip.FailWith("create", "R3")
		r := e.checkout()
		if r.Status != http.StatusSeeOther || strings.Contains(r.Location, "idop") {
			t.Fatalf("checkout: %d %s", r.Status, r.Location)
		}
		page := e.follow(r, e.family)
		mustContain(t, page.Body, "momentanément indisponible")
		if e.lastOrder().Status != billing.OrderCancelled || e.cartLines() != 3 {
			t.Error("order not cancelled or cart lost")
		}
	})
	t.Run("R3 on detail: order left pending, error counted", func(t *testing.T) {
		e := newPayFiPCart(t)
		o := e.payfipCheckout()
		e.payfip.FailWith(o.ProviderRef, "R3")
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Errors != 1 || e.lastOrder().Status != billing.OrderPending {
			t.Fatalf("reconcile: %+v %v", rep, err)
		}
	})
	t.Run("P1 purged operation expires after the delay", func(t *testing.T) {
		e := newPayFiPCart(t)
		o := e.payfipCheckout()
		e.payfip.Purge(o.ProviderRef)
		rep, _ := e.h.Service().Reconcile(ctx, e.db, e.com)
		if rep.Pending != 1 {
			t.Fatalf("before the delay: %+v", rep)
		}
		e.clock.Advance(40 * time.Minute)
		rep, _ = e.h.Service().Reconcile(ctx, e.db, e.com)
		if rep.Expired != 1 || e.lastOrder().Status != billing.OrderExpired {
			t.Fatalf("after the delay: %+v", rep)
		}
	})
	t.Run("lost notification found by reconciliation", func(t *testing.T) {
		e := newPayFiPCart(t)
		o := e.payfipCheckout()
		e.payfip.Finish(o.ProviderRef, "P")
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Paid != 1 || e.lastOrder().Status != billing.OrderPaid {
			t.Fatalf("reconcile: %+v %v", rep, err)
		}
		if payfip.FaultCode(nil) != "" {
			t.Fatal("FaultCode(nil)")
		}
	})
}

func TestTwoPaymentsRacingForOneCart(t *testing.T) {
	e := newPayFiPCart(t)
	ctx := context.Background()
	svc := e.h.Service()
	var wg sync.WaitGroup
	outs := make([]billing.Checkout, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	// Both tabs pay; the notifications race too.
	for i := range 2 {
		e.payfip.Finish(outs[i].Order.ProviderRef, "P")
	}
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc.Notify(ctx, e.db, e.com, billing.ProviderPayFiP, outs[i].Order.ProviderRef, billing.SourceNotify)
		}()
	}
	wg.Wait()
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'paid'`); n != 1 {
		t.Errorf("paid orders = %d, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'credited'`); n != 1 {
		t.Errorf("credited orders = %d, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != 3 {
		t.Errorf("reservations = %d, want 3", n)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 765 {
		t.Errorf("credit = %d, want 765 (the second payment)", bal)
	}
}

func TestHostileNotificationsAndReturns(t *testing.T) {
	e := newPayFiPCart(t)
	o := e.payfipCheckout()
	e.payfip.Finish(o.ProviderRef, "P")
	if r := e.notifyPayFiP("FORGED123", "idop"); r.Status != http.StatusNotFound {
		t.Errorf("forged idop: %d", r.Status)
	}
	if r := e.do(http.MethodPost, "/paiement/notification/payfip", url.Values{}, 0); r.Status != http.StatusBadRequest {
		t.Errorf("empty notification: %d", r.Status)
	}
	// Another commune's notification URL with this commune's operation.
	if r := e.do(http.MethodPost, "/beta/paiement/notification/payfip", url.Values{"idop": {o.ProviderRef}}, 0); r.Status != http.StatusNotFound {
		t.Errorf("other commune: %d", r.Status)
	}
	// Another family cannot read or move this order.
	if r := e.do(http.MethodGet, "/famille/paiement/retour?ref="+o.Ref, nil, e.family+100); r.Status != http.StatusNotFound {
		t.Errorf("tampered return: %d", r.Status)
	}
	if r := e.do(http.MethodGet, "/famille/paiement/"+o.Ref, nil, e.family+100); r.Status != http.StatusNotFound {
		t.Errorf("other family's receipt: %d", r.Status)
	}
	if e.count(`SELECT COUNT(*) FROM payments`) != 0 {
		t.Error("a hostile call recorded a payment")
	}
	if e.count(`SELECT COUNT(*) FROM payment_events WHERE outcome = 'unknown_order'`) != 1 {
		t.Error("forged notification not logged")
	}
}
