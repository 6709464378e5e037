package billing

import (
	"context"
	"fmt"
)

// Unpaid is what families still owe on their invoices "en cours".
type Unpaid struct {
	Invoices int
	Cents    int64 // what remains to pay on them (Invoice.DueCents)
}

// UnpaidInvoices counts the invoices "en cours" and what remains to pay
// on them (the back office's home page).
func UnpaidInvoices(ctx context.Context, q querier) (Unpaid, error) {
	var u Unpaid
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(total_cents - credit_cents - paid_cents), 0) FROM invoices WHERE status = 'open'`).
		Scan(&u.Invoices, &u.Cents)
	if err != nil {
		return u, fmt.Errorf("billing: unpaid invoices: %w", err)
	}
	return u, nil
}
