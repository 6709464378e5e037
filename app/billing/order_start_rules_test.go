package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// These tests pin the money rules of starting a payment (issue 17): which
// pending orders a new one replaces, how much credit an order takes, the
// online minimum at its boundary, and when "Payer le reste" or "Revenir"
// is still possible. They go through the service's public functions on a
// real commune file.

// invoiceOf writes an open invoice of total cents (one line) for FAMILLE X
// in the cantine régie, credit already taken off it.
func (e *env) invoiceOf(total, credit int64) billing.Invoice {
	e.t.Helper()
	day := calendar.DateOf(e.clock.Now().Year(), time.November, 28)
	var inv billing.Invoice
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		inv, err = billing.CreateInvoice(context.Background(), tx, billing.NewInvoice{RegieID: e.cantine, FamilyID: e.family,
			Status: billing.InvoiceOpen, IssuedOn: day, DueOn: day.AddDays(30), CreditCents: credit,
			Lines: []billing.Line{{ChildName: "Fille FAMILLE X", Prestation: "REPAS CLASSIQUE ENFANT", Day: day, Quantity: 1,
				UnitCents: total, AmountCents: total}}}, e.clock.Now())
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

func (e *env) orderStatus(ref string) string {
	e.t.Helper()
	o, err := billing.OrderByRef(context.Background(), e.db.Reader(), e.family, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.Status
}

func (e *env) balance() int64 {
	e.t.Helper()
	b, err := billing.CreditBalance(context.Background(), e.db.Reader(), e.family, e.cantine)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// The newest "Valider" replaces the older pending order of the same cart,
// the newest "Payer" the older one of the same invoice; nothing else: a
// cart order does not replace an invoice's, nor an invoice's the cart's or
// another invoice's.
func TestNewOrderReplacesOnlyThePendingOrderOfTheSameCartOrInvoice(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	svc := e.h.Service()
	e.book(e.children[0], 1)
	a, b := e.invoiceOf(1530, 0), e.invoiceOf(1020, 0)
	start := func(what string) billing.Order {
		t.Helper()
		var out billing.Checkout
		var err error
		switch what {
		case "cart":
			out, err = svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
		case "A":
			out, err = svc.StartInvoice(ctx, e.db, e.com, e.family, a.ID, "")
		case "B":
			out, err = svc.StartInvoice(ctx, e.db, e.com, e.family, b.ID, "")
		}
		if err != nil || out.Order.ProviderRef == "" {
			t.Fatalf("start %s: %+v %v", what, out, err)
		}
		return out.Order
	}
	cart1, a1, b1 := start("cart"), start("A"), start("B")
	for _, o := range []billing.Order{cart1, a1, b1} {
		if got := e.orderStatus(o.Ref); got != billing.OrderPending {
			t.Fatalf("%s (%s) is %s after the other orders started", o.Ref, o.Kind, got)
		}
	}
	a2 := start("A")
	if e.orderStatus(a1.Ref) != billing.OrderCancelled || e.orderStatus(cart1.Ref) != billing.OrderPending ||
		e.orderStatus(b1.Ref) != billing.OrderPending || e.orderStatus(a2.Ref) != billing.OrderPending {
		t.Errorf("second Payer on invoice A: A1 %s, cart %s, B %s", e.orderStatus(a1.Ref), e.orderStatus(cart1.Ref), e.orderStatus(b1.Ref))
	}
	mustContain(t, e.returnPage(a1), "Commande remplacée", "Une commande plus récente", "vos demandes restent dans votre panier")
	cart2 := start("cart")
	if e.orderStatus(cart1.Ref) != billing.OrderCancelled || e.orderStatus(a2.Ref) != billing.OrderPending ||
		e.orderStatus(b1.Ref) != billing.OrderPending || e.orderStatus(cart2.Ref) != billing.OrderPending {
		t.Errorf("second Valider: cart1 %s, A2 %s, B %s", e.orderStatus(cart1.Ref), e.orderStatus(a2.Ref), e.orderStatus(b1.Ref))
	}
	if n := e.count(`SELECT COUNT(*) FROM holds`); n != 1 {
		t.Errorf("places held = %d, want the newest cart order's one", n)
	}
}

// An order takes the family's credit first, never more than its total,
// and what is left to pay must reach the online minimum (1,00 €); a
// total covered by credit is settled at once without a payment page.
func TestOrderTakesCreditFirstAndSendsOnlyWhatIsLeft(t *testing.T) {
	for _, c := range []struct {
		name                   string
		total, balance         int64
		wantCredit, wantAmount int64
		wantBalance            int64
		wantSettled, wantBelow bool
	}{
		{name: "no credit: the whole invoice is paid online", total: 1530, balance: 0, wantAmount: 1530},
		{name: "credit smaller than the invoice: all of it is taken", total: 1530, balance: 500, wantCredit: 500, wantAmount: 1030},
		{name: "left to pay exactly 1,00 €: sent to the provider", total: 1530, balance: 1430, wantCredit: 1430, wantAmount: 100},
		{name: "left to pay 0,99 €: refused, nothing taken", total: 1530, balance: 1431, wantBelow: true, wantBalance: 1431},
		{name: "credit equal to the invoice: settled without payment", total: 1530, balance: 1530, wantCredit: 1530, wantSettled: true},
		{name: "credit larger than the invoice: only the invoice's total is taken", total: 1530, balance: 2000, wantCredit: 1530,
			wantSettled: true, wantBalance: 470},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			inv := e.invoiceOf(c.total, 0)
			if c.balance > 0 {
				e.credit("manual", c.balance, 0)
			}
			out, err := e.h.Service().StartInvoice(context.Background(), e.db, e.com, e.family, inv.ID, "")
			if c.wantBelow {
				var below *billing.BelowMinimumError
				if !errors.As(err, &below) || below.AmountCents != c.total-c.balance {
					t.Fatalf("err = %v, want BelowMinimumError{%d}", err, c.total-c.balance)
				}
				if e.count(`SELECT COUNT(*) FROM orders`) != 0 || e.balance() != c.wantBalance {
					t.Errorf("an order was made or credit taken: balance %d", e.balance())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := out.Order
			if o.TotalCents != c.total || o.CreditCents != c.wantCredit || o.AmountCents != c.wantAmount {
				t.Errorf("order total %d credit %d amount %d, want %d %d %d", o.TotalCents, o.CreditCents, o.AmountCents,
					c.total, c.wantCredit, c.wantAmount)
			}
			if got := e.balance(); got != c.wantBalance {
				t.Errorf("credit left = %d, want %d", got, c.wantBalance)
			}
			var status string
			e.scalar(`SELECT status FROM invoices WHERE id = ?`, &status, inv.ID)
			if c.wantSettled {
				if o.Status != billing.OrderPaid || o.Outcome != "validée sans paiement" || out.RedirectURL != "" || status != billing.InvoicePaid {
					t.Errorf("covered by credit: order %s %q, redirect %q, invoice %s", o.Status, o.Outcome, out.RedirectURL, status)
				}
				return
			}
			if o.Status != billing.OrderPending || out.RedirectURL == "" || status != billing.InvoiceOpen {
				t.Errorf("to pay online: order %s, redirect %q, invoice %s", o.Status, out.RedirectURL, status)
			}
			if op, ok := e.payfip.Op(o.ProviderRef); !ok || op.Request.Montant != itoa(int(c.wantAmount)) {
				t.Errorf("PayFiP asked for %+v, want %d cents", op.Request, c.wantAmount)
			}
		})
	}
}

// A cart that only cancels (its total is negative) takes no credit: the
// family's avoir stays whole and the cancellation adds to it.
func TestCancellationOnlyCartTakesNoCredit(t *testing.T) {
	e := newEnv(t)
	e.payThenCancelOne()
	e.credit("manual", 500, 0)
	out, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
	if err != nil {
		t.Fatal(err)
	}
	if o := out.Order; o.TotalCents != -255 || o.CreditCents != 0 || o.AmountCents != 0 || o.Status != billing.OrderPaid {
		t.Errorf("order total %d credit %d amount %d %s", o.TotalCents, o.CreditCents, o.AmountCents, o.Status)
	}
	if got := e.balance(); got != 755 {
		t.Errorf("avoir = %d, want 500 + 255", got)
	}
}

// The receipt goes to the paying parent's address, trimmed; a blank one
// means the family's contact address.
func TestOrderRecordsWhoPays(t *testing.T) {
	for _, c := range []struct{ name, payer, want string }{
		{"the paying parent's address, spaces trimmed", "  papa@example.org ", "papa@example.org"},
		{"blank: the family's contact address", "   ", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			var family string
			e.scalar(`SELECT email FROM families WHERE id = ?`, &family, e.family)
			want := c.want
			if want == "" {
				want = family
			}
			out, err := e.h.Service().StartInvoice(context.Background(), e.db, e.com, e.family, e.invoiceOf(1530, 0).ID, c.payer)
			if err != nil || out.Order.Email != want || family == "" {
				t.Errorf("email %q, want %q (family %q): %v", out.Order.Email, want, family, err)
			}
		})
	}
}

// "Payer" is refused for an invoice with nothing left to pay (paid, or
// covered by the credit it already took) and for another family's invoice;
// one cent left is still an invoice to pay (then under the minimum).
func TestInvoicePaymentOnlyForAnOpenInvoiceWithSomethingDue(t *testing.T) {
	e := newEnv(t)
	e.usePayFiP()
	ctx := context.Background()
	svc := e.h.Service()
	paid := e.openInvoice()
	if _, err := e.db.W.Exec(`UPDATE invoices SET status = 'paid' WHERE id = ?`, paid.ID); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]int64{"paid": paid.ID, "covered by its credit": e.invoiceOf(1530, 1530).ID} {
		if _, err := svc.StartInvoice(ctx, e.db, e.com, e.family, id, ""); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("%s invoice: err = %v, want ErrNotFound", name, err)
		}
	}
	oneCent := e.invoiceOf(1530, 1529)
	var below *billing.BelowMinimumError
	if _, err := svc.StartInvoice(ctx, e.db, e.com, e.family, oneCent.ID, ""); !errors.As(err, &below) || below.AmountCents != 1 {
		t.Errorf("one cent due: err = %v, want BelowMinimumError{1}", err)
	}
	other := e.addFamilies(1)[0]
	if _, err := svc.StartInvoice(ctx, e.db, e.com, other, e.invoiceOf(1530, 0).ID, ""); !errors.Is(err, billing.ErrNotFound) {
		t.Errorf("another family's invoice: err = %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM orders`); n != 0 {
		t.Errorf("%d orders made", n)
	}
}

// A post-paid régie's cart is validated without payment (booking), never
// through a payment order.
func TestPostpaidCartIsNotAPaymentOrder(t *testing.T) {
	e := newEnv(t)
	if _, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.garderie, ""); err == nil {
		t.Fatal("StartCart on the post-paid garderie succeeded")
	}
	if n := e.count(`SELECT COUNT(*) FROM orders`); n != 0 {
		t.Errorf("%d orders made", n)
	}
}

