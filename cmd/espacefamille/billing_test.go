package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/payfip/payfiptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// demoOrder creates the demo commune in data and starts the payment of
// one meal in FAMILLE X's cart; setup (nil: none) adjusts the prepaid
// régie first. The registry is closed when it returns.
func demoOrder(t *testing.T, data string, setup func(ctx context.Context, db *tenants.DB, regie int64) error) billing.Order {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 4, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := demo.Ensure(ctx, reg, time.Now()); err != nil {
		t.Fatal(err)
	}
	com, _ := reg.Commune(ctx, demo.Slug)
	var order billing.Order
	err = reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		var fam, child, regie, prest int64
		for q, dst := range map[string]*int64{
			`SELECT id FROM families WHERE name = 'FAMILLE X'`:                 &fam,
			`SELECT id FROM children ORDER BY id LIMIT 1`:                      &child,
			`SELECT id FROM regies WHERE mode = 'prepaid'`:                     &regie,
			`SELECT id FROM prestations WHERE name = 'REPAS CLASSIQUE ENFANT'`: &prest,
		} {
			if err := db.Reader().QueryRowContext(context.Background(), q).Scan(dst); err != nil {
				return err
			}
		}
		if setup != nil {
			if err := setup(ctx, db, regie); err != nil {
				return err
			}
		}
		booked := false
		for d := calendar.Today(time.Now()); !booked && d.Before(calendar.Today(time.Now()).AddDays(120)); d = d.AddDays(1) {
			_, err := booking.ToggleCell(ctx, db, booking.Click{FamilyID: fam, RegieID: regie, ChildID: child,
				PrestationID: prest, Day: d, Intent: booking.IntentBook}, time.Now())
			booked = err == nil
		}
		out, err := billing.NewService(billing.Options{Logger: quiet}).StartCart(ctx, db, com, fam, regie, "")
		order = out.Order
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return order
}

// Issue 9 §1: `billing reconcile` exits non-zero when an order could not
// be reconciled (here: PayFiP does not answer), naming the order; and
// `billing run` refuses a month that has not ended.
func TestBillingCommandsFailLoudly(t *testing.T) {
	data := t.TempDir()
	fake := payfiptest.New()
	order := demoOrder(t, data, func(ctx context.Context, db *tenants.DB, regie int64) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			return booking.SetPaymentProvider(ctx, tx, regie, billing.ProviderPayFiP, booking.PaymentSettings{Numcli: "012345", Saisie: "T",
				Endpoint: fake.Endpoint(), PaymentURL: fake.PaymentURL()})
		})
	})
	ref := order.Ref
	fake.Close() // PayFiP stops answering

	code, stdout, stderr := cli(t, nil, "billing", "reconcile", "--data", data, "--commune", demo.Slug)
	if code == 0 || !strings.Contains(stderr, ref) || !strings.Contains(stdout, "1 errors") {
		t.Errorf("reconcile with an unreachable provider: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	month := time.Now().Format("2006-01")
	code, _, stderr = cli(t, nil, "billing", "run", "--data", data, "--commune", demo.Slug, "--month", month)
	if code == 0 || !strings.Contains(stderr, "has not ended") {
		t.Errorf("billing run for the current month: exit %d: %s", code, stderr)
	}
}
