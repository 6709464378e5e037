package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
)

// These tests pin how a provider's answer is applied (apply.go, issue 17).

// A parent back from the payment page after the order closed without
// payment (expired, or replaced by a newer "Valider") is asked about
// again for LateWatch after the closing, not a second longer: a payment
// made meanwhile is then applied (the order leaves "expiré"); a refused
// order is not asked about again.
func TestReturnPageAsksAboutAClosedOrderDuringTheLateWatchOnly(t *testing.T) {
	for _, c := range []struct {
		name    string
		how     string        // how the order closed
		after   time.Duration // since it closed, when the parent comes back
		applied bool
	}{
		{"expired, back a second before the watch ends: the payment is applied", "expired", billing.LateWatch - time.Second, true},
		{"expired, back when the watch ends: not asked any more", "expired", billing.LateWatch, false},
		{"replaced, back within the watch: the payment is applied", "replaced", time.Minute, true},
		{"refused by the bank: never asked again", "refused", time.Minute, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			o := e.lateCart(c.how)
			closed := e.orderOf(o.Ref)
			e.payfip.Finish(o.ProviderRef, "P") // the parent paid after all
			e.clock.Set(closed.ClosedAt.Add(c.after))
			e.returnPage(o)
			got := e.orderOf(o.Ref)
			if applied := got.Status != closed.Status; applied != c.applied {
				t.Fatalf("order %s → %s (%q); want the payment applied: %v", closed.Status, got.Status, got.Outcome, c.applied)
			}
			if n := e.count(`SELECT COUNT(*) FROM payments WHERE order_id = ?`, o.ID); (n == 1) != c.applied {
				t.Errorf("%d payment(s) recorded", n)
			}
		})
	}
}

// orderOf reads the family's order as stored now.
func (e *env) orderOf(ref string) billing.Order {
	e.t.Helper()
	o, err := billing.OrderByRef(context.Background(), e.db.Reader(), e.family, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// An answer about an order that is no longer waiting for its payment: a
// refusal or an abandon changes nothing (the order keeps its status and
// outcome), and is recorded.
func TestRefusalAboutAClosedOrderChangesNothing(t *testing.T) {
	for _, answer := range []string{"R", "A"} {
		t.Run(answer, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			o := e.lateCart("expired")
			e.payfip.Finish(o.ProviderRef, answer)
			got, err := e.h.Service().Notify(context.Background(), e.db, e.com, billing.ProviderPayFiP, o.ProviderRef, billing.SourceNotify)
			if err != nil || got.Status != billing.OrderExpired || got.Outcome != "délai de paiement dépassé" {
				t.Fatalf("answer %s after expiry: %s %q %v", answer, got.Status, got.Outcome, err)
			}
			if s := e.orderOf(o.Ref); s.Status != billing.OrderExpired {
				t.Errorf("stored order %s", s.Status)
			}
			if n := e.count(`SELECT COUNT(*) FROM payment_events WHERE order_id = ? AND outcome IN ('refused', 'abandoned')`, o.ID); n != 1 {
				t.Errorf("%d answer(s) recorded, want 1", n)
			}
		})
	}
}

// Reconciliation asks again about an order that expired lately: paid
// after all for the right amount, what it paid for is booked again and
// the pass counts it paid.
func TestReconciliationRestoresAnExpiredOrderPaidAfterAll(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	o := e.lateCart("expired")
	e.payfip.Finish(o.ProviderRef, "P")
	rep, err := e.h.Service().Reconcile(context.Background(), e.db, e.com)
	if err != nil || rep.Watched != 1 || rep.Paid != 1 || rep.Errors != 0 {
		t.Fatalf("report %+v %v", rep, err)
	}
	if got := e.orderOf(o.Ref); got.Status != billing.OrderPaid || got.Outcome != "paiement tardif, réservations rétablies" {
		t.Fatalf("order %s %q", got.Status, got.Outcome)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND state = 'validated'`, o.Ref); n != 2 {
		t.Errorf("%d day(s) booked again, want 2", n)
	}
}

// The simulator's card form: a second submission of a finished operation
// keeps the operation's first outcome (the order stays as the first one
// left it), and an operation that belongs to no order is refused and
// recorded, changing nothing.
func TestSimulatorCardFormOutcomes(t *testing.T) {
	ctx := context.Background()
	t.Run("refused, then submitted again as paid: stays refused", func(t *testing.T) {
		e := newEnv(t)
		e.book(e.children[0], 1)
		out, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
		if err != nil || out.Order.ProviderRef == "" {
			t.Fatalf("start %+v %v", out, err)
		}
		svc := e.h.Service()
		if o, err := svc.SimulatorOutcome(ctx, e.db, e.com, out.Order.ProviderRef, simulator.Refused); err != nil || o.Status != billing.OrderRefused {
			t.Fatalf("refused: %s %v", o.Status, err)
		}
		o, err := svc.SimulatorOutcome(ctx, e.db, e.com, out.Order.ProviderRef, simulator.Paid)
		if err != nil || o.Status != billing.OrderRefused || e.count(`SELECT COUNT(*) FROM payments`) != 0 {
			t.Fatalf("submitted again: %s %v, %d payment(s)", o.Status, err, e.count(`SELECT COUNT(*) FROM payments`))
		}
	})
	t.Run("an operation without order: refused and recorded", func(t *testing.T) {
		e := newEnv(t)
		var op simulator.Operation
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			op, err = simulator.Create(ctx, tx, "EF-NOWHERE", 255, e.clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := e.h.Service().SimulatorOutcome(ctx, e.db, e.com, op.IDOp, simulator.Paid)
		if !errors.Is(err, billing.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		if e.count(`SELECT COUNT(*) FROM payment_events WHERE outcome = 'unknown_order' AND provider_ref = ?`, op.IDOp) != 1 ||
			e.count(`SELECT COUNT(*) FROM payments`) != 0 {
			t.Error("the unknown operation was not recorded, or was paid")
		}
	})
}
