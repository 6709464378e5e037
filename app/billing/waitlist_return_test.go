package billing_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// A place freed from a full day is offered to FAMILLE X, first on the
// waiting list; the family books it and validates, then the payment is
// abandoned, or the order expires: the place goes back to the family's
// offer until the offer's own expiry (as a parent would expect), not to
// the next in line; once the offer's time is over, it goes to the next in
// line.
func TestAPlaceOfferedThenHeldByAnUnpaidOrderGoesBackToTheOffer(t *testing.T) {
	for _, c := range []struct {
		name          string
		end           string // how the order ends without payment
		after         time.Duration
		wantX, wantC  string
		validateAgain bool
	}{
		{name: "payment abandoned: the offer is the family's again, and Valider holds it again", end: "abandoned",
			wantX: booking.WaitOffered, wantC: booking.WaitWaiting, validateAgain: true},
		{name: "order expired within the offer's time: back to the offer", end: "expired", after: billing.OrderTTL + time.Minute,
			wantX: booking.WaitOffered, wantC: booking.WaitWaiting},
		{name: "order expired after the offer's time: the next in line is offered the place", end: "expired", after: 5 * time.Hour,
			wantX: booking.WaitExpired, wantC: booking.WaitOffered},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			ctx := context.Background()
			svc := e.h.Service()
			meal := e.prestations["REPAS CLASSIQUE ENFANT"]
			e.setCapacity(1)
			fams := e.addFamilies(2) // A books the only place; C will wait behind X
			var day calendar.Date
			e.scalar(`SELECT day FROM cart_lines WHERE family_id = ?`, &day, fams[0])
			a, err := svc.StartCart(ctx, e.db, e.com, fams[0], e.cantine, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := e.payOnPayFiP(a.Order); err != nil || got.Status != billing.OrderPaid {
				t.Fatalf("A paid: %s %v", got.Status, err)
			}
			e.Exec(demo.Slug, `DELETE FROM cart_lines WHERE family_id = ?`, fams[1])
			var childC int64
			e.scalar(`SELECT id FROM children WHERE family_id = ?`, &childC, fams[1])
			for _, w := range []booking.Click{{FamilyID: e.family, ChildID: e.children[0]}, {FamilyID: fams[1], ChildID: childC}} {
				w.RegieID, w.PrestationID, w.Day = e.cantine, meal, day
				if _, err := booking.JoinWaitlist(ctx, e.db, w, e.clock.Now()); err != nil {
					t.Fatalf("join: %v", err)
				}
			}
			// A cancels: X is offered the place and mailed.
			var res int64
			e.scalar(`SELECT id FROM reservations WHERE family_id = ?`, &res, fams[0])
			if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return booking.CancelReservation(ctx, tx, res, "", e.clock.Now()) }); err != nil {
				t.Fatal(err)
			}
			link := func(p string) string { return "http://ef.test" + p }
			if _, err := booking.SendOffers(ctx, e.db, e.reg.Platform().Reader(), e.com, link, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			state := func(child int64) string {
				var s string
				e.scalar(`SELECT state FROM waitlist WHERE child_id = ? ORDER BY id DESC LIMIT 1`, &s, child)
				return s
			}
			if s := state(e.children[0]); s != booking.WaitOffered {
				t.Fatalf("X's entry %q, want offered", s)
			}
			// X books the offered place and validates: the order holds it.
			if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: e.children[0],
				PrestationID: meal, Day: day, Intent: booking.IntentBook}, e.clock.Now()); err != nil {
				t.Fatalf("X books the offered place: %v", err)
			}
			o := e.startCart()
			if s := state(e.children[0]); s != booking.WaitBooked {
				t.Fatalf("X's entry %q once held, want booked", s)
			}
			switch c.end {
			case "abandoned":
				e.payfip.Finish(o.ProviderRef, "A")
				if got, err := svc.Notify(ctx, e.db, e.com, billing.ProviderPayFiP, o.ProviderRef, billing.SourceNotify); err != nil || got.Status != billing.OrderAbandoned {
					t.Fatalf("abandoned: %s %v", got.Status, err)
				}
				// The payment-failed email says the offered place is still the family's.
				var first, until string
				e.scalar(`SELECT first_name FROM children WHERE id = ?`, &first, e.children[0])
				e.scalar(`SELECT offered_until FROM waitlist WHERE child_id = ? ORDER BY id DESC LIMIT 1`, &until, e.children[0])
				end, err := tenants.ParseTime(until)
				if err != nil {
					t.Fatal(err)
				}
				end = end.In(calendar.Paris())
				want := "La place proposée pour " + first + " le " + day.FR()[:5] + " reste réservée pour vous jusqu'au " +
					end.Format("02/01/2006 à 15:04") + " : vous pouvez la valider à nouveau dans Mes réservations."
				var failed []string
				for _, m := range e.SendMail(t, demo.Slug) {
					if strings.HasPrefix(m.Subject, "Paiement ") {
						failed = append(failed, strings.Join(strings.Fields(m.Text), " "))
					}
				}
				// ... and does not say every held place was freed.
				if len(failed) == 1 && !strings.Contains(failed[0], "sont libérées, sauf les places proposées par la liste d'attente, gardées pour vous") {
					t.Errorf("the notice says every held place was freed:\n%s", failed[0])
				}
				if len(failed) != 1 || !strings.Contains(failed[0], want) {
					t.Fatalf("%d payment notice(s), want 1 saying %q; got:\n%q", len(failed), want, failed)
				}
			case "expired":
				e.clock.Advance(c.after)
				if rep, err := svc.Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
					t.Fatalf("reconcile: %+v %v", rep, err)
				}
			}
			if x, cc := state(e.children[0]), state(childC); x != c.wantX || cc != c.wantC {
				t.Fatalf("after the order ended: X %q, C %q; want %q, %q", x, cc, c.wantX, c.wantC)
			}
			if n := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, meal, day); n != 1 {
				t.Fatalf("places counted %d, want the one place, kept for whoever has the offer", n)
			}
			if c.validateAgain {
				again := e.startCart()
				if len(again.Refused()) != 0 || state(e.children[0]) != booking.WaitBooked {
					t.Fatalf("Valider again: refused %+v, X %q", again.Refused(), state(e.children[0]))
				}
			}
		})
	}
}

