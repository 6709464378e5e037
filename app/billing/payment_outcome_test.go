package billing_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/demo"
)

// TestPaymentOutcomesAreReportedAfterCommit: each provider answer applied
// to an order is told to Deps.OnPayment (the metrics' payments by
// outcome): a paid card, a refused card, an abandon.
func TestPaymentOutcomesAreReportedAfterCommit(t *testing.T) {
	for _, tc := range []struct {
		name, card string
		abandon    bool
		want       string
	}{
		{"paid card", "4242 4242 4242 4242", false, "paid"},
		{"refused card", "4000 0000 0000 0002", false, "refused"},
		{"abandon button", "", true, "abandoned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			e := newEnvWith(t, func(d *billing.Deps) {
				d.OnPayment = func(outcome string) { mu.Lock(); got = append(got, outcome); mu.Unlock() }
			})
			e.book(e.children[0], 3) // payWithSimulator expects three meals (7,65 €)
			e.payWithSimulator(tc.card, tc.abandon)
			mu.Lock()
			defer mu.Unlock()
			if !slices.Contains(got, tc.want) {
				t.Fatalf("outcomes reported = %v, want %q among them", got, tc.want)
			}
		})
	}
}

// TestMailSenderIsWokenForTheReceiptOrTheFailureNotice: a payment's
// outcome that queued an email (the receipt of a paid card, the notice of
// a refused card or an abandon) wakes the mail sender once committed, so
// the family hears of it at once rather than at the sender's next pass.
func TestMailSenderIsWokenForTheReceiptOrTheFailureNotice(t *testing.T) {
	for _, tc := range []struct {
		name, card string
		abandon    bool
		kind       string // the email queued
	}{
		{"paid card", "4242 4242 4242 4242", false, "payment_receipt"},
		{"refused card", "4000 0000 0000 0002", false, "payment_failed"},
		{"abandon button", "", true, "payment_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var woken []string
			e := newEnvWith(t, func(d *billing.Deps) {
				d.Notify = func(source string) { mu.Lock(); woken = append(woken, source); mu.Unlock() }
			})
			e.book(e.children[0], 3)
			r := e.checkout()
			mu.Lock()
			before := len(woken)
			mu.Unlock()
			if before != 0 || r.Status != http.StatusSeeOther {
				t.Fatalf("checkout %d woke the sender %d times before any email", r.Status, before)
			}
			e.payWithSimulatorAt(r, tc.card, tc.abandon)
			if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = ?`, tc.kind); n == 0 {
				t.Fatalf("no %s email queued", tc.kind)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Contains(woken, demo.Slug) {
				t.Fatalf("sender woken for %v, want %q", woken, demo.Slug)
			}
		})
	}
}
