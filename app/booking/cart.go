package booking

import (
	"context"
	"database/sql"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/tenants"
)

// Click is a parent's click on an agenda cell.
type Click struct {
	FamilyID     int64
	RegieID      int64
	ChildID      int64
	PrestationID int64
	Day          calendar.Date
	Intent       Intent
}

// booker loads, inside q, what deciding for one child of a régie needs;
// the régie's prestations and the calendar come from cfg (nil: read
// through q).
func booker(ctx context.Context, q tenants.Querier, cfg *communeConfig, familyID, regieID, childID int64, from, to calendar.Date, now time.Time) (*Booker, error) {
	child, err := FamilyChild(ctx, q, familyID, childID)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		if cfg, err = configIn(ctx, q); err != nil {
			return nil, err
		}
	}
	prestations, cal := cfg.prestations[regieID], cfg.cal
	qf, err := FamilyQF(ctx, q, familyID)
	if err != nil {
		return nil, err
	}
	led, err := LoadLedger(ctx, q, child, prestations, from, to)
	if err != nil {
		return nil, err
	}
	keep, err := custody.LoadFor(ctx, q, child.ID, child.FamilyID)
	if err != nil {
		return nil, err
	}
	return &Booker{FamilyID: familyID, Child: child, Custody: &keep, Prestations: prestations, Calendar: cal, QF: qf, Now: now, Ledger: led}, nil
}

func findPrestation(list []Prestation, id int64) (Prestation, bool) {
	for _, p := range list {
		if p.ID == id {
			return p, true
		}
	}
	return Prestation{}, false
}

// ToggleCell applies a click in one transaction: the child must be of the
// family and the prestation of the régie (ErrNotFound otherwise); a rule
// that refuses returns an error wrapping ErrRefused and changes nothing.
// It returns the change made.
func ToggleCell(ctx context.Context, db *tenants.DB, in Click, now time.Time) (Change, error) {
	var ch Change
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		tx := db.InTx(sqltx)
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		b, err := booker(ctx, tx, cfg, in.FamilyID, in.RegieID, in.ChildID, in.Day, in.Day, now)
		if err != nil {
			return err
		}
		p, ok := findPrestation(b.Prestations, in.PrestationID)
		if !ok {
			return ErrNotFound
		}
		if ch, err = b.Toggle(p, in.Day, in.Intent); err != nil {
			return err
		}
		return applyChange(ctx, tx, in.FamilyID, ch)
	})
	return ch, err
}

// PeriodResult is what a "Vue Période" request did.
type PeriodResult struct {
	Added   int
	Skipped []Skip
	Lines   []CartLine
}

// AddPeriod puts every matching open day of the period into the cart, for
// each chosen child, in one transaction; skipped days come back with their
// reasons. A child of another family is ErrNotFound and nothing changes.
func AddPeriod(ctx context.Context, db *tenants.DB, familyID int64, req PeriodRequest, now time.Time) (PeriodResult, error) {
	var out PeriodResult
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		out = PeriodResult{}
		tx := db.InTx(sqltx)
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		if _, err := cfg.regie(req.RegieID); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, childID := range req.ChildIDs {
			if seen[childID] {
				continue
			}
			seen[childID] = true
			b, err := booker(ctx, tx, cfg, familyID, req.RegieID, childID, req.From, req.To, now)
			if err != nil {
				return err
			}
			ch, skips, err := b.Plan(req)
			if err != nil {
				return err
			}
			if err := applyChange(ctx, tx, familyID, ch); err != nil {
				return err
			}
			out.Added += len(ch.Insert)
			out.Lines = append(out.Lines, ch.Insert...)
			out.Skipped = append(out.Skipped, skips...)
		}
		return nil
	})
	return out, err
}

