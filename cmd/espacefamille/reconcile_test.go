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
	"espacefamille/app/billing/simulator"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// A payment whose notification never came (the parent paid on the
// simulator's page, then the process stopped): `serve` finds it by itself
// at start-up, with no `billing reconcile`, and stops its job gracefully.
func TestServeReconcilesLostPayments(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ref := demoOrder(t, data, nil).Ref
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 4, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	err = reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			var idOp string
			if err := tx.QueryRow(`SELECT provider_ref FROM orders WHERE ref = ?`, ref).Scan(&idOp); err != nil {
				return err
			}
			return simulator.Finish(ctx, tx, idOp, simulator.Paid, time.Now())
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	status := func() string {
		var s string
		reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
			return db.Reader().QueryRowContext(context.Background(), `SELECT status FROM orders WHERE ref = ?`, ref).Scan(&s)
		})
		return s
	}
	if s := status(); s != billing.OrderPending {
		t.Fatalf("order %s before serve", s)
	}
	reg.Close()

	sctx, cancel := context.WithCancel(ctx)
	out, errs := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, out, errs, func(string) string { return "" })
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit code %d:\n%s", code, errs.String())
		}
		for _, want := range []string{"reconciliation job started", "reconciliation job stopped", "paid=1"} {
			if !strings.Contains(errs.String(), want) {
				t.Errorf("logs miss %q:\n%s", want, errs.String())
			}
		}
	}()
	reg, err = tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 4, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for deadline := time.Now().Add(15 * time.Second); status() != billing.OrderPaid; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("order still %s:\n%s", status(), errs.String())
		}
	}
}
