package billing_test

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/billing"
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