// choiceOrder makes the parent's order wait for the choice of "Payer le
// reste" or "Revenir": of two meals in the cart, the first day is full.
func (e *env) choiceOrder() billing.Order {
	e.t.Helper()
	days := e.book(e.children[0], 2)
	e.setCapacity(1)
	other := e.addFamiliesOn(days[0], 1)[0]
	if _, err := e.h.Service().StartCart(context.Background(), e.db, e.com, other, e.cantine, ""); err != nil {
		e.t.Fatal(err)
	}
	out, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
	if err != nil || !out.Choose || out.Order.AmountCents != 255 || len(out.Order.Refused()) != 1 {
		e.t.Fatalf("choice: %+v %v", out, err)
	}
	return out.Order
}

// The choice after "complet" is possible while the order waits for it: not
// once it expired (at its expiry instant included), went to the payment
// page or was closed.
func TestChoiceOnlyWhileTheOrderWaitsForIt(t *testing.T) {
	ctx := context.Background()
	t.Run("at the expiry instant, pay the rest is refused and go back too once expired", func(t *testing.T) {
		e := newEnv(t)
		o := e.choiceOrder()
		e.clock.Set(o.ExpiresAt.Add(-time.Second))
		e.clock.Advance(time.Second)
		if _, err := e.h.Service().Continue(ctx, e.db, e.com, e.family, o.Ref); !errors.Is(err, billing.ErrOrderClosed) {
			t.Errorf("continue at expiry: %v", err)
		}
		if e.orderStatus(o.Ref) != billing.OrderPending {
			t.Errorf("refused continue changed the order: %s", e.orderStatus(o.Ref))
		}
	})
	t.Run("one second before expiry, pay the rest opens the payment page", func(t *testing.T) {
		e := newEnv(t)
		o := e.choiceOrder()
		e.clock.Set(o.ExpiresAt.Add(-time.Second))
		out, err := e.h.Service().Continue(ctx, e.db, e.com, e.family, o.Ref)
		if err != nil || out.RedirectURL == "" {
			t.Fatalf("continue: %+v %v", out, err)
		}
		// Once at the payment page, neither choice is possible again.
		if _, err := e.h.Service().Continue(ctx, e.db, e.com, e.family, o.Ref); !errors.Is(err, billing.ErrOrderClosed) {
			t.Errorf("second continue: %v", err)
		}
		if _, err := e.h.Service().Abandon(ctx, e.db, e.family, o.Ref); !errors.Is(err, billing.ErrOrderClosed) {
			t.Errorf("go back after the payment page: %v", err)
		}
		if e.orderStatus(o.Ref) != billing.OrderPending || e.count(`SELECT COUNT(*) FROM holds WHERE order_ref = ?`, o.Ref) != 1 {
			t.Errorf("order %s lost its place", e.orderStatus(o.Ref))
		}
	})
	t.Run("go back once: a second go back or pay the rest is refused", func(t *testing.T) {
		e := newEnv(t)
		o := e.choiceOrder()
		got, err := e.h.Service().Abandon(ctx, e.db, e.family, o.Ref)
		if err != nil || e.orderStatus(o.Ref) != billing.OrderAbandoned || got.Ref != o.Ref {
			t.Fatalf("go back: %s %v", e.orderStatus(o.Ref), err)
		}
		if _, err := e.h.Service().Abandon(ctx, e.db, e.family, o.Ref); !errors.Is(err, billing.ErrOrderClosed) {
			t.Errorf("second go back: %v", err)
		}
		if _, err := e.h.Service().Continue(ctx, e.db, e.com, e.family, o.Ref); !errors.Is(err, billing.ErrOrderClosed) {
			t.Errorf("pay the rest after going back: %v", err)
		}
	})
	t.Run("another family's order is not found", func(t *testing.T) {
		e := newEnv(t)
		o := e.choiceOrder()
		other := e.addFamilies(1)[0]
		if _, err := e.h.Service().Continue(ctx, e.db, e.com, other, o.Ref); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("continue: %v", err)
		}
		if _, err := e.h.Service().Abandon(ctx, e.db, other, o.Ref); !errors.Is(err, billing.ErrNotFound) {
			t.Errorf("abandon: %v", err)
		}
	})
	t.Run("the rest covered by credit is settled without a payment page", func(t *testing.T) {
		e := newEnv(t)
		e.credit("manual", 255, 0)
		days := e.book(e.children[0], 2)
		e.setCapacity(1)
		other := e.addFamiliesOn(days[0], 1)[0]
		if _, err := e.h.Service().StartCart(ctx, e.db, e.com, other, e.cantine, ""); err != nil {
			t.Fatal(err)
		}
		start, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
		if err != nil || !start.Choose || start.Order.AmountCents != 0 || start.Order.Status != billing.OrderPending {
			t.Fatalf("choice: %+v %v", start, err)
		}
		out, err := e.h.Service().Continue(ctx, e.db, e.com, e.family, start.Order.Ref)
		if err != nil || out.RedirectURL != "" || out.Order.Status != billing.OrderPaid {
			t.Fatalf("continue: %+v %v", out, err)
		}
		if n := e.count(`SELECT COUNT(*) FROM reservations WHERE family_id = ? AND state = 'validated' AND day = ?`, e.family, days[1]); n != 1 {
			t.Errorf("the day still possible is booked %d times", n)
		}
		if e.balance() != 0 {
			t.Errorf("credit left %d", e.balance())
		}
	})
}

