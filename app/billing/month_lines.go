package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/tenants"
)

// monthLines is what a monthly run invoices to one family in one régie:
// in a post-paid régie, the month's validated bookings and forfaits, and
// the days of a declared absence that stay due (dueAbsences); in
// every régie, the majorations of the month (a child marked present at
// the pointage without a booking: the day's price, as the family's
// quotient familial sets it, plus the prestation's majoration). Only
// service done is invoiced: a day booked that was not open (a public
// holiday, a closure, school holidays: cal) is left out.
func monthLines(ctx context.Context, q tenants.Querier, cal *calendar.Calendar, regie booking.Regie, familyID int64, year int, month time.Month) ([]Line, error) {
	var lines []Line
	if !regie.Prepaid() {
		res, err := booking.MonthReservations(ctx, q, familyID, regie.ID, year, month)
		if err != nil {
			return nil, err
		}
		due, err := dueAbsences(ctx, q, familyID, regie.ID, year, month)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if (r.State != booking.StateValidated && !due[r.ID]) || (r.ForfaitFrom.IsZero() && !cal.IsOpen(r.Day)) {
				continue
			}
			l := Line{ReservationID: r.ID, ChildName: r.ChildName, Prestation: r.PrestationName, Day: r.Day,
				Quantity: 1, UnitCents: r.PriceCents, AmountCents: r.PriceCents}
			if due[r.ID] {
				l.Label = "Absence non remboursée (jour de carence ou sans certificat médical)"
			}
			if !r.ForfaitFrom.IsZero() {
				l.Label = "Forfait du " + r.ForfaitFrom.FR() + " au " + r.ForfaitUntil.FR()
			}
			lines = append(lines, l)
		}
	}
	extra, err := MajorationLines(ctx, q, familyID, regie.ID, year, month)
	if err != nil {
		return nil, err
	}
	for _, l := range extra {
		if cal.IsOpen(l.Day) {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// dueAbsences are the reservations of the month cancelled by an absence
// the family declared that stays due (app/absences: a jour de carence,
// or no medical certificate where the commune requires one).
func dueAbsences(ctx context.Context, q tenants.Querier, familyID, regieID int64, year int, month time.Month) (map[int64]bool, error) {
	first := calendar.DateOf(year, month, 1)
	ids, err := tenants.Values[int64](ctx, q, `SELECT reservation_id FROM absences WHERE family_id = ? AND regie_id = ? AND billable = 1
		AND day BETWEEN ? AND ?`, familyID, regieID, first, first.AddMonths(1).AddDays(-1))
	if err != nil {
		return nil, fmt.Errorf("billing: due absences: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Majoration is the amount added to base (the day's price) for a child
// present without a booking: kind "percent" adds value % of base (rounded
// to the nearest cent), "fixed" adds value cents, "" adds nothing.
func Majoration(base int64, kind string, value int64) int64 {
	switch kind {
	case "percent":
		return (base*value + 50) / 100
	case "fixed":
		return value
	}
	return 0
}

// MajorationLines lists, for one family and régie, the children marked
// present without a booking during the month (attendance.unbooked), each
// priced at the day's price plus the prestation's majoration.
func MajorationLines(ctx context.Context, q tenants.Querier, familyID, regieID int64, year int, month time.Month) ([]Line, error) {
	first := calendar.DateOf(year, month, 1)
	type present struct {
		day        calendar.Date
		prestation int64
		childID    int64
		home       int64 // the child's own family
		child      string
		kind       string
		value      int64
	}
	list, err := tenants.All(ctx, q, func(row tenants.Row) (present, error) {
		var p present
		err := row.Scan(&p.day, &p.prestation, &p.childID, &p.home, &p.child, &p.kind, &p.value)
		return p, err
	}, `
		SELECT a.day, a.prestation_id, ch.id, ch.family_id, ch.first_name || ' ' || ch.last_name, p.surcharge_kind, p.surcharge_value
		FROM attendance a JOIN children ch ON ch.id = a.child_id JOIN prestations p ON p.id = a.prestation_id
		WHERE (ch.family_id = ? OR EXISTS (SELECT 1 FROM child_households h WHERE h.child_id = ch.id AND h.family_id = ?))
			AND p.regie_id = ? AND a.status = 'present' AND a.unbooked = 1 AND a.day BETWEEN ? AND ?
		ORDER BY a.day, ch.first_name`, familyID, familyID, regieID, first, first.AddMonths(1).AddDays(-1))
	if err != nil {
		return nil, fmt.Errorf("billing: majorations: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	// A shared child's day is invoiced to the household the custody
	// calendar gives it to (issue 14): one invoice per paying guardian.
	keepers := map[int64]custody.Calendar{}
	kept := list[:0]
	for _, p := range list {
		keep, ok := keepers[p.childID]
		if !ok {
			if keep, err = custody.LoadFor(ctx, q, p.childID, p.home); err != nil {
				return nil, err
			}
			keepers[p.childID] = keep
		}
		if keep.Books(familyID, p.day) {
			kept = append(kept, p)
		}
	}
	if list = kept; len(list) == 0 {
		return nil, nil
	}
	qf, err := booking.FamilyQF(ctx, q, familyID)
	if err != nil {
		return nil, err
	}
	var out []Line
	for _, p := range list {
		pr, err := booking.LoadPrestation(ctx, q, p.prestation)
		if err != nil {
			return nil, err
		}
		base := calendar.Price(pr.Price, qf, p.day)
		unit := base + Majoration(base, p.kind, p.value)
		label := "Présent sans réservation"
		if p.kind != "" {
			label += " (majoration " + FormatCents(unit-base) + ")"
		}
		out = append(out, Line{ChildName: p.child, Prestation: pr.Name, Day: p.day, Label: label, Quantity: 1, UnitCents: unit, AmountCents: unit})
	}
	return out, nil
}

// PreviewFamily is what a monthly run would invoice to one family in one
// régie.
type PreviewFamily struct {
	RegieID    int64
	RegieName  string
	FamilyID   int64
	FamilyName string
	Lines      int
	TotalCents int64
}

// MonthPreview is what RunMonth would do, computed without writing.
type MonthPreview struct {
	Families   []PreviewFamily
	Existing   int // families already invoiced for the month
	TotalCents int64
}

// PreviewMonth computes, without writing anything, the invoices a monthly
// run for year-month would create: per family and régie, the number of
// lines and the total, and the grand total.
func PreviewMonth(ctx context.Context, q tenants.Querier, year int, month time.Month) (MonthPreview, error) {
	var out MonthPreview
	key := fmt.Sprintf("%04d-%02d", year, int(month))
	regies, err := booking.Regies(ctx, q)
	if err != nil {
		return out, err
	}
	families, err := familyIDs(ctx, q)
	if err != nil {
		return out, err
	}
	cal, err := booking.LoadCalendar(ctx, q)
	if err != nil {
		return out, err
	}
	for _, r := range regies {
		for _, fam := range families {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoices WHERE regie_id = ? AND family_id = ? AND period_key = ?`,
				r.ID, fam, key).Scan(&n); err != nil {
				return out, err
			}
			if n > 0 {
				out.Existing++
				continue
			}
			lines, err := monthLines(ctx, q, cal, r, fam, year, month)
			if err != nil || len(lines) == 0 {
				if err != nil {
					return out, err
				}
				continue
			}
			pf := PreviewFamily{RegieID: r.ID, RegieName: r.Name, FamilyID: fam, Lines: len(lines)}
			if pf.FamilyName, err = payerName(ctx, q, fam); err != nil {
				return out, err
			}
			for _, l := range lines {
				pf.TotalCents += l.AmountCents
			}
			out.TotalCents += pf.TotalCents
			out.Families = append(out.Families, pf)
		}
	}
	return out, nil
}

// Refund means.
const (
	RefundCheque   = "cheque"
	RefundTransfer = "virement"
)

// Refund is a credit paid back to a family by hand.
type Refund struct {
	FamilyID    int64
	RegieID     int64
	AmountCents int64
	Day         calendar.Date // the day of the cheque or transfer
	Means       string        // RefundCheque or RefundTransfer
	Reference   string        // cheque number, transfer reference
}

// ErrRefundTooHigh: a refund cannot exceed the family's credit.
var ErrRefundTooHigh = errors.New("le remboursement dépasse l'avoir disponible")

// RefundCredit records, inside tx, a refund of the family's credit in a
// régie (a negative 'refund' row of the ledger) and returns the new
// balance. The amount must be positive and at most the available balance,
// read inside the same write transaction (ErrRefundTooHigh otherwise).
func RefundCredit(ctx context.Context, tx *sql.Tx, r Refund, now time.Time) (int64, error) {
	if r.AmountCents <= 0 || r.Day.IsZero() || (r.Means != RefundCheque && r.Means != RefundTransfer) {
		return 0, fmt.Errorf("billing: invalid refund %+v", r)
	}
	balance, err := CreditBalance(ctx, tx, r.FamilyID, r.RegieID)
	if err != nil {
		return 0, err
	}
	if r.AmountCents > balance {
		return balance, ErrRefundTooHigh
	}
	means := map[string]string{RefundCheque: "chèque", RefundTransfer: "virement"}[r.Means]
	label := "Remboursement par " + means + " du " + r.Day.FR()
	if r.Reference != "" {
		label += " (réf. " + r.Reference + ")"
	}
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: r.FamilyID, RegieID: r.RegieID, Kind: "refund",
		AmountCents: -r.AmountCents, Label: label}, now); err != nil {
		return 0, err
	}
	return balance - r.AmountCents, nil
}

// AddCredit writes one movement of the credits ledger inside tx (e.g. a
// closure's share of a forfait); a second movement of the same kind for
// the same order or reservation is ignored, which it reports.
func AddCredit(ctx context.Context, tx *sql.Tx, c NewCredit, now time.Time) (bool, error) {
	return addCredit(ctx, tx, c, now)
}
