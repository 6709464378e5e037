package absences

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// Withdrawn is what withdrawing a declared absence did.
type Withdrawn struct {
	// ReservationID is the child's booking of the day, validated again
	// (0: there was no declared absence).
	ReservationID int64
	// TakenBackCents is the avoir the absence had granted and that is
	// taken back; NotTakenBackCents the part the family had spent already
	// (the balance never goes below zero: the staff are told).
	TakenBackCents, NotTakenBackCents int64
}

// Withdraw takes back, in tx, the absence the family declared for the
// child on day for prestationID, because the staff marked the child
// present at the pointage: the child came after all, so the day is what
// the family had booked. The booking the absence cancelled is validated
// again (a place counted), so the day is invoiced as a booked day (a
// post-paid month line, never a majoration of a child present without a
// booking); the avoir the rule granted is taken back, as far as the
// family's balance allows; the absence is deleted, and its certificate
// when no other absence refers to it. Without a declared absence it does
// nothing.
func Withdraw(ctx context.Context, tx *sql.Tx, childID, prestationID int64, day calendar.Date, now time.Time) (Withdrawn, error) {
	var out Withdrawn
	var id, reservation, familyID, regieID, credit int64
	var cert sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, reservation_id, family_id, regie_id, credit_cents, certificate_id FROM absences
		WHERE child_id = ? AND prestation_id = ? AND day = ?`, childID, prestationID, day).
		Scan(&id, &reservation, &familyID, &regieID, &credit, &cert)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("absences: withdraw: %w", err)
	}
	if out.ReservationID, err = booking.RestoreReservation(ctx, tx, reservation); err != nil {
		return out, err
	}
	if credit > 0 {
		balance, err := billing.CreditBalance(ctx, tx, familyID, regieID)
		if err != nil {
			return out, err
		}
		out.TakenBackCents = min(credit, max(balance, 0))
		out.NotTakenBackCents = credit - out.TakenBackCents
		if _, err := billing.AddCredit(ctx, tx, billing.NewCredit{FamilyID: familyID, RegieID: regieID, Kind: "restore",
			AmountCents: -out.TakenBackCents, ReservationID: reservation,
			Label: "Absence du " + day.FR() + " retirée : enfant présent au pointage"}, now); err != nil {
			return out, err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM absences WHERE id = ?`, id); err != nil {
		return out, fmt.Errorf("absences: withdraw %d: %w", id, err)
	}
	if cert.Valid {
		if _, err := tx.ExecContext(ctx, `DELETE FROM absence_certificates WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM absences WHERE certificate_id = ?)`, cert.Int64, cert.Int64); err != nil {
			return out, fmt.Errorf("absences: certificate %d: %w", cert.Int64, err)
		}
	}
	return out, nil
}
