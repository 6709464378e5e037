package billing

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// RunReport is what a monthly invoicing run did.
type RunReport struct {
	Regies, Created, Existing, Skipped int
	TotalCents                         int64
}

// RunMonth invoices the month's validated bookings and forfaits of every
// post-paid régie, and the month's majorations of every régie (see
// monthLines), one invoice "en cours" per family and régie, once: a
// family already invoiced for that month is left alone, so running it
// twice creates nothing new. link is the "Mes factures" URL for the email.
func (s *Service) RunMonth(ctx context.Context, db *tenants.DB, com tenants.Commune, year int, month time.Month, link string) (RunReport, error) {
	return s.RunMonthProgress(ctx, db, com, year, month, link, nil)
}

// RunMonthProgress is RunMonth, calling progress (when not nil) after each
// family and régie with the count done and the total.
func (s *Service) RunMonthProgress(ctx context.Context, db *tenants.DB, com tenants.Commune, year int, month time.Month, link string,
	progress func(done, total int)) (RunReport, error) {
	var rep RunReport
	key := fmt.Sprintf("%04d-%02d", year, int(month))
	regies, err := booking.Regies(ctx, db.R)
	if err != nil {
		return rep, err
	}
	families, err := familyIDs(ctx, db.R)
	if err != nil {
		return rep, err
	}
	done, all := 0, len(regies)*len(families)
	for _, r := range regies {
		// A prepaid régie's bookings are paid when made: the run invoices
		// its majorations only (children present without a booking).
		if !r.Prepaid() {
			rep.Regies++
		}
		for _, fam := range families {
			created, total, err := s.invoiceMonth(ctx, db, com, r, fam, year, month, key, link)
			if err != nil {
				return rep, fmt.Errorf("billing: run %s régie %d family %d: %w", key, r.ID, fam, err)
			}
			switch created {
			case runCreated:
				rep.Created++
				rep.TotalCents += total
			case runExisting:
				rep.Existing++
			default:
				rep.Skipped++
			}
			if done++; progress != nil {
				progress(done, all)
			}
		}
	}
	if rep.Created > 0 {
		s.mailed(com)
	}
	return rep, nil
}

const (
	runNothing = iota
	runCreated
	runExisting
)

// invoiceMonth invoices one family in one régie for one month, in its own
// short transaction.
func (s *Service) invoiceMonth(ctx context.Context, db *tenants.DB, com tenants.Commune, regie booking.Regie, familyID int64, year int, month time.Month, key, link string) (int, int64, error) {
	regieID := regie.ID
	now := s.now()
	outcome, total := runNothing, int64(0)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		outcome, total = runNothing, 0
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoices WHERE regie_id = ? AND family_id = ? AND period_key = ?`,
			regieID, familyID, key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			outcome = runExisting
			return nil
		}
		lines, err := monthLines(ctx, tx, regie, familyID, year, month)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return nil
		}
		today := calendar.Today(now)
		inv, err := CreateInvoice(ctx, tx, NewInvoice{RegieID: regieID, FamilyID: familyID, Status: InvoiceOpen,
			IssuedOn: today, DueOn: today.AddDays(30), PeriodKey: key, Lines: lines}, now)
		if err != nil {
			return err
		}
		outcome, total = runCreated, inv.TotalCents
		return queueNewInvoice(ctx, tx, com, inv, link, now)
	})
	return outcome, total, err
}

func familyIDs(ctx context.Context, q querier) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM families ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("billing: families: %w", err)
	}
	return tenants.Column[int64](rows)
}
