package billing

import (
	"context"
	"database/sql"
	"errors"
	"espacefamille/app/booking"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// loadRegie reads a régie and its payment settings (ErrNotFound).
func loadRegie(ctx context.Context, q tenants.Querier, id int64) (booking.Regie, error) {
	r, err := booking.LoadRegie(ctx, q, id)
	if errors.Is(err, booking.ErrNotFound) {
		return r, ErrNotFound
	}
	return r, err
}

// nextInvoiceNumber takes the next number of a régie for a year. It must
// run inside the write transaction that creates the invoice.
func nextInvoiceNumber(ctx context.Context, tx *sql.Tx, r booking.Regie, year int) (int64, string, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO invoice_counters (regie_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (regie_id, year) DO UPDATE SET last = last + 1
		RETURNING last`, r.ID, year).Scan(&seq)
	if err != nil {
		return 0, "", fmt.Errorf("billing: invoice number: %w", err)
	}
	return seq, fmt.Sprintf("%d-%s-%05d", year, r.Prefix(), seq), nil
}

// NewInvoice is what CreateInvoice needs.
type NewInvoice struct {
	RegieID      int64
	FamilyID     int64
	Status       string
	IssuedOn     calendar.Date
	DueOn        calendar.Date // open invoices
	PeriodKey    string        // post-paid month, "" otherwise
	CreditCents  int64
	PaidCents    int64
	PaidAt       time.Time
	PaymentMeans string
	OrderID      int64
	Lines        []Line
	// PeriodStart and PeriodEnd, when set, are the period printed (a
	// monthly invoice: the month); otherwise the lines' first and last day.
	PeriodStart, PeriodEnd calendar.Date
}

// CreateInvoice writes an invoice with its number and lines, inside tx.
func CreateInvoice(ctx context.Context, tx *sql.Tx, n NewInvoice, now time.Time) (Invoice, error) {
	if len(n.Lines) == 0 {
		return Invoice{}, fmt.Errorf("billing: invoice without lines")
	}
	r, err := loadRegie(ctx, tx, n.RegieID)
	if err != nil {
		return Invoice{}, err
	}
	payer, err := payerName(ctx, tx, n.FamilyID)
	if err != nil {
		return Invoice{}, err
	}
	inv := Invoice{RegieID: r.ID, RegieName: r.Name, FamilyID: n.FamilyID, Status: n.Status, PayerName: payer,
		IssuedOn: n.IssuedOn, DueOn: n.DueOn, PeriodKey: n.PeriodKey, CreditCents: n.CreditCents,
		PaidCents: n.PaidCents, PaidAt: n.PaidAt, PaymentMeans: n.PaymentMeans, OrderID: n.OrderID, Lines: n.Lines}
	for i, l := range n.Lines {
		inv.TotalCents += l.AmountCents
		if i == 0 || l.Day.Before(inv.PeriodStart) {
			inv.PeriodStart = l.Day
		}
		if l.Day.After(inv.PeriodEnd) {
			inv.PeriodEnd = l.Day
		}
	}
	if !n.PeriodStart.IsZero() {
		inv.PeriodStart, inv.PeriodEnd = n.PeriodStart, n.PeriodEnd
	}
	year := n.IssuedOn.Year()
	var seq int64
	if seq, inv.Number, err = nextInvoiceNumber(ctx, tx, r, year); err != nil {
		return Invoice{}, err
	}
	var due, paidAt, orderID any
	if !n.DueOn.IsZero() {
		due = n.DueOn
	}
	if !n.PaidAt.IsZero() {
		paidAt = tenants.FormatTime(n.PaidAt)
	}
	if n.OrderID != 0 {
		orderID = n.OrderID
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO invoices (regie_id, family_id, number, year, seq, status, payer_name, issued_on, due_on,
		       period_start, period_end, period_key, total_cents, credit_cents, paid_cents, paid_at, payment_means,
		       order_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		inv.RegieID, inv.FamilyID, inv.Number, year, seq, inv.Status, payer, inv.IssuedOn, due,
		inv.PeriodStart, inv.PeriodEnd, inv.PeriodKey, inv.TotalCents, inv.CreditCents, inv.PaidCents, paidAt,
		inv.PaymentMeans, orderID, tenants.FormatTime(now)).Scan(&inv.ID)
	if err != nil {
		return Invoice{}, fmt.Errorf("billing: create invoice: %w", err)
	}
	rows := make([][]any, 0, len(n.Lines))
	for _, l := range n.Lines {
		var res any
		if l.ReservationID != 0 {
			res = l.ReservationID
		}
		rows = append(rows, []any{inv.ID, l.ChildName, l.Prestation, l.Day, l.Label, l.Quantity, l.UnitCents, l.AmountCents, res})
	}
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO invoice_lines (invoice_id, child_name, prestation, day, label,
		quantity, unit_cents, amount_cents, reservation_id)`, "", rows); err != nil {
		return Invoice{}, fmt.Errorf("billing: create invoice line: %w", err)
	}
	return inv, nil
}

// payerName is the family's first guardian as "M FAMILLE X Y", or the
// family's name.
func payerName(ctx context.Context, q tenants.Querier, familyID int64) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `
		SELECT COALESCE((SELECT TRIM(civility || ' ' || last_name || ' ' || first_name) FROM guardians
		                 WHERE family_id = f.id ORDER BY id LIMIT 1), f.name)
		FROM families f WHERE f.id = ?`, familyID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("billing: payer of family %d: %w", familyID, err)
	}
	return strings.Join(strings.Fields(name), " "), nil
}