// A prepaid forfait's order line names its period, "Forfait du 01/11/…
// au 30/11/…", at its price.
func TestForfaitOrderLineNamesItsPeriod(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var id int64
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: e.cantine, Name: "FORFAIT CANTINE", Kind: booking.KindForfait,
			ForfaitKind: calendar.ForfaitMonth, Weekdays: calendar.SchoolWeekNoWed, PriceCents: 4000,
			Booking: calendar.Deadline{Days: 1, Hour: 10}, Cancel: calendar.Deadline{Days: 1, Hour: 10}}, e.clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	year := e.clock.Now().Year()
	day := calendar.DateOf(year, time.November, 2)
	for !e.bookable(e.family, id, day) {
		day = day.AddDays(1)
		if day.Month() != time.November {
			t.Fatal("no day of November can take the forfait")
		}
	}
	out, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil || len(out.Order.Lines) != 1 {
		t.Fatalf("Valider: %+v %v", out, err)
	}
	l := out.Order.Lines[0]
	want := "Forfait du 01/11/" + itoa(year) + " au 30/11/" + itoa(year)
	if l.Label != want || l.AmountCents != 4000 || l.UnitCents != 4000 || l.Quantity != 1 {
		t.Errorf("line %+v, want label %q at 40,00 €", l, want)
	}
}

