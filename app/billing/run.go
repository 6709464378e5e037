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
	if !MonthEnded(year, month, s.now()) {
		return rep, &MonthNotEndedError{Year: year, Month: month}
	}
	key := fmt.Sprintf("%04d-%02d", year, int(month))
	regies, err := booking.Regies(ctx, db.Reader())
	if err != nil {
		return rep, err
	}
	cal, err := booking.LoadCalendar(ctx, db.Reader())
	if err != nil {
		return rep, err
	}
	families, err := familyIDs(ctx, db.Reader())
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
			created, total, err := s.invoiceMonth(ctx, db, com, monthRun{cal: cal, regie: r, year: year, month: month, key: key, link: link}, fam)
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

// monthRun is one monthly run of one régie.
type monthRun struct {
	cal   *calendar.Calendar
	regie booking.Regie
	year  int
	month time.Month
	key   string // "2026-11"
	link  string // "Mes factures", for the email
}

// invoiceMonth invoices one family in one régie for one month, in its own
// short transaction. The invoice's period is the month; an open invoice
// of the family too small to be paid online (under MinOnlineCents) is
// carried onto it.
func (s *Service) invoiceMonth(ctx context.Context, db *tenants.DB, com tenants.Commune, run monthRun, familyID int64) (int, int64, error) {
	regieID := run.regie.ID
	now := s.now()
	outcome, total := runNothing, int64(0)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		outcome, total = runNothing, 0
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoices WHERE regie_id = ? AND family_id = ? AND period_key = ?`,
			regieID, familyID, run.key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			outcome = runExisting
			return nil
		}
		lines, err := monthLines(ctx, tx, run.cal, run.regie, familyID, run.year, run.month)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return nil
		}
		first := calendar.DateOf(run.year, run.month, 1)
		small, err := smallOpenInvoices(ctx, tx, familyID, regieID)
		if err != nil {
			return err
		}
		for _, inv := range small {
			lines = append(lines, Line{ChildName: inv.PayerName, Prestation: "Report de la facture " + inv.Number,
				Day: first, Label: "reste à payer, sous le minimum du paiement en ligne", Quantity: 1,
				UnitCents: inv.DueCents(), AmountCents: inv.DueCents()})
		}
		today := calendar.Today(now)
		inv, err := CreateInvoice(ctx, tx, NewInvoice{RegieID: regieID, FamilyID: familyID, Status: InvoiceOpen,
			IssuedOn: today, DueOn: today.AddDays(30), PeriodKey: run.key, PeriodStart: first,
			PeriodEnd: first.AddMonths(1).AddDays(-1), Lines: lines}, now)
		if err != nil {
			return err
		}
		for _, old := range small {
			if err := markInvoicePaid(ctx, tx, old.ID, 0, 0, now, "Reporté sur la facture "+inv.Number, 0); err != nil {
				return err
			}
		}
		outcome, total = runCreated, inv.TotalCents
		return s.queueNewInvoice(ctx, tx, com, inv, run.link, now)
	})
	return outcome, total, err
}

// smallOpenInvoices lists the family's open invoices in a régie whose
// remainder cannot be paid online (under MinOnlineCents) and that no
// order is paying.
func smallOpenInvoices(ctx context.Context, tx *sql.Tx, familyID, regieID int64) ([]Invoice, error) {
	list, err := FamilyInvoices(ctx, tx, familyID)
	if err != nil {
		return nil, err
	}
	var out []Invoice
	for _, inv := range list {
		if inv.RegieID != regieID || inv.Paid() || inv.DueCents() <= 0 || inv.DueCents() >= MinOnlineCents {
			continue
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE invoice_id = ? AND status = 'pending'`, inv.ID).Scan(&pending); err != nil {
			return nil, err
		}
		if pending == 0 {
			out = append(out, inv)
		}
	}
	return out, nil
}

// MonthEnded reports whether the month is over in Paris at now: post-paid
// invoicing follows "service fait", so only an ended month is invoiced.
func MonthEnded(year int, month time.Month, now time.Time) bool {
	return !calendar.Today(now).Before(calendar.DateOf(year, month, 1).AddMonths(1))
}

// MonthNotEndedError: the month asked for has not ended yet.
type MonthNotEndedError struct {
	Year  int
	Month time.Month
}

func (e *MonthNotEndedError) Error() string {
	return fmt.Sprintf("billing: %04d-%02d has not ended: a month is invoiced once it is over", e.Year, int(e.Month))
}

// Message says it in French, with the first day the run is possible.
func (e *MonthNotEndedError) Message() string {
	first := calendar.DateOf(e.Year, e.Month, 1)
	return fmt.Sprintf("Le mois de %02d/%d n'est pas terminé : la facturation suit le service fait, elle sera possible à partir du %s.",
		int(e.Month), e.Year, first.AddMonths(1).FR())
}

func familyIDs(ctx context.Context, q tenants.Querier) ([]int64, error) {
	out, err := tenants.Values[int64](ctx, q, `SELECT id FROM families ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("billing: families: %w", err)
	}
	return out, nil
}
