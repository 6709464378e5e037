package billing

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// Receipt is "le résumé de votre paiement" (a page and an email), or,
// for an order settled without payment (credit, cancellations), the
// summary of the validated demande, which does not pretend a payment.
type Receipt struct {
	Commune     string
	Regie       string
	Ref         string
	AmountCents int64
	CreditCents int64
	PaidAt      time.Time
	AuthNumber  string
	Means       string
	Credited    bool   // the money became credit (nothing, or not all, booked)
	Invoice     bool   // the order paid an invoice (not a cart)
	Outcome     string // what became of a payment that arrived for a closed order
	Notice      string // what happened, for an order settled without payment
	Lines       []Line // exactly what was booked or cancelled
}

// ReceiptFor builds the receipt of a settled order.
func ReceiptFor(ctx context.Context, q tenants.Querier, com tenants.Commune, o Order, pay Payment) (Receipt, error) {
	regie, err := loadRegie(ctx, q, o.RegieID)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Commune: com.Name, Regie: regie.Name, Ref: o.Ref, AmountCents: pay.AmountCents,
		CreditCents: o.CreditCents, PaidAt: pay.PaidAt, AuthNumber: pay.AuthNumber, Means: meansOf(o.Provider),
		Credited: o.Status == OrderCredited, Invoice: o.Kind == KindInvoice, Lines: o.Booked()}
	if pay.Late || r.Credited {
		r.Outcome = o.Outcome
	}
	if !r.Paid() {
		r.Notice = o.SettledNotice()
	}
	return r, nil
}

// Paid reports whether money was paid (otherwise the order was settled
// by credit or by cancellations alone).
func (r Receipt) Paid() bool { return r.AmountCents > 0 }

// Title is the receipt's heading and the email's subject.
func (r Receipt) Title() string {
	switch {
	case r.Paid():
		return "Le résumé de votre paiement"
	case r.Invoice:
		return "Facture réglée"
	}
	return "Demande validée"
}

// SettledNotice says, in the parent's words, what an order settled
// without payment did: "Annulation confirmée : un avoir de 2,55 € est
// ajouté à votre compte".
func (o Order) SettledNotice() string {
	if o.Kind == KindInvoice {
		return "Facture réglée par votre avoir de " + calendar.FormatEuros(o.CreditCents) + " : aucun paiement n'est nécessaire."
	}
	var total int64
	cancels, adds := 0, 0
	for _, l := range o.Booked() {
		total += l.AmountCents
		if l.Label == "Annulation" {
			cancels++
		} else {
			adds++
		}
	}
	what := "Demande validée"
	if adds == 0 && cancels > 0 {
		what = "Annulation confirmée"
	}
	switch {
	case total < 0:
		return what + " : un avoir de " + calendar.FormatEuros(-total) + " est ajouté à votre compte."
	case o.CreditCents > 0:
		return what + " : votre avoir de " + calendar.FormatEuros(o.CreditCents) + " couvre son montant, aucun paiement n'est nécessaire."
	}
	return what + " : aucun montant n'est dû."
}

// CommuneName is the commune the receipt email's layout names.
func (r Receipt) CommuneName() string { return r.Commune }

// Mail renders the receipt email's plain-text and HTML bodies from
// templates/mail/payment_receipt (mail.Render), from what the email shows
// (mailData).
func (r Receipt) Mail() (text, html string, err error) {
	return mail.Render(kindReceipt, r.mailData())
}

// mailData is the receipt without what the email does not show (the
// lines' cart line and reservation ids), so that two receipts with the
// same mailData render the same email.
func (r Receipt) mailData() Receipt {
	lines := make([]Line, len(r.Lines))
	for i, l := range r.Lines {
		l.CartLineID, l.ReservationID = 0, 0
		lines[i] = l
	}
	r.Lines = lines
	return r
}

// sameMail reports whether r and o render the same email.
func (r Receipt) sameMail(o Receipt) bool {
	if !r.PaidAt.Equal(o.PaidAt) {
		return false
	}
	r, o = r.mailData(), o.mailData()
	r.PaidAt, o.PaidAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(r, o)
}

// Mail kinds of billing, also their template names under templates/mail/.
const (
	kindReceipt    = "payment_receipt"
	kindNewInvoice = "invoice_available"
)

// queueReceipt writes the receipt email to the outbox, in the payment's
// transaction: "1 copie de ce ticket vous est envoyée par mail" goes to
// the paying account's address (the order's) and, when different, to the
// family's contact address (or its first guardian's).
func (s *Service) queueReceipt(ctx context.Context, tx *sql.Tx, com tenants.Commune, o Order, pay Payment, now time.Time, draft *receiptDraft) error {
	contact, err := familyEmail(ctx, tx, o.FamilyID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	to := receiptRecipients(o.Email, contact)
	if len(to) == 0 {
		return nil
	}
	r, err := ReceiptFor(ctx, tx, com, o, pay)
	if err != nil {
		return err
	}
	text, html, err := draft.mail(r)
	if err != nil {
		return err
	}
	from := mail.SenderName(ctx, tx, com.Name)
	for _, addr := range to {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: kindReceipt, To: addr, FromName: from, Commune: com.Slug,
			Subject: r.Title() + " – référence " + o.Ref, Text: text, HTML: html}, now); err != nil {
			return err
		}
	}
	return nil
}

// receiptRecipients is the payer's address then the family's contact
// address, without blanks and without the same address twice.
func receiptRecipients(payer, contact string) []string {
	var out []string
	for _, a := range []string{payer, contact} {
		a = strings.TrimSpace(a)
		if a == "" || len(out) > 0 && strings.EqualFold(out[0], a) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// NewInvoiceMail is what templates/mail/invoice_available reads: the
// invoice, the link to "Mes factures" and the commune's name.
type NewInvoiceMail struct {
	CommuneName string
	Link        string
	Invoice
}

// queueNewInvoice writes the "une nouvelle facture est disponible" email
// to the family's address on file and to every parent's account linked to
// the family (accounts.FamilyRecipients).
func (s *Service) queueNewInvoice(ctx context.Context, tx *sql.Tx, com tenants.Commune, inv Invoice, link string, now time.Time) error {
	var platform tenants.Querier
	if s.platform != nil {
		platform = s.platform.Reader()
	}
	to, err := accounts.FamilyRecipients(ctx, tx, platform, inv.FamilyID)
	if err != nil {
		return err
	}
	text, html, err := mail.Render(kindNewInvoice, NewInvoiceMail{CommuneName: com.Name, Link: link, Invoice: inv})
	if err != nil {
		return err
	}
	from := mail.SenderName(ctx, tx, com.Name)
	for _, addr := range to {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: kindNewInvoice, To: addr, FromName: from, Commune: com.Slug,
			Subject: "Une nouvelle facture est disponible", Text: text, HTML: html}, now); err != nil {
			return err
		}
	}
	return nil
}