// An invoice number starts with the régie's prefix, or "R" and its id.
func TestInvoicePrefixOfARegie(t *testing.T) {
	for _, c := range []struct {
		regie booking.Regie
		want  string
	}{
		{booking.Regie{ID: 3, InvoicePrefix: "CANT"}, "CANT"},
		{booking.Regie{ID: 0}, "R0"},
		{booking.Regie{ID: 7}, "R7"},
		{booking.Regie{ID: 1234567890}, "R1234567890"},
		{booking.Regie{ID: -42}, "R-42"},
	} {
		if got := c.regie.Prefix(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.regie, got, c.want)
		}
	}
}

// An invoice with nothing left to pay (its credit covers it, or it is
// paid) is not offered for payment: no order is made, no credit taken;
// one cent due is (and is then too small for the payment service).
func TestInvoiceWithNothingLeftToPayIsNotStarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.usePayFiP()
	e.credit("manual", 500, 0)
	start := func(inv billing.Invoice) error {
		_, err := e.h.Service().StartInvoice(context.Background(), e.db, e.com, e.family, inv.ID, "")
		return err
	}
	if err := start(e.invoiceOf(1530, 1530)); !errors.Is(err, billing.ErrNotFound) {
		t.Fatalf("invoice covered by its credit: %v, want ErrNotFound", err)
	}
	paid := e.invoiceOf(1530, 0)
	e.Exec(demo.Slug, `UPDATE invoices SET status = 'paid', paid_cents = total_cents WHERE id = ?`, paid.ID)
	if err := start(paid); !errors.Is(err, billing.ErrNotFound) {
		t.Fatalf("paid invoice: %v, want ErrNotFound", err)
	}
	if e.count(`SELECT COUNT(*) FROM orders`) != 0 || e.balance() != 500 {
		t.Fatalf("an order was made or credit taken: balance %d", e.balance())
	}
	var below *billing.BelowMinimumError
	if err := start(e.invoiceOf(1530, 1529)); errors.Is(err, billing.ErrNotFound) || (err != nil && !errors.As(err, &below)) {
		t.Fatalf("one cent due: %v", err)
	}
}
