package billing

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// labelUnbooked starts the label of a line of a child present without a
// booking (MajorationLines).
const labelUnbooked = "Présent sans réservation"

// ExplainInvoice puts "Pourquoi ce prix ?" on each line of an invoice of
// the family: the grid and bracket (booking.ExplainPrice, the cart's own
// pricing), the majoration of a child present without a booking
// (Majoration, as the monthly run applied it) and the credit the invoice
// deducted. A line whose prestation no longer exists stays unexplained.
func ExplainInvoice(ctx context.Context, q tenants.Querier, inv *Invoice) error {
	qf, err := booking.FamilyQF(ctx, q, inv.FamilyID)
	if err != nil {
		return err
	}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		pid, err := linePrestation(ctx, q, inv, *l)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		p, err := booking.LoadPrestation(ctx, q, pid)
		if errors.Is(err, booking.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		charged, cancel := l.UnitCents, l.UnitCents < 0
		if cancel {
			charged = -charged
		}
		var majoration string
		if strings.HasPrefix(l.Label, labelUnbooked) {
			s, err := booking.PrestationSurcharge(ctx, q, pid)
			if err != nil {
				return err
			}
			base := calendar.Price(p.Price, qf, l.Day)
			if m := Majoration(base, s.Kind, s.Value); m > 0 && base+m == charged {
				charged = base
				majoration = "Majoration : + " + FormatCents(m) + " (présent sans réservation" + surchargeRule(s) + ")."
			}
		}
		w := booking.ExplainPrice(p, qf, l.Day, charged)
		if majoration != "" {
			w.Notes = append(w.Notes, majoration)
		}
		if cancel {
			w.Notes = append(w.Notes, "Annulation : le prix payé à la réservation vous est rendu.")
		}
		if inv.CreditCents > 0 {
			w.Notes = append(w.Notes, "Avoir déduit sur cette facture : "+FormatCents(inv.CreditCents)+" (sur le total).")
		}
		l.Why = &w
	}
	return nil
}

// surchargeRule is ", règle de la commune : 10 %" or ", 1,00 €".
func surchargeRule(s booking.Surcharge) string {
	switch s.Kind {
	case "percent":
		return ", règle de la commune : " + strconv.FormatInt(s.Value, 10) + " %"
	case "fixed":
		return ", règle de la commune : " + FormatCents(s.Value)
	}
	return ""
}

// linePrestation finds the prestation of an invoice line: its
// reservation's, or the régie's prestation of that name.
func linePrestation(ctx context.Context, q tenants.Querier, inv *Invoice, l Line) (int64, error) {
	var id int64
	if l.ReservationID != 0 {
		err := q.QueryRowContext(ctx, `SELECT prestation_id FROM reservations WHERE id = ? AND family_id = ?`, l.ReservationID, inv.FamilyID).Scan(&id)
		if !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	err := q.QueryRowContext(ctx, `SELECT id FROM prestations WHERE regie_id = ? AND name = ?`, inv.RegieID, l.Prestation).Scan(&id)
	return id, err
}
