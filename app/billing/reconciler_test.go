package billing_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/demo"
)

// job is a Reconciler over an env, its passes collected.
type job struct {
	rec  *billing.Reconciler
	mu   sync.Mutex
	reps []billing.PassReport
	stop func()
}

func (j *job) passes() []billing.PassReport {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.reps)
}

// startJob runs the reconciliation job over e's registry, every interval.
func startJob(t *testing.T, e *env, j *job, interval time.Duration) {
	t.Helper()
	j.rec = billing.NewReconciler(billing.ReconcilerOptions{
		Service:  billing.NewService(billing.Options{Now: e.clock.Now, Logger: quiet()}),
		Registry: e.reg, Interval: interval, Logger: quiet(),
		AfterPass: func(r billing.PassReport) { j.mu.Lock(); j.reps = append(j.reps, r); j.mu.Unlock() },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); j.rec.Run(ctx) }()
	j.stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the job did not stop")
		}
	}
	t.Cleanup(j.stop)
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A PayFiP notification that never arrives: serve's job finds the payment
// by itself (no CLI call), after the commune has left the handle cache,
// because creating the order marked the commune; and it expires an order
// whose 30 minutes are over.
func TestReconcilerJobPicksUpLostNotificationAndExpires(t *testing.T) {
	j := &job{}
	e := newEnvWith(t, func(d *billing.Deps) { d.OnPending = func(slug string) { j.rec.MarkPending(slug) } })
	e.usePayFiP()
	startJob(t, e, j, 20*time.Millisecond)
	eventually(t, "the start-up pass", func() bool { return len(j.passes()) > 0 })
	if first := j.passes()[0]; !first.Full || len(first.Communes) != 0 {
		t.Fatalf("start-up pass = %+v, want no commune (no pending order is flagged)", first)
	}

	e.book(e.children[0], 3)
	o := e.payfipCheckout()
	if got := j.rec.Marked(); !slices.Equal(got, []string{demo.Slug}) {
		t.Fatalf("marked = %v after the order", got)
	}
	// Neither commune is open any more; PayFiP has the payment, we have
	// no notification.
	e.reg.Cache().Evict(demo.Slug)
	e.reg.Cache().Evict("beta")
	seen := len(j.passes())
	e.payfip.Finish(o.ProviderRef, "P")
	eventually(t, "the lost payment", func() bool { return e.lastOrder().Status == billing.OrderPaid })
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND order_ref = ?`, o.Ref); n != 3 {
		t.Errorf("validated reservations = %d, want 3", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'payment_receipt'`); n != 1 {
		t.Errorf("receipts = %d, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM payment_events WHERE source = 'reconciliation' AND outcome = 'paid'`); n != 1 {
		t.Errorf("reconciliation events = %d", n)
	}
	eventually(t, "the commune unmarked", func() bool { return len(j.rec.Marked()) == 0 })
	for _, p := range j.passes()[seen:] {
		if p.Full {
			t.Fatal("a periodic pass went over every commune")
		}
	}

	// An order the parent left on the payment page: expired after 30 min.
	e.book(e.children[1], 3)
	o2 := e.payfipCheckout()
	time.Sleep(100 * time.Millisecond) // a few passes: still pending, still marked
	if e.lastOrder().Status != billing.OrderPending || !slices.Contains(j.rec.Marked(), demo.Slug) {
		t.Fatalf("before 30 min: %s, marked %v", e.lastOrder().Status, j.rec.Marked())
	}
	e.clock.Advance(31 * time.Minute)
	eventually(t, "the expiry", func() bool { return e.lastOrder().Status == billing.OrderExpired })
	if e.lastOrder().Ref != o2.Ref || e.cartLines() != 3 {
		t.Errorf("expired %s, cart %d lines: the cart must be kept", e.lastOrder().Ref, e.cartLines())
	}
	// The parent may still pay on PayFiP's page: the commune stays marked
	// while the expired order is watched, then is left alone.
	time.Sleep(100 * time.Millisecond)
	if !slices.Contains(j.rec.Marked(), demo.Slug) {
		t.Errorf("commune unmarked while an expired order is watched")
	}
	e.clock.Advance(billing.LateWatch)
	eventually(t, "the commune unmarked", func() bool { return len(j.rec.Marked()) == 0 })
	j.stop()
}

// Orders left pending by a previous process (nothing marked them in this
// one) are found by the start-up pass, through the registry's flag.
func TestReconcilerStartupPassFindsOrdersOfAPreviousRun(t *testing.T) {
	e := newEnv(t) // no job runs while the order is made
	e.usePayFiP()
	e.book(e.children[0], 3)
	o := e.payfipCheckout()
	e.payfip.Finish(o.ProviderRef, "P")
	e.reg.Cache().Evict(demo.Slug)
	j := &job{}
	startJob(t, e, j, time.Hour) // only the start-up pass runs
	eventually(t, "the start-up pass", func() bool { return len(j.passes()) > 0 })
	if p := j.passes()[0]; p.Paid != 1 || len(p.Broken) != 0 {
		t.Fatalf("start-up pass = %+v", p)
	}
	if e.lastOrder().Status != billing.OrderPaid || len(j.rec.Marked()) != 0 {
		t.Errorf("order %s, marked %v", e.lastOrder().Status, j.rec.Marked())
	}
}

// After the start-up pass, a pass visits the marked communes and the open
// ones only, not the whole node; a commune left with no pending order is
// unmarked.
func TestReconcilerPeriodicPassVisitsMarkedAndOpenCommunesOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := billing.NewReconciler(billing.ReconcilerOptions{Service: billing.NewService(billing.Options{Now: e.clock.Now, Logger: quiet()}),
		Registry: e.reg, Logger: quiet()})
	if p := rec.Pass(ctx, true); len(p.Communes) != 0 {
		t.Fatalf("no pending order anywhere, the start-up pass visited %v", p.Communes)
	}
	e.reg.Cache().Evict("beta")
	e.reg.Cache().Evict(demo.Slug)
	if p := rec.Pass(ctx, false); len(p.Communes) != 0 {
		t.Fatalf("nothing marked nor open, the pass visited %v", p.Communes)
	}
	rec.MarkPending("beta")
	if p := rec.Pass(ctx, false); !slices.Equal(p.Communes, []string{"beta"}) {
		t.Fatalf("beta marked, the pass visited %v", p.Communes)
	}
	if m := rec.Marked(); len(m) != 0 {
		t.Errorf("beta has no pending order but stays marked: %v", m)
	}
	e.reg.Cache().Evict("beta")
	e.do("GET", "/", nil, 0) // a parent opens the demo commune
	if p := rec.Pass(ctx, false); !slices.Equal(p.Communes, []string{demo.Slug}) {
		t.Fatalf("demo commune open, the pass visited %v", p.Communes)
	}
}