const invoiceColumns = `i.id, i.regie_id, r.name, i.family_id, i.number, i.status, i.payer_name, i.issued_on,
	COALESCE(i.due_on, ''), i.period_start, i.period_end, i.period_key, i.total_cents, i.credit_cents, i.paid_cents,
	COALESCE(i.paid_at, ''), i.payment_means, COALESCE(i.order_id, 0)`

func scanInvoice(s interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	var due, paidAt string
	err := s.Scan(&inv.ID, &inv.RegieID, &inv.RegieName, &inv.FamilyID, &inv.Number, &inv.Status, &inv.PayerName,
		&inv.IssuedOn, &due, &inv.PeriodStart, &inv.PeriodEnd, &inv.PeriodKey, &inv.TotalCents, &inv.CreditCents,
		&inv.PaidCents, &paidAt, &inv.PaymentMeans, &inv.OrderID)
	if err != nil {
		return Invoice{}, err
	}
	if due != "" {
		inv.DueOn, _ = calendar.ParseISO(due)
	}
	if paidAt != "" {
		inv.PaidAt = tenants.StoredTime(paidAt)
	}
	return inv, nil
}

// FamilyInvoices lists a family's invoices, newest first.
func FamilyInvoices(ctx context.Context, q tenants.Querier, familyID int64) ([]Invoice, error) {
	out, err := tenants.All(ctx, q, scanInvoice, `SELECT `+invoiceColumns+` FROM invoices i JOIN regies r ON r.id = i.regie_id
		WHERE i.family_id = ? ORDER BY i.issued_on DESC, i.id DESC`, familyID)
	if err != nil {
		return nil, fmt.Errorf("billing: family invoices: %w", err)
	}
	return out, nil
}

// FamilyInvoice reads one invoice of the family with its lines; another
// family's invoice is ErrNotFound.
func FamilyInvoice(ctx context.Context, q tenants.Querier, familyID, id int64) (Invoice, error) {
	inv, err := scanInvoice(q.QueryRowContext(ctx, `SELECT `+invoiceColumns+`
		FROM invoices i JOIN regies r ON r.id = i.regie_id WHERE i.id = ? AND i.family_id = ?`, id, familyID))
	if errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, ErrNotFound
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("billing: invoice %d: %w", id, err)
	}
	inv.Lines, err = invoiceLines(ctx, q, id)
	return inv, err
}

func invoiceLines(ctx context.Context, q tenants.Querier, invoiceID int64) ([]Line, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Line, error) {
		var l Line
		err := row.Scan(&l.ChildName, &l.Prestation, &l.Day, &l.Label, &l.Quantity, &l.UnitCents, &l.AmountCents, &l.ReservationID)
		return l, err
	}, `SELECT child_name, prestation, day, label, quantity, unit_cents, amount_cents,
		COALESCE(reservation_id, 0) FROM invoice_lines WHERE invoice_id = ? ORDER BY child_name, day, prestation, id`, invoiceID)
	if err != nil {
		return nil, fmt.Errorf("billing: invoice lines: %w", err)
	}
	return out, nil
}

// markInvoicePaid settles an open invoice paid by an order.
func markInvoicePaid(ctx context.Context, tx *sql.Tx, invoiceID, paidCents, creditCents int64, paidAt time.Time, means string, orderID int64) error {
	var oid any
	if orderID != 0 {
		oid = orderID
	}
	if err := tenants.ExecOne(ctx, tx, errInvoiceNotOpen, `UPDATE invoices SET status = 'paid', paid_cents = paid_cents + ?, credit_cents = credit_cents + ?,
		paid_at = ?, payment_means = ?, order_id = ? WHERE id = ? AND status = 'open'`, paidCents, creditCents, tenants.FormatTime(paidAt), means, oid, invoiceID); err != nil {
		return fmt.Errorf("billing: settle invoice %d: %w", invoiceID, err)
	}
	return nil
}
