package billing

import (
	"context"
	"time"

	"espacefamille/app/billing/simulator"
	"espacefamille/tenants"
)

// receiptDraft is the receipt email rendered before the payment's write
// transaction, from what the payment will do if nothing changes
// meanwhile (every held line booked): rendering the email's two templates
// was about a fifth of the card form's transaction, and the commune's one
// writer waits for nothing that is not a write. The transaction builds the
// receipt as always and uses the draft only when it renders the same
// email (Receipt.sameMail); otherwise it renders its own. A draft never
// decides anything: it is a rendering done early.
type receiptDraft struct {
	receipt    Receipt
	text, html string
}

// mail renders the receipt email of r, or returns the draft's when it is
// the same email; d may be nil.
func (d *receiptDraft) mail(r Receipt) (text, html string, err error) {
	if d != nil && d.receipt.sameMail(r) {
		return d.text, d.html, nil
	}
	return r.Mail()
}

// draftReceipt prepares the receipt email of the simulator's operation
// idOp finishing with outcome, authorisation number auth, at submitted,
// read through the read pool before the transaction. It returns nil when
// the outcome is not a payment in time of the operation's amount (no
// receipt, or one the transaction must work out), or on any error (the
// transaction then renders its own).
func (s *Service) draftReceipt(ctx context.Context, db *tenants.DB, com tenants.Commune, idOp, outcome, auth string, submitted time.Time) *receiptDraft {
	if outcome != simulator.Paid {
		return nil
	}
	q := db.Reader()
	op, err := simulator.Get(ctx, q, idOp)
	if err != nil || op.Status != simulator.Pending {
		return nil
	}
	o, err := orderByProviderRef(ctx, q, ProviderSimulator, idOp)
	if err != nil || o.Status != OrderPending || o.AmountCents != op.AmountCents || op.AmountCents <= 0 {
		return nil
	}
	// What settle makes of it when every held line is booked.
	o.Status, o.Outcome = OrderPaid, outcomePaid
	if o.Kind == KindCart {
		booked := 0
		for i, l := range o.Lines {
			if l.Refusal == "" {
				o.Lines[i].ReservationID = -1 // booked; the email does not show the id
				booked++
			}
		}
		if booked == 0 {
			return nil
		}
	}
	// The time as the operation stores it and reads it back.
	pay := Payment{AmountCents: op.AmountCents, AuthNumber: auth, PaidAt: tenants.StoredTime(tenants.FormatTime(submitted))}
	r, err := ReceiptFor(ctx, q, com, o, pay)
	if err != nil {
		return nil
	}
	text, html, err := r.Mail()
	if err != nil {
		return nil
	}
	return &receiptDraft{receipt: r, text: text, html: html}
}
