package booking_test

import (
	"context"
	"database/sql"
	"testing"

	"espacefamille/app/booking"
)

// hold is "Valider" for order ref: the family's cart held in one transaction.
func (f *fixture) hold(fam, regie int64, ref string) booking.CartCheck {
	f.T.Helper()
	var check booking.CartCheck
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		check, err = booking.HoldCart(ctx, f.db, tx, fam, regie, ref, f.Clock.Now())
		return err
	}); err != nil {
		f.T.Fatal(err)
	}
	return check
}

// confirm is the payment of order ref: its holds become bookings.
func (f *fixture) confirm(fam int64, ref string) (booking.ConfirmResult, error) {
	var res booking.ConfirmResult
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = booking.ConfirmHolds(ctx, tx, fam, ref, f.Clock.Now())
		return err
	})
	return res, err
}

func (f *fixture) release(ref string) int {
	f.T.Helper()
	var n int
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = booking.ReleaseHolds(ctx, tx, ref)
		return err
	}); err != nil {
		f.T.Fatal(err)
	}
	return n
}

func (f *fixture) places(prestation int64) int {
	f.T.Helper()
	return f.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ?`, prestation)
}

func TestHoldTakesThePlaceAtValiderAndPaymentBooksIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03", "2026-12-04")
	check := f.hold(f.fam, f.cantine, "A")
	if len(check.Lines) != 2 || len(check.Removed) != 0 || check.TotalCents != 2*255 || f.places(f.classique) != 2 {
		t.Fatalf("hold: %+v, places %d", check, f.places(f.classique))
	}
	// The parent empties the cart while paying: what was paid is booked.
	f.exec(`DELETE FROM cart_lines`)
	res, err := f.confirm(f.fam, "A")
	if err != nil || len(res.Confirmed) != 2 || res.TotalCents != 510 || len(res.Rejected) != 0 {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if f.places(f.classique) != 2 || f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND order_ref = 'A'`) != 2 ||
		f.count(`SELECT COUNT(*) FROM holds`) != 0 {
		t.Error("held places not turned into exactly their bookings")
	}
	// Confirming again books nothing more.
	if again, err := f.confirm(f.fam, "A"); err != nil || len(again.Confirmed) != 0 {
		t.Errorf("second confirm: %+v %v", again, err)
	}
}

func TestHeldMealIsRefusedToAnotherOrderOfTheSameChild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		second     func(f *fixture) int64 // the prestation the second order asks for
		wantReason string
	}{
		{"same meal, same day", func(f *fixture) int64 { return f.classique }, "déjà en cours de paiement"},
		{"other meal of the exclusive group, same day", func(f *fixture) int64 {
			// The cart's vegetarian meal replaces the classic demande.
			f.click(f.vegetarien, "2026-12-03")
			return f.vegetarien
		}, "déjà en cours de paiement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.click(f.classique, "2026-12-03")
			f.hold(f.fam, f.cantine, "A")
			p := tc.second(f)
			check := f.hold(f.fam, f.cantine, "B")
			if len(check.Lines) != 0 || len(check.Removed) != 1 || check.Removed[0].Reason != tc.wantReason || check.Removed[0].Line.PrestationID != p {
				t.Fatalf("second hold: %+v", check)
			}
			if f.count(`SELECT COUNT(*) FROM holds WHERE order_ref = 'B'`) != 0 {
				t.Error("the second order holds something")
			}
		})
	}
}

func TestReplacementThroughHeldCancellation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.paid("A", f.classique, "2026-12-03")
	// Vegetarian instead: the classic's cancellation and the new demande.
	f.click(f.vegetarien, "2026-12-03")
	check := f.hold(f.fam, f.cantine, "B")
	if len(check.Lines) != 2 || check.TotalCents != 0 || f.places(f.classique) != 1 || f.places(f.vegetarien) != 1 {
		t.Fatalf("hold: %+v, places %d/%d", check, f.places(f.classique), f.places(f.vegetarien))
	}
	res, err := f.confirm(f.fam, "B")
	if err != nil || len(res.Confirmed) != 2 || res.TotalCents != 0 {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if f.places(f.classique) != 0 || f.places(f.vegetarien) != 1 ||
		f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'cancelled' AND cancel_order_ref = 'B'`) != 1 {
		t.Error("replacement not applied")
	}
}

func TestHeldCancellationOfAReservationCancelledMeanwhileIsRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03")
	f.hold(f.fam, f.cantine, "A")
	f.confirm(f.fam, "A")
	f.click(f.classique, "2026-12-03") // ask to cancel
	if check := f.hold(f.fam, f.cantine, "B"); check.TotalCents != -255 {
		t.Fatalf("hold: %+v", check)
	}
	// The mairie closes the day before the payment settles.
	id := f.id(`SELECT id FROM reservations WHERE state = 'validated'`)
	if err := f.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return booking.CancelReservation(context.Background(), tx, id, "", f.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	res, err := f.confirm(f.fam, "B")
	if err != nil || len(res.Confirmed) != 0 || len(res.Rejected) != 1 || res.Rejected[0].Reason != "réservation déjà annulée" || res.TotalCents != 0 {
		t.Fatalf("confirm: %+v %v", res, err)
	}
}

func TestReleaseGivesPlacesBackOnceAndKeepsTheCart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03", "2026-12-04")
	f.hold(f.fam, f.cantine, "A")
	if n := f.release("A"); n != 2 || f.places(f.classique) != 0 {
		t.Fatalf("release: %d, places %d", n, f.places(f.classique))
	}
	if n := f.release("A"); n != 0 || f.places(f.classique) != 0 {
		t.Fatalf("second release: %d, places %d", n, f.places(f.classique))
	}
	if f.count(`SELECT COUNT(*) FROM cart_lines`) != 2 {
		t.Error("the cart lost its lines")
	}
	if res, err := f.confirm(f.fam, "A"); err != nil || len(res.Confirmed) != 0 {
		t.Errorf("a released order booked %+v %v", res, err)
	}
}

func TestHeldMealBookedMeanwhileByAPathIgnoringHoldsIsRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03")
	f.hold(f.fam, f.cantine, "A")
	f.exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, 1, '2026-12-03', 'validated', 255, 'x', 'x')`, f.fam, f.fille, f.classique, f.cantine)
	res, err := f.confirm(f.fam, "A")
	if err != nil || len(res.Confirmed) != 0 || len(res.Rejected) != 1 || res.Rejected[0].Reason != "déjà réservé" {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if f.places(f.classique) != 0 {
		t.Errorf("the rejected hold kept its place: %d", f.places(f.classique))
	}
}

func TestHoldsOfAnotherFamilyAreNotConfirmed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03")
	f.hold(f.fam, f.cantine, "A")
	if _, err := f.confirm(f.fam+1, "A"); err == nil {
		t.Fatal("another family's payment confirmed these holds")
	}
	if f.count(`SELECT COUNT(*) FROM reservations`) != 0 || f.count(`SELECT COUNT(*) FROM holds`) != 1 {
		t.Error("something changed")
	}
}
