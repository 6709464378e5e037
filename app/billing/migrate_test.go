package billing_test

import (
	"context"
	"database/sql"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
	"espacefamille/migrations"
	"espacefamille/tenants"
)

// migrateFrom moves the commune file back to version v with goose, runs
// the test's check on it there, then migrates it up again as opening a
// commune does.
func (e *env) migrateFrom(v int64, atV func(db *sql.DB)) {
	e.t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+e.db.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	sub, _ := fs.Sub(migrations.Commune, "commune")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, v); err != nil {
		e.t.Fatal(err)
	}
	atV(db)
	if from, _, err := tenants.CommuneSchema.Migrate(ctx, e.db.Path()); err != nil || from != v {
		e.t.Fatalf("migrate up from %d: %v", from, err)
	}
}

// A family pressed "Valider" (two children, five meals) and the commune
// is taken back to version 00086 (with the day indexes of cart lines and
// holds) then upgraded again (00090 drops them) while the order waits for
// its payment: the holds are intact and the payment books exactly them.
func TestPendingOrderKeepsItsHoldsThroughMigration00090(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	days := e.book(e.children[0], 3)
	e.book(e.children[1], 2)
	out, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil || out.Order.ProviderRef == "" {
		t.Fatalf("Valider: %+v %v", out, err)
	}
	e.migrateFrom(86, func(db *sql.DB) {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'
			AND name IN ('holds_day', 'cart_lines_child_day')`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("at 00086: %d day indexes (%v)", n, err)
		}
	})
	if n := e.count(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('holds_day', 'cart_lines_child_day')`); n != 0 {
		t.Fatalf("%d day indexes left after the migration", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM holds WHERE order_ref = ?`, out.Order.Ref); n != 5 {
		t.Fatalf("%d holds of the pending order after the migration, want 5", n)
	}
	o, err := e.paySimulator(out.Order, simulator.Paid)
	if err != nil || o.Status != billing.OrderPaid {
		t.Fatalf("paid: %s %v", o.Status, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND state = 'validated'`, o.Ref); n != 5 {
		t.Errorf("%d meals booked, want 5", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE child_id = ? AND day IN (?, ?, ?)`, e.children[0], days[0], days[1], days[2]); n != 3 {
		t.Errorf("%d of the first child's 3 days booked", n)
	}
	if n := e.count(`SELECT SUM(booked) FROM slot_counts`); n != 5 {
		t.Errorf("%d places counted, want 5", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM holds`) + e.cartLines(); n != 0 {
		t.Errorf("%d holds or cart lines left after the payment", n)
	}
}
