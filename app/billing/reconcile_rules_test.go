package billing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/demo"
)

// These tests pin what reconciliation reports and does for each answer of
// the provider (issue 17), and the time a payment is recorded at.

// Reconciliation counts each pending order once, by what became of it:
// paid, refused or abandoned (its places given back), still waiting
// before its expiry, expired at its expiry instant.
func TestReconciliationCountsEachOrderByWhatBecameOfIt(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		answer   string        // PayFiP's resultrans ("" = the parent is still on the page)
		after    time.Duration // since the order started
		want     billing.ReconcileReport
		status   string
		released bool
	}{
		{name: "paid", answer: "P", want: billing.ReconcileReport{Checked: 1, Paid: 1}, status: billing.OrderPaid, released: true},
		{name: "refused", answer: "R", want: billing.ReconcileReport{Checked: 1, Failed: 1}, status: billing.OrderRefused, released: true},
		{name: "abandoned", answer: "A", want: billing.ReconcileReport{Checked: 1, Failed: 1}, status: billing.OrderAbandoned, released: true},
		{name: "still paying, a second before expiry", after: billing.OrderTTL - time.Second,
			want: billing.ReconcileReport{Checked: 1, Pending: 1}, status: billing.OrderPending},
		{name: "still paying at the expiry instant: expired", after: billing.OrderTTL,
			want: billing.ReconcileReport{Checked: 1, Expired: 1}, status: billing.OrderExpired, released: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPayFiPCart(t)
			o := e.startCart()
			if c.answer != "" {
				e.payfip.Finish(o.ProviderRef, c.answer)
			}
			e.clock.Set(o.CreatedAt.Add(c.after))
			rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
			if err != nil || rep.Checked != c.want.Checked || rep.Paid != c.want.Paid || rep.Failed != c.want.Failed ||
				rep.Pending != c.want.Pending || rep.Expired != c.want.Expired || rep.Errors != 0 || rep.Broken() {
				t.Fatalf("report %+v %v, want %+v", rep, err, c.want)
			}
			if got := e.orderStatus(o.Ref); got != c.status {
				t.Errorf("order %s, want %s", got, c.status)
			}
			if held := e.count(`SELECT COUNT(*) FROM holds`); (held == 0) != c.released {
				t.Errorf("places held: %d", held)
			}
		})
	}
	t.Run("an order waiting for the parent's choice is not asked about, and expires", func(t *testing.T) {
		e := newEnv(t)
		o := e.choiceOrder()
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		// The other family's order, at the payment page, waits too.
		if err != nil || rep.Checked != 2 || rep.Pending != 2 || rep.Errors != 0 {
			t.Fatalf("before expiry: %+v %v", rep, err)
		}
		e.clock.Set(o.ExpiresAt)
		rep, err = e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Expired != 2 || e.orderStatus(o.Ref) != billing.OrderExpired || e.count(`SELECT COUNT(*) FROM holds`) != 0 {
			t.Fatalf("at expiry: %+v %v, order %s", rep, err, e.orderStatus(o.Ref))
		}
	})
}

// An order closed without payment lately is asked about again: a payment
// of another amount found there is credited (not an error of the pass),
// and a provider that cannot answer is a problem naming the order.
func TestReconciliationOfOrdersClosedLately(t *testing.T) {
	ctx := context.Background()
	expired := func(t *testing.T) (*env, billing.Order) {
		e := newPayFiPCart(t)
		o := e.startCart()
		e.clock.Advance(billing.OrderTTL)
		if rep, err := e.h.Service().Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
			t.Fatalf("expiry: %+v %v", rep, err)
		}
		return e, o
	}
	t.Run("paid another amount after expiry: credited, counted paid", func(t *testing.T) {
		e, o := expired(t)
		e.payfip.SetAmount(o.ProviderRef, 500)
		e.payfip.Finish(o.ProviderRef, "P")
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Watched != 1 || rep.Paid != 1 || rep.Errors != 0 {
			t.Fatalf("report %+v %v", rep, err)
		}
		if e.orderStatus(o.Ref) != billing.OrderCredited || e.balance() != 500 {
			t.Errorf("order %s, avoir %d", e.orderStatus(o.Ref), e.balance())
		}
	})
	t.Run("still unpaid after expiry: watched, nothing counted", func(t *testing.T) {
		e, o := expired(t)
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Watched != 1 || rep.Paid != 0 || rep.Errors != 0 || e.orderStatus(o.Ref) != billing.OrderExpired {
			t.Fatalf("report %+v %v", rep, err)
		}
	})
	t.Run("provider failing about it: a problem naming the order", func(t *testing.T) {
		e, o := expired(t)
		e.payfip.FailWith(o.ProviderRef, "R3")
		rep, err := e.h.Service().Reconcile(ctx, e.db, e.com)
		if err != nil || rep.Watched != 1 || rep.Errors != 1 || !rep.Broken() || len(rep.Problems) != 1 ||
			!strings.HasPrefix(rep.Problems[0], o.Ref+": ") {
			t.Fatalf("report %+v %v", rep, err)
		}
	})
}

// A payment is recorded at the time the provider says it was made, or at
// the time it is applied when the provider does not say.
func TestPaymentIsRecordedAtTheProvidersTime(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		paidAt func(now time.Time) time.Time
		want   func(now time.Time) time.Time
	}{
		{"time given by the provider", func(now time.Time) time.Time { return now.Add(-5 * time.Minute) },
			func(now time.Time) time.Time { return now.Add(-5 * time.Minute) }},
		{"no time given: the time it is applied", func(time.Time) time.Time { return time.Time{} },
			func(now time.Time) time.Time { return now }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPayFiPCart(t)
			o := e.startCart()
			e.clock.Advance(10 * time.Minute)
			now := e.clock.Now()
			if _, err := e.h.Service().Apply(ctx, e.db, e.com, o.ID, billing.Result{Status: billing.StatusPaid, AmountCents: o.AmountCents,
				PaidAt: c.paidAt(now)}, billing.SourceNotify); err != nil {
				t.Fatal(err)
			}
			inv, err := billing.FamilyInvoices(ctx, e.db.Reader(), e.family)
			if err != nil || len(inv) != 1 {
				t.Fatalf("invoices %+v %v", inv, err)
			}
			if want := c.want(now); !inv[0].PaidAt.Equal(want) {
				t.Errorf("invoice paid at %s, want %s", inv[0].PaidAt, want)
			}
			var n int
			e.Scan(demo.Slug, `SELECT COUNT(*) FROM payments WHERE order_id = ?`, []any{o.ID}, &n)
			if n != 1 {
				t.Errorf("payments = %d", n)
			}
		})
	}
}
