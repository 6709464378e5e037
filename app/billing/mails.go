package billing

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/mail"
	"espacefamille/app/notify"
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
	NotBooked   []Line // what the payment could not book, with why (NotBookedText)
}

// ReceiptFor builds the receipt of a settled order.
func ReceiptFor(ctx context.Context, q tenants.Querier, com tenants.Commune, o Order, pay Payment) (Receipt, error) {
	regie, err := loadRegie(ctx, q, o.RegieID)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Commune: com.Name, Regie: regie.Name, Ref: o.Ref, AmountCents: pay.AmountCents,
		CreditCents: o.CreditCents, PaidAt: pay.PaidAt, AuthNumber: pay.AuthNumber, Means: meansOf(o.Provider),
		Credited: o.Status == OrderCredited, Invoice: o.Kind == KindInvoice, Lines: o.Booked(), NotBooked: o.NotBooked()}
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
// invoice, the link to "Mes factures", the recipient's unsubscribe link
// and the commune's name.
type NewInvoiceMail struct {
	CommuneName string
	Link        string
	Unsubscribe string
	Invoice
}

// queueNewInvoice writes the "une nouvelle facture est disponible" email
// to the family's address on file and to every parent's account linked to
// the family (accounts.FamilyRecipients), as the notification
// notify.NewInvoice: not when the commune turned it off, nor to an
// address that unsubscribed.
func (s *Service) queueNewInvoice(ctx context.Context, tx *sql.Tx, com tenants.Commune, inv Invoice, link string, now time.Time) error {
	to, err := s.familyRecipients(ctx, tx, inv.FamilyID)
	if err != nil {
		return err
	}
	_, err = notify.Send(ctx, tx, com, s.absURL, notify.NewInvoice, to, func(unsubscribe string) (notify.Letter, error) {
		text, html, err := mail.Render(kindNewInvoice, NewInvoiceMail{CommuneName: com.Name, Link: link, Unsubscribe: unsubscribe, Invoice: inv})
		return notify.Letter{Subject: "Une nouvelle facture est disponible", Text: text, HTML: html}, err
	}, now)
	return err
}

// familyRecipients is accounts.FamilyRecipients with the service's
// platform database, when it has one.
func (s *Service) familyRecipients(ctx context.Context, tx *sql.Tx, familyID int64) ([]string, error) {
	return accounts.FamilyRecipients(ctx, tx, s.platformReader(), familyID)
}

// PaymentFailedMail is what templates/mail/payment_failed reads.
type PaymentFailedMail struct {
	CommuneName string
	Regie       string
	Ref         string
	AmountCents int64
	Abandoned   bool   // abandoned on the payment page, rather than refused
	Invoice     bool   // the order paid an invoice, not a cart
	Link        string // where to try again: "Mes réservations" or "Mes factures"
	Unsubscribe string
	// Kept are the waiting-list offers the order had taken, given back
	// to the family until their own expiry (booking.KeptOffers).
	Kept []booking.KeptOffer
}

// Outcome is "refusé" or "abandonné".
func (m PaymentFailedMail) Outcome() string {
	if m.Abandoned {
		return "abandonné"
	}
	return "refusé"
}

// queuePaymentFailed tells the family that the online payment of order o
// was refused or abandoned, so nothing it asked for is validated (the
// notification notify.PaymentFailed), in the transaction that closes it;
// kept are the offered places still reserved for the family.
func (s *Service) queuePaymentFailed(ctx context.Context, tx *sql.Tx, com tenants.Commune, o Order, abandoned bool, kept []booking.KeptOffer, now time.Time) (int, error) {
	to, err := s.familyRecipients(ctx, tx, o.FamilyID)
	if err != nil {
		return 0, err
	}
	regie, err := loadRegie(ctx, tx, o.RegieID)
	if err != nil {
		return 0, err
	}
	m := PaymentFailedMail{CommuneName: com.Name, Regie: regie.Name, Ref: o.Ref, AmountCents: o.AmountCents,
		Abandoned: abandoned, Invoice: o.Kind == KindInvoice, Link: s.absURL(com, "/famille/reservations"), Kept: kept}
	if m.Invoice {
		m.Link = s.absURL(com, "/famille/factures")
	}
	return notify.Send(ctx, tx, com, s.absURL, notify.PaymentFailed, to, func(unsubscribe string) (notify.Letter, error) {
		m.Unsubscribe = unsubscribe
		text, html, err := mail.Render(string(notify.PaymentFailed), m)
		return notify.Letter{Subject: "Paiement " + m.Outcome() + " – référence " + o.Ref, Text: text, HTML: html}, err
	}, now)
}
