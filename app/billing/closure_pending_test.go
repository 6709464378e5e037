package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A day closed while an order waits for its payment: the closure wins
// (the commune cannot serve the meal). Creating the closure gives the
// held place back at once; when the payment arrives, that day is not
// booked and its amount becomes the family's avoir in the payment's own
// transaction; the receipt page and email list it as not booked, with
// the reason ("fermé le 07/01 : 2,55 € en avoir").
func TestClosureWinsOverAnOrderWaitingForItsPayment(t *testing.T) {
	type scope struct{ whole, meal, otherMeal, school, otherSchool bool }
	for _, c := range []struct {
		name    string
		meals   int
		closed  scope
		blocked bool // the closed day is not booked
		status  string
	}{
		{name: "whole commune closed on one of two days: that day is avoir, the other booked", meals: 2,
			closed: scope{whole: true}, blocked: true, status: billing.OrderPaid},
		{name: "the canteen meal closed (a strike): that day is avoir", meals: 2,
			closed: scope{meal: true}, blocked: true, status: billing.OrderPaid},
		{name: "the child's school closed: that day is avoir", meals: 2,
			closed: scope{school: true}, blocked: true, status: billing.OrderPaid},
		{name: "the canteen meal at the child's school closed: that day is avoir", meals: 2,
			closed: scope{meal: true, school: true}, blocked: true, status: billing.OrderPaid},
		{name: "the only day ordered closed: nothing booked, the whole payment is avoir", meals: 1,
			closed: scope{whole: true}, blocked: true, status: billing.OrderCredited},
		{name: "another prestation closed: both days booked", meals: 2,
			closed: scope{otherMeal: true}, status: billing.OrderPaid},
		{name: "another school closed: both days booked", meals: 2,
			closed: scope{otherSchool: true}, status: billing.OrderPaid},
		{name: "the canteen meal closed at another school only: both days booked", meals: 2,
			closed: scope{meal: true, otherSchool: true}, status: billing.OrderPaid},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			ctx := context.Background()
			meal := e.prestations["REPAS CLASSIQUE ENFANT"]
			days := e.book(e.children[0], c.meals)
			o := e.startCart()
			day := days[0]
			sc := calendar.ScopedClosure{Date: day, Reason: "Grève"}
			var school int64
			e.scalar(`SELECT school_id FROM children WHERE id = ?`, &school, e.children[0])
			if c.closed.meal {
				sc.Prestations = append(sc.Prestations, meal)
			}
			if c.closed.otherMeal {
				sc.Prestations = append(sc.Prestations, e.prestations["GARDERIE MATIN ET SOIR"])
			}
			if c.closed.school {
				sc.Schools = append(sc.Schools, school)
			}
			if c.closed.otherSchool {
				if _, err := e.db.W.Exec(`INSERT INTO schools (name) VALUES ('École du Moulin')`); err != nil {
					t.Fatal(err)
				}
				var other int64
				e.scalar(`SELECT id FROM schools WHERE name = 'École du Moulin'`, &other)
				sc.Schools = append(sc.Schools, other)
			}
			pending, err := booking.PendingOrdersOn(ctx, e.db.Reader(), sc)
			if want := map[bool]int{true: 1, false: 0}[c.blocked]; err != nil || pending != want {
				t.Errorf("pending orders the closure concerns = %d %v, want %d", pending, err, want)
			}
			if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
				if c.closed.whole {
					return booking.AddClosure(ctx, tx, day, sc.Reason, e.clock.Now())
				}
				_, err := booking.AddPartialClosure(ctx, tx, sc, e.clock.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// The closure gives the place back at once, before any payment.
			placesLeft := map[bool]int{true: 0, false: 1}[c.blocked]
			if n := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, meal, day); n != placesLeft {
				t.Errorf("places counted on the closed day after the closure = %d, want %d", n, placesLeft)
			}

			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != c.status {
				t.Fatalf("paid: %s %q %v, want %s", got.Status, got.Outcome, err, c.status)
			}
			booked := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND day = ? AND state = 'validated'`, o.Ref, day)
			if booked != map[bool]int{true: 0, false: 1}[c.blocked] {
				t.Fatalf("closed day booked %d time(s); blocked=%v", booked, c.blocked)
			}
			if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ?`, o.Ref); n != c.meals-booleanInt(c.blocked) {
				t.Errorf("order booked %d day(s), want %d", n, c.meals-booleanInt(c.blocked))
			}
			if n := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, meal, day); n != placesLeft {
				t.Errorf("places counted on the closed day after payment = %d, want %d", n, placesLeft)
			}
			if e.count(`SELECT COUNT(*) FROM holds`) != 0 {
				t.Error("holds left after payment")
			}
			text := fmt.Sprintf("fermé le %02d/%02d : 2,55"+calendar.NBSP+"€ en avoir", day.Day(), int(day.Month()))
			var mail string
			e.scalar(`SELECT text_body FROM outbox WHERE kind = 'payment_receipt' ORDER BY id DESC LIMIT 1`, &mail)
			page := e.do("GET", "/famille/paiement/"+o.Ref, nil, e.family).Body
			if !c.blocked {
				if e.balance() != 0 || len(got.NotBooked()) != 0 {
					t.Errorf("avoir %d, not booked %+v: nothing was closed for this order", e.balance(), got.NotBooked())
				}
				for _, s := range []string{mail, page} {
					if strings.Contains(s, "Non réservé") {
						t.Errorf("receipt lists a line not booked:\n%s", s)
					}
				}
				return
			}
			// Paid in time: the closed day's 2,55 € is avoir, recorded in
			// the payment's transaction with the order.
			if e.balance() != 255 {
				t.Errorf("avoir = %d, want 255", e.balance())
			}
			if cr := e.creditsOf(o); !sameCredits(cr, []creditRow{{"rejected", 255, "Réservations impossibles de la commande " + o.Ref}}) {
				t.Errorf("credits = %+v", cr)
			}
			nb := got.NotBooked()
			if len(nb) != 1 || nb[0].Day != day || nb[0].NotBooked != booking.ReasonDayClosed || nb[0].NotBookedText() != text {
				t.Fatalf("not booked = %+v, want the closed day %s", nb, text)
			}
			if again := e.lastOrder(); len(again.NotBooked()) != 1 || again.NotBooked()[0].NotBookedText() != text {
				t.Errorf("stored order's lines not booked = %+v", again.NotBooked())
			}
			total, _, paid, lines := e.orderInvoice(o)
			if want := int64(c.meals-1) * 255; total != want || paid != want || lines != c.meals-1 {
				t.Errorf("invoice total %d paid %d lines %d, want %d for the days booked", total, paid, lines, want)
			}
			mustContain(t, mail, "Non réservé :", "REPAS CLASSIQUE ENFANT, "+text)
			mustContain(t, page, "Non réservé", "REPAS CLASSIQUE ENFANT, "+text)
			if c.status == billing.OrderCredited {
				// Nothing booked: the return page says so, and why.
				mustContain(t, e.returnPage(o), "Paiement reçu, porté en avoir", "Non réservé", "REPAS CLASSIQUE ENFANT, "+text)
			}
		})
	}
}

func booleanInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Once a closure has released an order's place, the order ending without
// payment (expired, refused, replaced) gives back nothing twice: the
// place count stays right.
func TestReleasedHoldIsNotGivenBackTwice(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	meal := e.prestations["REPAS CLASSIQUE ENFANT"]
	days := e.book(e.children[0], 2)
	o := e.startCart()
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, days[0], "Grève", e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := booking.ReleaseHolds(ctx, tx, o.Ref)
		return err
	}); err != nil {
		t.Fatalf("releasing the order after the closure: %v", err)
	}
	for i, d := range days {
		if n := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, meal, d); n != 0 {
			t.Errorf("day %d: %d place(s) still counted", i, n)
		}
	}
}

// A payment that arrives after its order expired, for two days of which
// one was closed meanwhile: the open day is booked again, the closed one
// is not, and the receipt says why ("fermeture (Grève) le …"); its
// amount stays avoir.
func TestLatePaymentDoesNotBookADayClosedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	o := e.lateCart("expired") // two meals, 1,00 € of credit, 4,10 € paid
	closed := o.Lines[0].Day
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, closed, "Grève", e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	got, err := e.payOnPayFiP(o)
	if err != nil || got.Status != billing.OrderPaid || got.Outcome != "paiement tardif, réservations rétablies" {
		t.Fatalf("late: %s %q %v", got.Status, got.Outcome, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND state = 'validated'`, o.Ref); n != 1 ||
		e.count(`SELECT COUNT(*) FROM reservations WHERE day = ?`, closed) != 0 {
		t.Fatalf("booked %d day(s); the closed day must not be one", n)
	}
	if e.balance() != 255 {
		t.Errorf("avoir = %d, want the closed day's 255", e.balance())
	}
	text := fmt.Sprintf("fermeture (Grève) le %02d/%02d : 2,55"+calendar.NBSP+"€ en avoir", closed.Day(), int(closed.Month()))
	if nb := e.lastOrder().NotBooked(); len(nb) != 1 || nb[0].NotBookedText() != text {
		t.Fatalf("not booked %+v, want %q", nb, text)
	}
	var mail string
	e.scalar(`SELECT text_body FROM outbox WHERE kind = 'payment_receipt' ORDER BY id DESC LIMIT 1`, &mail)
	mustContain(t, mail, "Non réservé :", text)
}