// ClearCart empties the family's cart of one régie ("Vider").
func ClearCart(ctx context.Context, db *tenants.DB, familyID, regieID int64) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE family_id = ? AND regie_id = ?`, familyID, regieID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RemovedLine is a cart line taken out by a re-check, with its French
// reason.
type RemovedLine struct {
	Line   CartLine
	Reason string
}

// Text is "REPAS CLASSIQUE ENFANT du 12/12/2025 pour Fille FAMILLE X :
// délai dépassé".
func (r RemovedLine) Text() string {
	what := r.Line.PrestationName
	if r.Line.Action == ActionCancel {
		what = "Annulation de " + what
	}
	return what + " du " + r.Line.Day.FR() + " pour " + r.Line.ChildName + " : " + r.Reason
}

// expired reports why a line's deadline has passed, or "".
func expired(l CartLine, p Prestation, cal *calendar.Calendar, now time.Time) string {
	if l.Action == ActionCancel {
		if !CanCancel(p, l.Day, cal, now) {
			return "délai d'annulation dépassé"
		}
		return ""
	}
	if !p.Booking.OpenIn(l.Day, now, cal) {
		return reasonLabels[ReasonDeadline]
	}
	return ""
}

// PurgeExpired drops the family's demandes (and annulations) of a régie
// whose deadline has passed, and returns them for a notice. It reads
// first and writes only when something expired.
func PurgeExpired(ctx context.Context, db *tenants.DB, familyID, regieID int64, now time.Time) ([]RemovedLine, error) {
	return purgeExpired(ctx, db, nil, familyID, regieID, now)
}

// purgeExpired is PurgeExpired with the configuration cfg (nil: load it).
func purgeExpired(ctx context.Context, db *tenants.DB, cfg *communeConfig, familyID, regieID int64, now time.Time) ([]RemovedLine, error) {
	r := db.Reader()
	lines, err := CartLines(ctx, r, familyID, regieID)
	if err != nil || len(lines) == 0 {
		return nil, err
	}
	if cfg == nil {
		if cfg, err = loadConfig(ctx, db, r); err != nil {
			return nil, err
		}
	}
	prestations, cal := cfg.prestations[regieID], cfg.cal
	var gone []RemovedLine
	var ids []int64
	for _, l := range lines {
		p, ok := findPrestation(prestations, l.PrestationID)
		if !ok {
			continue
		}
		if why := expired(l, p, cal, now); why != "" {
			gone = append(gone, RemovedLine{Line: l, Reason: why})
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error { return deleteLines(ctx, db.InTx(tx), familyID, ids) })
	return gone, err
}

// ValidateResult is what "Valider" did for a post-paid régie.
type ValidateResult struct {
	Confirmed []ConfirmedLine
	Removed   []RemovedLine
}

// ErrPrepaid: a prepaid régie's cart is validated by paying (billing).
var ErrPrepaid = &Refusal{Message: "Ce service est payable à la réservation : validez votre panier pour passer au paiement."}

// ValidatePostpaid validates the cart of a post-paid régie at once: every
// line is checked again, those that no longer hold are removed (and
// returned with their reasons), the others become validated reservations
// or cancellations, invoiced later by billing's monthly run.
func ValidatePostpaid(ctx context.Context, db *tenants.DB, familyID, regieID int64, now time.Time) (ValidateResult, error) {
	var out ValidateResult
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		out = ValidateResult{}
		tx := db.InTx(sqltx)
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		regie, err := cfg.regie(regieID)
		if err != nil {
			return err
		}
		if regie.Prepaid() {
			return ErrPrepaid
		}
		check, err := checkCart(ctx, tx, cfg, familyID, regieID, now, false)
		if err != nil {
			return err
		}
		ids := make([]int64, len(check.Lines))
		for i, l := range check.Lines {
			ids[i] = l.ID
		}
		res, err := confirmLines(ctx, tx, cfg, familyID, ids, "", now)
		if err != nil {
			return err
		}
		out.Confirmed = res.Confirmed
		out.Removed = append(check.Removed, res.Rejected...)
		return nil
	})
	return out, err
}
