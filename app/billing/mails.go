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

// Receipt is "le résumé de votre paiement": a page and an email.
type Receipt struct {
	Commune     string
	Regie       string
	Ref         string
	AmountCents int64
	CreditCents int64
	PaidAt      time.Time
	AuthNumber  string
	Means       string
	Late        bool
	Outcome     string
	Lines       []Line
}

// ReceiptFor builds the receipt of a paid (or credited) order.
func ReceiptFor(ctx context.Context, q querier, com tenants.Commune, o Order, pay Payment) (Receipt, error) {
	regie, err := LoadRegie(ctx, q, o.RegieID)
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{Commune: com.Name, Regie: regie.Name, Ref: o.Ref, AmountCents: pay.AmountCents,
		CreditCents: o.CreditCents, PaidAt: pay.PaidAt, AuthNumber: pay.AuthNumber, Means: meansOf(o.Provider),
		Late: pay.Late, Outcome: o.Outcome, Lines: o.Lines}, nil
}

// Text renders the receipt as plain text (the email's body).
func (r Receipt) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour,\n\nVoici le résumé de votre paiement.\n\n")
	fmt.Fprintf(&b, "Collectivité : %s\nRégie : %s\nRéférence : %s\nMontant payé : %s\n", r.Commune, r.Regie, r.Ref, calendar.FormatEuros(r.AmountCents))
	if r.CreditCents > 0 {
		fmt.Fprintf(&b, "Avoir utilisé : %s\n", calendar.FormatEuros(r.CreditCents))
	}
	fmt.Fprintf(&b, "Date et heure : %s\nMoyen de paiement : %s\n", r.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05"), r.Means)
	if r.AuthNumber != "" {
		fmt.Fprintf(&b, "Numéro d'autorisation : %s\n", r.AuthNumber)
	}
	if r.Late {
		fmt.Fprintf(&b, "\nCe paiement est arrivé après l'expiration de la commande : %s.\n", r.Outcome)
	}
	b.WriteString("\nRéservations :\n")
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "- %s : %s le %s%s, %s\n", l.ChildName, l.Prestation, l.Day.FR(), labelSuffix(l.Label), calendar.FormatEuros(l.AmountCents))
	}
	b.WriteString("\nConservez ce message : il vaut ticket de paiement.\n")
	return b.String()
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
	b.WriteString("<p>Bonjour,</p><p>Voici le résumé de votre paiement.</p><table>")
	row := func(k, v string) {
		b.WriteString("<tr><th style=\"text-align:left\">" + html.EscapeString(k) + "</th><td>" + html.EscapeString(v) + "</td></tr>")
	}
	row("Collectivité", r.Commune)
	row("Régie", r.Regie)
	row("Référence", r.Ref)
	row("Montant payé", calendar.FormatEuros(r.AmountCents))
	row("Date et heure", r.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05"))
	row("Moyen de paiement", r.Means)
	if r.AuthNumber != "" {
		row("Numéro d'autorisation", r.AuthNumber)
	}
	b.WriteString("</table><ul>")
	for _, l := range r.Lines {
		b.WriteString("<li>" + html.EscapeString(fmt.Sprintf("%s : %s le %s%s, %s", l.ChildName, l.Prestation, l.Day.FR(),
			labelSuffix(l.Label), calendar.FormatEuros(l.AmountCents))) + "</li>")
	}
	b.WriteString("</ul><p>Conservez ce message : il vaut ticket de paiement.</p>")
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
			Subject: "Le résumé de votre paiement – référence " + o.Ref, Text: r.Text(), HTML: r.HTML()}, now); err != nil {
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
