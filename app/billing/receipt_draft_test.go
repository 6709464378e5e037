package billing_test

import (
	"context"
	"strings"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
)

// receiptBodies returns the text and HTML bodies of the receipt emails
// of the order ref.
func (e *env) receiptBodies(ref string) (text, html string) {
	e.t.Helper()
	e.scalar(`SELECT text_body FROM outbox WHERE kind = 'payment_receipt' AND subject LIKE ? ORDER BY id LIMIT 1`, &text, "%"+ref)
	e.scalar(`SELECT html_body FROM outbox WHERE kind = 'payment_receipt' AND subject LIKE ? ORDER BY id LIMIT 1`, &html, "%"+ref)
	return text, html
}

// The card form's receipt email is rendered before the payment's
// transaction (outside the commune's one writer): it is exactly the email
// rendered from the order, the payment and the bookings as stored.
func TestCardReceiptEmailPreparedBeforeThePaymentIsTheStoredReceipt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.book(e.children[0], 3)
	svc := e.h.Service()
	out, err := svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.SimulatorOutcome(ctx, e.db, e.com, out.Order.ProviderRef, simulator.Paid)
	if err != nil || o.Status != billing.OrderPaid || len(o.Booked()) != 3 {
		t.Fatalf("paid: %s, %d booked, %v", o.Status, len(o.Booked()), err)
	}
	pay, err := billing.OrderPayment(ctx, e.db.Reader(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := billing.OrderByRef(ctx, e.db.Reader(), e.family, o.Ref)
	if err != nil {
		t.Fatal(err)
	}
	r, err := billing.ReceiptFor(ctx, e.db.Reader(), e.com, stored, pay)
	if err != nil {
		t.Fatal(err)
	}
	wantText, wantHTML, err := r.Mail()
	if err != nil {
		t.Fatal(err)
	}
	text, html := e.receiptBodies(o.Ref)
	if text != wantText || html != wantHTML {
		t.Errorf("the receipt email sent is not the stored receipt:\n%s\nwant:\n%s", text, wantText)
	}
	mustContain(t, text, pay.AuthNumber, "Réservations :")
	if strings.Count(text, "REPAS CLASSIQUE ENFANT le") != 3 {
		t.Errorf("the email does not list the 3 meals booked:\n%s", text)
	}
}

// A receipt prepared before the transaction is only a guess: when the
// payment books less than was held (a meal booked meanwhile by a path
// that ignores holds), the email lists what was booked, not what was
// held.
func TestCardReceiptEmailListsWhatWasBookedWhenItDiffersFromThePreparedOne(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	days := e.book(e.children[0], 3)
	svc := e.h.Service()
	out, err := svc.StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state,
		price_cents, created_at, validated_at) SELECT ?, ?, ?, ?, site_id, ?, 'validated', 255, 'x', 'x' FROM holds WHERE day = ? LIMIT 1`,
		e.family, e.children[0], e.prestations["REPAS CLASSIQUE ENFANT"], e.cantine, days[1], days[1]); err != nil {
		t.Fatal(err)
	}
	o, err := svc.SimulatorOutcome(ctx, e.db, e.com, out.Order.ProviderRef, simulator.Paid)
	if err != nil || len(o.Booked()) != 2 {
		t.Fatalf("paid: %s, %d booked, %v", o.Status, len(o.Booked()), err)
	}
	text, _ := e.receiptBodies(o.Ref)
	if strings.Count(text, "REPAS CLASSIQUE ENFANT le") != 2 || strings.Contains(text, days[1].FR()) {
		t.Errorf("the email does not list exactly the 2 meals booked (not %s):\n%s", days[1].FR(), text)
	}
}
