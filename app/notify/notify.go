// Package notify owns a commune's email notifications to families: which
// are on (the back office's settings), which an address no longer wants
// (Mon compte, or the link of an email), and the one-click unsubscribe
// links of RFC 8058 that every notification carries.
//
// A sending package (billing, reminder) calls [Send] inside its own write
// transaction with the addresses it would notify; Send drops the kind when
// the commune turned it off, drops the addresses that opted out, and
// queues one email per remaining address with its own unsubscribe URL
// (List-Unsubscribe and List-Unsubscribe-Post headers, and a link in the
// body). The URL carries a token signed with the commune's own random key
// and bound to its slug: it unsubscribes one address from one kind in that
// commune, without log-in, and is worth nothing in another commune.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Kind is a kind of notification; it is also its mail kind (the template
// name under templates/mail/).
type Kind string

// The notifications a family can receive.
const (
	CutoffReminder Kind = "cutoff_reminder"   // nothing booked for next week, before the cut-off
	NewInvoice     Kind = "invoice_available" // an invoice was issued
	PaymentFailed  Kind = "payment_failed"    // an online payment was refused or abandoned
)

// Kinds lists every kind, in the order pages show them.
var Kinds = []Kind{CutoffReminder, NewInvoice, PaymentFailed}

// Label is the kind's French name ("Rappel avant la date limite de
// réservation").
func (k Kind) Label() string {
	switch k {
	case CutoffReminder:
		return "Rappel avant la date limite de réservation"
	case NewInvoice:
		return "Nouvelle facture"
	case PaymentFailed:
		return "Paiement refusé ou abandonné"
	}
	return string(k)
}

// Hint says in French when the kind is sent.
func (k Kind) Hint() string {
	switch k {
	case CutoffReminder:
		return "Quand rien n'est réservé pour un enfant inscrit une semaine donnée, un rappel avant la date limite de réservation."
	case NewInvoice:
		return "Quand la mairie émet une facture à votre nom."
	case PaymentFailed:
		return "Quand un paiement en ligne est refusé ou abandonné : les réservations demandées ne sont pas validées."
	}
	return ""
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// ErrNotFound is returned when a commune's notification settings row is
// missing (a file not migrated).
var ErrNotFound = tenants.NotFound("notify: no notification settings")

// NormalizeEmail is how addresses are compared: trimmed, lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// OptedOut reports whether email no longer wants kind in this commune.
func OptedOut(ctx context.Context, q tenants.Querier, email string, kind Kind) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM notification_optouts WHERE email = ? AND kind = ?`, NormalizeEmail(email), string(kind)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: opt-out of %s: %w", kind, err)
	}
	return true, nil
}

// Unsubscribe records that email wants no more of kind; doing it twice
// changes nothing.
func Unsubscribe(ctx context.Context, tx *sql.Tx, email string, kind Kind, now time.Time) error {
	if !kind.Valid() {
		return fmt.Errorf("notify: unknown kind %q", kind)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notification_optouts (email, kind, created_at) VALUES (?, ?, ?)
		ON CONFLICT (email, kind) DO NOTHING`, NormalizeEmail(email), string(kind), tenants.FormatTime(now)); err != nil {
		return fmt.Errorf("notify: unsubscribe from %s: %w", kind, err)
	}
	return nil
}

// Choice is one kind as Mon compte shows it to an address.
type Choice struct {
	Kind   Kind
	Wanted bool // the address receives it (it did not opt out)
	On     bool // the commune sends it at all
}

// Choices lists, for every kind, whether email receives it.
func Choices(ctx context.Context, q tenants.Querier, email string) ([]Choice, error) {
	st, err := LoadSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT kind FROM notification_optouts WHERE email = ?`, NormalizeEmail(email))
	if err != nil {
		return nil, fmt.Errorf("notify: choices: %w", err)
	}
	out, err := tenants.Column[string](rows)
	if err != nil {
		return nil, fmt.Errorf("notify: choices: %w", err)
	}
	list := make([]Choice, len(Kinds))
	for i, k := range Kinds {
		list[i] = Choice{Kind: k, Wanted: true, On: st.On(k)}
		for _, o := range out {
			if o == string(k) {
				list[i].Wanted = false
			}
		}
	}
	return list, nil
}

// SetChoices makes email receive exactly the kinds in wanted (the others
// are opted out), in the caller's transaction.
func SetChoices(ctx context.Context, tx *sql.Tx, email string, wanted map[Kind]bool, now time.Time) error {
	email = NormalizeEmail(email)
	for _, k := range Kinds {
		if wanted[k] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM notification_optouts WHERE email = ? AND kind = ?`, email, string(k)); err != nil {
				return fmt.Errorf("notify: subscribe to %s: %w", k, err)
			}
			continue
		}
		if err := Unsubscribe(ctx, tx, email, k, now); err != nil {
			return err
		}
	}
	return nil
}
