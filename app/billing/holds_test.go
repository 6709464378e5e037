package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// setCapacity limits "REPAS CLASSIQUE ENFANT" to n places a day.
func (e *env) setCapacity(n int) {
	e.t.Helper()
	if _, err := e.db.W.Exec(`UPDATE prestations SET capacity = ? WHERE id = ?`, n, e.prestations["REPAS CLASSIQUE ENFANT"]); err != nil {
		e.t.Fatal(err)
	}
}

// paySimulator pays an order on the simulator and delivers its notification.
func (e *env) paySimulator(o billing.Order, outcome string) (billing.Order, error) {
	ctx := context.Background()
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return simulator.Finish(ctx, tx, o.ProviderRef, outcome, e.clock.Now())
	}); err != nil {
		return o, err
	}
	return e.h.Service().Notify(ctx, e.db, e.com, billing.ProviderSimulator, o.ProviderRef, billing.SourceNotify)
}

// rush runs each family's journey in its own goroutine, all released at
// the same instant, and waits for them.
func rush(fams []int64, journey func(fam int64)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, fam := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			journey(fam)
		}()
	}
	close(start)
	wg.Wait()
}

// The rush of issue 10: 20 families, 10 places, everyone presses "Valider"
// and pays at the same moment. Ten families get a place and pay for it;
// the ten others are told "complet" before any payment page, and nobody
// pays for a place they do not get.
func TestTwentyFamiliesTenPlacesNobodyPaysForAPlaceTheyDoNotGet(t *testing.T) {
	e := newEnv(t)
	e.setCapacity(10)
	fams := e.addFamilies(20)
	svc := e.h.Service()
	ctx := context.Background()
	var mu sync.Mutex
	paid, refused := 0, 0
	rush(fams, func(fam int64) {
		out, err := svc.StartCart(ctx, e.db, e.com, fam, e.cantine, "")
		if errors.Is(err, billing.ErrEmptyCart) {
			if len(out.Removed) != 1 || out.Removed[0].Reason != "complet" {
				t.Errorf("family %d: refused with %+v", fam, out.Removed)
			}
			mu.Lock()
			refused++
			mu.Unlock()
			return
		}
		if err != nil || out.RedirectURL == "" {
			t.Errorf("family %d: checkout %+v: %v", fam, out, err)
			return
		}
		o, err := e.paySimulator(out.Order, simulator.Paid)
		if err != nil || o.Status != billing.OrderPaid {
			t.Errorf("family %d: paid order %s: %v", fam, o.Status, err)
			return
		}
		mu.Lock()
		paid++
		mu.Unlock()
	})
	if paid != 10 || refused != 10 {
		t.Errorf("paid %d, refused before paying %d; want 10 and 10", paid, refused)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != 10 {
		t.Errorf("reservations = %d, want 10", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id
		WHERE NOT EXISTS (SELECT 1 FROM reservations r WHERE r.order_ref = o.ref AND r.state = 'validated')`); n != 0 {
		t.Errorf("%d payment(s) without the place they paid for", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM credits`); n != 0 {
		t.Errorf("%d avoir movement(s): money was taken for nothing", n)
	}
	if n := e.count(`SELECT MAX(booked) FROM slot_counts`); n != 10 {
		t.Errorf("places counted = %d, want 10", n)
	}
	if e.count(`SELECT COUNT(*) FROM holds`) != 0 {
		t.Error("holds left after payment")
	}
}

// An order that will not be paid gives its places back at once: refused
// by the bank, abandoned on the payment page, expired, or replaced by a
// newer "Valider" of the same family. Another family then gets the place.
func TestUnpaidOrderReleasesItsPlacesAtOnce(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		end  func(e *env, o billing.Order)
	}{
		{"refused by the bank", func(e *env, o billing.Order) { e.paySimulator(o, simulator.Refused) }},
		{"abandoned on the payment page", func(e *env, o billing.Order) { e.paySimulator(o, simulator.Abandoned) }},
		{"expired after 30 minutes", func(e *env, o billing.Order) {
			e.clock.Advance(billing.OrderTTL + time.Minute)
			if rep, err := e.h.Service().Reconcile(ctx, e.db, e.com); err != nil || rep.Expired != 1 {
				e.t.Fatalf("reconcile: %+v %v", rep, err)
			}
		}},
		{"replaced by a newer Valider (itself refused)", func(e *env, o billing.Order) {
			newer, err := e.h.Service().StartCart(ctx, e.db, e.com, o.FamilyID, e.cantine, "")
			if err != nil {
				e.t.Fatal(err)
			}
			// The replaced order's place went to the newer one, not twice.
			if n := e.count(`SELECT SUM(booked) FROM slot_counts`); n != 1 || e.count(`SELECT COUNT(*) FROM holds WHERE order_ref = ?`, o.Ref) != 0 {
				e.t.Fatalf("places counted %d after the replacement", n)
			}
			e.paySimulator(newer.Order, simulator.Refused)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.setCapacity(1)
			fams := e.addFamilies(2)
			first, err := e.h.Service().StartCart(ctx, e.db, e.com, fams[0], e.cantine, "")
			if err != nil {
				t.Fatal(err)
			}
			var day calendar.Date
			var child int64
			e.scalar(`SELECT day FROM cart_lines WHERE family_id = ?`, &day, fams[1])
			e.scalar(`SELECT child_id FROM cart_lines WHERE family_id = ?`, &child, fams[1])
			if _, err := e.h.Service().StartCart(ctx, e.db, e.com, fams[1], e.cantine, ""); !errors.Is(err, billing.ErrEmptyCart) {
				t.Fatalf("second family while the place is held: %v", err)
			}
			if n := e.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, fams[1]); n != 0 {
				t.Fatalf("the full day stayed in the cart although the parent was told it left it")
			}
			tc.end(e, first.Order)
			if n := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts`); n != 0 {
				t.Fatalf("places still counted: %d", n)
			}
			// The day is free again: the other family asks for it and pays.
			if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fams[1], RegieID: e.cantine, ChildID: child,
				PrestationID: e.prestations["REPAS CLASSIQUE ENFANT"], Day: day, Intent: booking.IntentBook}, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			second, err := e.h.Service().StartCart(ctx, e.db, e.com, fams[1], e.cantine, "")
			if err != nil || second.RedirectURL == "" {
				t.Fatalf("second family after release: %+v %v", second, err)
			}
			if o, err := e.paySimulator(second.Order, simulator.Paid); err != nil || o.Status != billing.OrderPaid {
				t.Fatalf("second family paid: %s %v", o.Status, err)
			}
		})
	}
}

// A place held by a paying family's order is taken for everybody else:
// another family's click on that day is refused "complet" (the agenda
// counts held places), and it books the next day instead.
func TestHeldPlaceIsTakenForOtherFamilies(t *testing.T) {
	e := newEnv(t)
	e.setCapacity(1)
	first := e.addFamilies(1)[0]
	ctx := context.Background()
	if _, err := e.h.Service().StartCart(ctx, e.db, e.com, first, e.cantine, ""); err != nil {
		t.Fatal(err)
	}
	var held, other calendar.Date
	e.scalar(`SELECT day FROM holds`, &held)
	late := e.addFamilies(1)[0]
	e.scalar(`SELECT day FROM cart_lines WHERE family_id = ?`, &other, late)
	if !other.After(held) {
		t.Errorf("another family could ask for the held day %s (got %s)", held, other)
	}
}

// The parent whose cart holds a day that is full is told so BEFORE any
// payment page, and chooses: pay for the rest, or go back.
func TestLinesThatCannotBeHeldAreShownBeforePayment(t *testing.T) {
	for _, choice := range []string{"payer", "retour"} {
		t.Run(choice, func(t *testing.T) {
			e := newEnv(t)
			days := e.book(e.children[0], 2)
			// Another family takes the last place of the first day.
			e.setCapacity(1)
			other := e.addFamiliesOn(days[0], 1)[0]
			o, err := e.h.Service().StartCart(context.Background(), e.db, e.com, other, e.cantine, "")
			if err != nil || o.RedirectURL == "" {
				t.Fatalf("other family: %+v %v", o, err)
			}
			r := e.checkout()
			if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/choix") {
				t.Fatalf("checkout: %d %s", r.Status, r.Location)
			}
			page := e.follow(r, e.family)
			full := "complet le " + days[0].FR()[:5]
			mustContain(t, page.Body, "Certaines demandes ne peuvent pas être réservées", full, "Total à payer : 2,55",
				"Payer le reste", "Revenir à mes réservations")
			if strings.Contains(page.Body, "simulateur") {
				t.Error("choice page links to the payment page")
			}
			ref := e.lastOrder().Ref
			post := e.do(http.MethodPost, "/famille/paiement/"+ref+"/choix", url.Values{"action": {choice}}, e.family)
			if choice == "retour" {
				if post.Status != http.StatusSeeOther || !strings.Contains(post.Location, "/famille/reservations") {
					t.Fatalf("go back: %d %s", post.Status, post.Location)
				}
				if got := e.lastOrder(); got.Status != billing.OrderAbandoned || e.count(`SELECT COUNT(*) FROM holds WHERE order_ref = ?`, ref) != 0 {
					t.Errorf("order %s, holds kept", got.Status)
				}
				if e.cartLines() != 1 {
					t.Errorf("cart lines = %d, want the one still possible", e.cartLines())
				}
				return
			}
			if post.Status != http.StatusSeeOther || !strings.Contains(post.Location, "/paiement/simulateur/") {
				t.Fatalf("pay the rest: %d %s", post.Status, post.Location)
			}
			got, err := e.paySimulator(e.lastOrder(), simulator.Paid)
			if err != nil || got.Status != billing.OrderPaid || got.AmountCents != 255 {
				t.Fatalf("paid: %+v %v", got, err)
			}
			// Receipt page and email list exactly what was booked.
			receipt := e.do(http.MethodGet, "/famille/paiement/"+ref, nil, e.family)
			mustContain(t, receipt.Body, days[1].FR(), "2,55")
			var text string
			e.scalar(`SELECT text_body FROM outbox WHERE kind = 'payment_receipt' AND subject LIKE ?`, &text, "%"+ref)
			for _, body := range []string{receipt.Body, text} {
				if strings.Contains(body, days[0].FR()) {
					t.Errorf("receipt lists the day that was full:\n%s", body)
				}
			}
			if !strings.Contains(text, days[1].FR()) {
				t.Errorf("receipt email lacks the booked day:\n%s", text)
			}
		})
	}
}

// addFamiliesOn is addFamilies with their meal on day.
func (e *env) addFamiliesOn(day calendar.Date, n int) []int64 {
	e.t.Helper()
	fams := e.addFamilies(n)
	for _, f := range fams {
		if _, err := e.db.W.Exec(`UPDATE cart_lines SET day = ? WHERE family_id = ?`, day, f); err != nil {
			e.t.Fatal(err)
		}
	}
	return fams
}

// The same rush with two meals per family, the classic meal of the first
// day limited to 10 places, a vegetarian meal without limit the next day: the ten families too late for it are shown the full day before
// any payment page, pay for the other day only, and every cent paid
// matches a meal booked.
func TestRushWithPartlyFullCartsPaysOnlyForHeldPlaces(t *testing.T) {
	e := newEnv(t)
	fams := e.addFamilies(20) // one meal each, all on the same first day
	ctx := context.Background()
	var first calendar.Date
	e.scalar(`SELECT MIN(day) FROM cart_lines`, &first)
	second := first.AddDays(1)
	veg := e.prestations["REPAS VEGETARIEN"]
	for !e.bookable(fams[0], veg, second) {
		second = second.AddDays(1)
	}
	for _, fam := range fams[1:] {
		if !e.bookable(fam, veg, second) {
			t.Fatalf("family %d cannot book %s", fam, second)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM cart_lines`); n != 40 {
		t.Fatalf("cart lines = %d, want 40", n)
	}
	if _, err := e.db.W.Exec(`UPDATE prestations SET capacity = 10 WHERE id = ?`, e.prestations["REPAS CLASSIQUE ENFANT"]); err != nil {
		t.Fatal(err)
	}
	svc := e.h.Service()
	rush(fams, func(fam int64) {
		out, err := svc.StartCart(ctx, e.db, e.com, fam, e.cantine, "")
		if err != nil {
			t.Errorf("family %d: %v", fam, err)
			return
		}
		if out.Choose {
			if r := out.Order.Refused(); len(r) != 1 || r[0].Day != first || out.Order.AmountCents != 255 {
				t.Errorf("family %d: choice %+v", fam, out.Order)
				return
			}
			if out, err = svc.Continue(ctx, e.db, e.com, fam, out.Order.Ref); err != nil {
				t.Errorf("family %d: continue: %v", fam, err)
				return
			}
		}
		if o, err := e.paySimulator(out.Order, simulator.Paid); err != nil || o.Status != billing.OrderPaid {
			t.Errorf("family %d: paid %s %v", fam, o.Status, err)
		}
	})
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND day = ?`, first); n != 10 {
		t.Errorf("first day: %d meals, want 10", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND day = ?`, second); n != 20 {
		t.Errorf("second day: %d meals, want 20", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders WHERE status = 'paid' AND amount_cents = 255`); n != 10 {
		t.Errorf("%d families paid for one meal, want 10", n)
	}
	paid := e.count(`SELECT SUM(amount_cents) FROM payments`)
	booked := e.count(`SELECT SUM(price_cents) FROM reservations WHERE state = 'validated'`)
	if paid != booked || e.count(`SELECT COUNT(*) FROM credits`) != 0 {
		t.Errorf("paid %d cents for %d cents of meals booked", paid, booked)
	}
}

// bookable puts the family's child's meal (prestation) of day in the
// cart, if it can.
func (e *env) bookable(fam, prestation int64, day calendar.Date) bool {
	e.t.Helper()
	var child int64
	e.scalar(`SELECT id FROM children WHERE family_id = ?`, &child, fam)
	_, err := booking.ToggleCell(context.Background(), e.db, booking.Click{FamilyID: fam, RegieID: e.cantine, ChildID: child,
		PrestationID: prestation, Day: day, Intent: booking.IntentBook}, e.clock.Now())
	return err == nil
}

// When no line of the cart can be held, no order is made: the parent is
// told which demandes left the cart and why, and they did leave it.
func TestValiderWhenEverythingIsFullSaysWhatLeftTheCart(t *testing.T) {
	e := newEnv(t)
	days := e.book(e.children[0], 1)
	e.setCapacity(1)
	other := e.addFamiliesOn(days[0], 1)[0]
	if _, err := e.h.Service().StartCart(context.Background(), e.db, e.com, other, e.cantine, ""); err != nil {
		t.Fatal(err)
	}
	r := e.checkout()
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/famille/reservations") {
		t.Fatalf("checkout: %d %s", r.Status, r.Location)
	}
	page := e.follow(r, e.family)
	mustContain(t, page.Body, "Demande retirée du panier : REPAS CLASSIQUE ENFANT du "+days[0].FR()+" pour Fille FAMILLE X : complet")
	if e.cartLines() != 0 || e.count(`SELECT COUNT(*) FROM orders WHERE family_id = ?`, e.family) != 0 {
		t.Errorf("cart %d lines, an order was made", e.cartLines())
	}
}
