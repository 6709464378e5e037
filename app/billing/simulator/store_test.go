package simulator_test

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/demo"
)

// The simulator's operations on a real commune file: an operation starts
// pending under an id "SIM" + 16 unambiguous characters; its outcome is
// recorded once, with a 6-digit authorisation number when paid only; an
// unknown operation is ErrNotFound.
func TestSimulatorOperationIsFinishedOnce(t *testing.T) {
	env := apptest.New(t)
	db := env.DB(demo.Slug)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tx := func(fn func(tx *sql.Tx) error) error { return db.Tx(ctx, fn) }
	var paid, refused simulator.Operation
	if err := tx(func(tx *sql.Tx) error {
		var err error
		if paid, err = simulator.Create(ctx, tx, "EF1", 765, now); err != nil {
			return err
		}
		refused, err = simulator.Create(ctx, tx, "EF2", 255, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`^SIM[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{16}$`)
	if !id.MatchString(paid.IDOp) || paid.IDOp == refused.IDOp || paid.Status != simulator.Pending {
		t.Fatalf("created %+v and %+v", paid, refused)
	}
	later := now.Add(3 * time.Minute)
	for _, c := range []struct {
		op     simulator.Operation
		status string
	}{{paid, simulator.Paid}, {refused, simulator.Refused}} {
		if err := tx(func(tx *sql.Tx) error { return simulator.Finish(ctx, tx, c.op.IDOp, c.status, later) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(tx *sql.Tx) error { return simulator.Finish(ctx, tx, c.op.IDOp, simulator.Abandoned, later) }); !errors.Is(err, simulator.ErrFinished) {
			t.Errorf("second outcome of %s: %v", c.op.IDOp, err)
		}
	}
	got, err := simulator.Get(ctx, db.Reader(), paid.IDOp)
	if err != nil || got.Status != simulator.Paid || !regexp.MustCompile(`^[0-9]{6}$`).MatchString(got.AuthNumber) ||
		got.AmountCents != 765 || got.OrderRef != "EF1" || !got.CreatedAt.Equal(now) || !got.FinishedAt.Equal(later) {
		t.Errorf("paid operation %+v %v", got, err)
	}
	if got, err := simulator.Get(ctx, db.Reader(), refused.IDOp); err != nil || got.Status != simulator.Refused || got.AuthNumber != "" {
		t.Errorf("refused operation %+v %v", got, err)
	}
	if _, err := simulator.Get(ctx, db.Reader(), "SIMNOPE"); !errors.Is(err, simulator.ErrNotFound) {
		t.Errorf("unknown operation: %v", err)
	}
	if err := tx(func(tx *sql.Tx) error { return simulator.Finish(ctx, tx, "SIMNOPE", simulator.Paid, later) }); !errors.Is(err, simulator.ErrNotFound) {
		t.Errorf("finishing an unknown operation: %v", err)
	}
}
