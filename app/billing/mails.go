package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
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
func ReceiptFor(ctx context.Context, q querier, com tenants.Commune, o Order, pay Payment) (Receipt, error) {
	regie, err := LoadRegie(ctx, q, o.RegieID)
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

// Text renders the receipt as plain text (the email's body).
func (r Receipt) Text() string {
	var b strings.Builder
	if r.Paid() {
		fmt.Fprintf(&b, "Bonjour,\n\nVoici le résumé de votre paiement.\n\n")
	} else {
		fmt.Fprintf(&b, "Bonjour,\n\n%s\n\n", r.Notice)
	}
	fmt.Fprintf(&b, "Collectivité : %s\nRégie : %s\nRéférence : %s\n", r.Commune, r.Regie, r.Ref)
	if r.Paid() {
		fmt.Fprintf(&b, "Montant payé : %s\n", calendar.FormatEuros(r.AmountCents))
	}
	if r.CreditCents > 0 {
		fmt.Fprintf(&b, "Avoir utilisé : %s\n", calendar.FormatEuros(r.CreditCents))
	}
	fmt.Fprintf(&b, "Date et heure : %s\n", r.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05"))
	if r.Paid() {
		fmt.Fprintf(&b, "Moyen de paiement : %s\n", r.Means)
	}
	if r.AuthNumber != "" {
		fmt.Fprintf(&b, "Numéro d'autorisation : %s\n", r.AuthNumber)
	}
	if r.Outcome != "" {
		fmt.Fprintf(&b, "\nSuite donnée à ce paiement : %s.\n", r.Outcome)
	}
	if len(r.Lines) == 0 {
		b.WriteString("\nAucune réservation n'a été faite : le montant est porté en avoir sur votre compte, déduit de votre prochain paiement.\n")
	} else {
		b.WriteString("\nRéservations :\n")
	}
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "- %s\n", l.receiptText())
	}
	if r.Paid() {
		b.WriteString("\nConservez ce message : il vaut ticket de paiement.\n")
	}
	return b.String()
}

// receiptText is "Fille FAMILLE X : REPAS CLASSIQUE ENFANT le 02/11/2026, 2,55 €".
func (l Line) receiptText() string {
	return fmt.Sprintf("%s : %s le %s%s, %s", l.ChildName, l.Prestation, l.Day.FR(), labelSuffix(l.Label), calendar.FormatEuros(l.AmountCents))
}

func labelSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// HTML renders the receipt for the email's HTML part.
func (r Receipt) HTML() string {
	var b strings.Builder
	if r.Paid() {
		b.WriteString("<p>Bonjour,</p><p>Voici le résumé de votre paiement.</p><table>")
	} else {
		b.WriteString("<p>Bonjour,</p><p>" + html.EscapeString(r.Notice) + "</p><table>")
	}
	row := func(k, v string) {
		b.WriteString("<tr><th style=\"text-align:left\">" + html.EscapeString(k) + "</th><td>" + html.EscapeString(v) + "</td></tr>")
	}
	row("Collectivité", r.Commune)
	row("Régie", r.Regie)
	row("Référence", r.Ref)
	if r.Paid() {
		row("Montant payé", calendar.FormatEuros(r.AmountCents))
	}
	if r.CreditCents > 0 {
		row("Avoir utilisé", calendar.FormatEuros(r.CreditCents))
	}
	row("Date et heure", r.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05"))
	if r.Paid() {
		row("Moyen de paiement", r.Means)
	}
	if r.AuthNumber != "" {
		row("Numéro d'autorisation", r.AuthNumber)
	}
	b.WriteString("</table>")
	if r.Outcome != "" {
		b.WriteString("<p>Suite donnée à ce paiement : " + html.EscapeString(r.Outcome) + ".</p>")
	}
	if len(r.Lines) == 0 {
		b.WriteString("<p>Aucune réservation n'a été faite : le montant est porté en avoir sur votre compte, déduit de votre prochain paiement.</p>")
	}
	b.WriteString("<ul>")
	for _, l := range r.Lines {
		b.WriteString("<li>" + html.EscapeString(l.receiptText()) + "</li>")
	}
	b.WriteString("</ul>")
	if r.Paid() {
		b.WriteString("<p>Conservez ce message : il vaut ticket de paiement.</p>")
	}
	return b.String()
}

func senderName(ctx context.Context, q querier, com tenants.Commune) string {
	var name string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'sender_name'`).Scan(&name); err != nil || name == "" {
		return com.Name
	}
	return name
}

// queueReceipt writes the receipt email to the outbox, in the payment's
// transaction: "1 copie de ce ticket vous est envoyée par mail" goes to
// the paying account's address (the order's) and, when different, to the
// family's contact address (or its first guardian's).
func (s *Service) queueReceipt(ctx context.Context, tx *sql.Tx, com tenants.Commune, o Order, pay Payment, now time.Time) error {
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
	from := senderName(ctx, tx, com)
	for _, addr := range to {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "payment_receipt", To: addr, FromName: from,
			Subject: r.Title() + " – référence " + o.Ref, Text: r.Text(), HTML: r.HTML()}, now); err != nil {
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

// queueNewInvoice writes the "une nouvelle facture est disponible" email
// to the family's address on file and to every parent's account linked to
// the family (accounts.FamilyRecipients).
func (s *Service) queueNewInvoice(ctx context.Context, tx *sql.Tx, com tenants.Commune, inv Invoice, link string, now time.Time) error {
	var platform querier
	if s.platform != nil {
		platform = s.platform.R
	}
	to, err := accounts.FamilyRecipients(ctx, tx, platform, inv.FamilyID)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Bonjour %s,\n\nUne nouvelle facture est disponible dans votre espace famille.\n\n"+
		"Facture %s (%s) du %s, pour la période du %s au %s : %s, à régler avant le %s.\n\n"+
		"Vous pouvez la consulter et la payer en ligne dans l'onglet « Mes factures » : %s\n",
		inv.PayerName, inv.Number, inv.RegieName, inv.IssuedOn.FR(), inv.PeriodStart.FR(), inv.PeriodEnd.FR(),
		calendar.FormatEuros(inv.TotalCents), inv.DueOn.FR(), link)
	from := senderName(ctx, tx, com)
	for _, addr := range to {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "invoice_available", To: addr, FromName: from, Commune: com.Slug,
			Subject: "Une nouvelle facture est disponible", Text: text,
			HTML: "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</p>"}, now); err != nil {
			return err
		}
	}
	return nil
}
