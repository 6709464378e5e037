package billing_test

import (
	"slices"
	"sync"
	"testing"

	"espacefamille/app/billing"
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