// The only place of a day is held by an order that expires in the
// background (the reconciliation): the place is offered to the first in
// line and the offer's email is in the outbox when the reconciliation
// returns, written with the expiry, not at the next housekeeping pass.
func TestPlaceFreedByAnExpiredOrderIsOfferedAndMailedAtOnce(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	svc := e.h.Service()
	meal := e.prestations["REPAS CLASSIQUE ENFANT"]
	e.setCapacity(1)
	a := e.addFamilies(1)[0]
	var day calendar.Date
	e.scalar(`SELECT day FROM cart_lines WHERE family_id = ?`, &day, a)
	if _, err := svc.StartCart(ctx, e.db, e.com, a, e.cantine, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := booking.JoinWaitlist(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: e.children[0],
		PrestationID: meal, Day: day}, e.clock.Now()); err != nil {
		t.Fatalf("join: %v", err)
	}
	e.clock.Advance(billing.OrderTTL + time.Minute)
	if rep, err := svc.Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	var state string
	var mailed sql.NullString
	e.scalar(`SELECT state FROM waitlist WHERE child_id = ?`, &state, e.children[0])
	e.scalar(`SELECT mailed_at FROM waitlist WHERE child_id = ?`, &mailed, e.children[0])
	if state != booking.WaitOffered || !mailed.Valid {
		t.Fatalf("X's entry %q, mailed %v: want offered and mailed", state, mailed)
	}
	var n int
	var text string
	e.Scan(demo.Slug, `SELECT COUNT(*), COALESCE(MAX(text_body), '') FROM outbox WHERE kind = 'waitlist_offer'`, nil, &n, &text)
	if n == 0 || !strings.Contains(text, "http://ef.test/"+demo.Slug+"/famille/reservations?regie=") {
		t.Fatalf("%d offer email(s) in the outbox; text:\n%s", n, text)
	}
}
