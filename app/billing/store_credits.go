package billing

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/tenants"
)

// CreditBalance is the family's available credit in a régie.
func CreditBalance(ctx context.Context, q tenants.Querier, familyID, regieID int64) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = ? AND regie_id = ?`,
		familyID, regieID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("billing: credit balance: %w", err)
	}
	return n, nil
}

// NewCredit is one movement of the credits ledger.
type NewCredit struct {
	FamilyID      int64
	RegieID       int64
	Kind          string
	AmountCents   int64 // positive grants, negative uses
	Label         string
	OrderID       int64
	ReservationID int64
}

// addCredit writes a ledger row; a second row of the same kind for the same
// order or reservation is ignored (idempotent), which it reports.
func addCredit(ctx context.Context, tx *sql.Tx, c NewCredit, now time.Time) (bool, error) {
	if c.AmountCents == 0 {
		return false, nil
	}
	var oid, rid any
	if c.OrderID != 0 {
		oid = c.OrderID
	}
	if c.ReservationID != 0 {
		rid = c.ReservationID
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, order_id, reservation_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.FamilyID, c.RegieID, c.Kind, c.AmountCents, c.Label, oid, rid, tenants.FormatTime(now))
	if err != nil {
		return false, fmt.Errorf("billing: credit: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReservationCredit is a reservation to credit (a cancellation confirmed,
// a closure decided by the commune).
type ReservationCredit struct {
	FamilyID      int64
	RegieID       int64
	ReservationID int64
	AmountCents   int64
	Label         string
}

// CreditReservations credits the price of reservations that were paid
// (prepaid régies), once per reservation and kind ("cancel" or "closure").
// Post-paid reservations are simply not invoiced, so nothing is credited.
func CreditReservations(ctx context.Context, tx *sql.Tx, kind string, list []ReservationCredit, now time.Time) (int64, error) {
	var total int64
	for _, r := range list {
		reg, err := loadRegie(ctx, tx, r.RegieID)
		if err != nil {
			return 0, err
		}
		if reg.Mode != "prepaid" {
			continue
		}
		ok, err := addCredit(ctx, tx, NewCredit{FamilyID: r.FamilyID, RegieID: r.RegieID, Kind: kind,
			AmountCents: r.AmountCents, Label: r.Label, ReservationID: r.ReservationID}, now)
		if err != nil {
			return 0, err
		}
		if ok {
			total += r.AmountCents
		}
	}
	return total, nil
}

// FamilyCredits lists a family's credit movements, newest first.
func FamilyCredits(ctx context.Context, q tenants.Querier, familyID int64) ([]Credit, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Credit, error) {
		var c Credit
		var at string
		if err := row.Scan(&c.ID, &c.FamilyID, &c.RegieID, &c.Kind, &c.AmountCents, &c.Label, &c.OrderID, &at); err != nil {
			return c, err
		}
		c.CreatedAt = tenants.StoredTime(at)
		return c, nil
	}, `SELECT id, family_id, regie_id, kind, amount_cents, label, COALESCE(order_id, 0), created_at
		FROM credits WHERE family_id = ? AND kind NOT IN ('order', 'release') ORDER BY id DESC LIMIT 200`, familyID)
	if err != nil {
		return nil, fmt.Errorf("billing: family credits: %w", err)
	}
	return out, nil
}

// RegieBalance is a family's credit in one régie.
type RegieBalance struct {
	RegieID     int64
	RegieName   string
	AmountCents int64
}

// FamilyBalances lists the family's positive credit balances per régie.
func FamilyBalances(ctx context.Context, q tenants.Querier, familyID int64) ([]RegieBalance, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (RegieBalance, error) {
		var b RegieBalance
		err := row.Scan(&b.RegieID, &b.RegieName, &b.AmountCents)
		return b, err
	}, `SELECT c.regie_id, r.name, SUM(c.amount_cents) FROM credits c JOIN regies r ON r.id = c.regie_id
		WHERE c.family_id = ? GROUP BY c.regie_id HAVING SUM(c.amount_cents) > 0 ORDER BY r.position, r.name`, familyID)
	if err != nil {
		return nil, fmt.Errorf("billing: family balances: %w", err)
	}
	return out, nil
}
