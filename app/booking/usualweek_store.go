package booking

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// LoadUsualWeek reads a household's usual week for a child (empty when
// none is saved). The child must be one the household looks after.
func LoadUsualWeek(ctx context.Context, q tenants.Querier, familyID, childID int64) (UsualWeek, error) {
	u := UsualWeek{ChildID: childID, Days: map[Parity]map[int64]calendar.WeekdaySet{}}
	if _, err := FamilyChild(ctx, q, familyID, childID); err != nil {
		return u, err
	}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var pid int64
		var parity Parity
		var mask int
		if err := row.Scan(&pid, &parity, &mask); err != nil {
			return err
		}
		if u.Days[parity] == nil {
			u.Days[parity] = map[int64]calendar.WeekdaySet{}
		}
		u.Days[parity][pid] = WeekdaysFromMask(mask)
		u.Alternating = u.Alternating || parity != EveryWeek
		return nil
	}, `SELECT prestation_id, parity, weekdays FROM usual_weeks WHERE family_id = ? AND child_id = ?`, familyID, childID)
	if err != nil {
		return u, fmt.Errorf("booking: usual week: %w", err)
	}
	return u, nil
}

// SaveUsualWeek replaces a household's usual week for a child, in one
// transaction. Only prestations sold by the day, on the days they are
// offered, are kept; a child the household does not look after is
// ErrNotFound.
func SaveUsualWeek(ctx context.Context, db *tenants.DB, familyID int64, u UsualWeek, now time.Time) error {
	return db.Tx(ctx, func(sqltx *sql.Tx) error {
		tx := db.InTx(sqltx)
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		return writeUsualWeek(ctx, tx, familyID, u, now, cfg.prestation)
	})
}

// SeedUsualWeek is SaveUsualWeek inside the caller's transaction (the
// demo's seed).
func SeedUsualWeek(ctx context.Context, tx *sql.Tx, familyID int64, u UsualWeek, now time.Time) error {
	return writeUsualWeek(ctx, tx, familyID, u, now, func(id int64) (Prestation, error) { return LoadPrestation(ctx, tx, id) })
}

// writeUsualWeek replaces the usual week in tx; prestation looks one up.
func writeUsualWeek(ctx context.Context, tx tenants.Querier, familyID int64, u UsualWeek, now time.Time, prestation func(int64) (Prestation, error)) error {
	if _, err := FamilyChild(ctx, tx, familyID, u.ChildID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM usual_weeks WHERE family_id = ? AND child_id = ?`, familyID, u.ChildID); err != nil {
		return fmt.Errorf("booking: usual week: %w", err)
	}
	parities := []Parity{EveryWeek}
	if u.Alternating {
		parities = []Parity{EvenWeeks, OddWeeks}
	}
	for _, parity := range parities {
		for pid, wd := range u.Days[parity] {
			p, err := prestation(pid)
			if err != nil {
				return err
			}
			mask := MaskFromWeekdays(wd) & MaskFromWeekdays(p.Weekdays)
			if p.IsForfait() || mask == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO usual_weeks (family_id, child_id, prestation_id, parity, weekdays, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, familyID, u.ChildID, pid, parity, mask, tenants.FormatTime(now)); err != nil {
				return fmt.Errorf("booking: usual week: %w", err)
			}
		}
	}
	return nil
}

// UsualRegie is what applying a usual week did in one régie.
type UsualRegie struct {
	Regie Regie
	Added int
}

// UsualResult is what applying a usual week did.
type UsualResult struct {
	From, To calendar.Date
	Regies   []UsualRegie // the régies of the usual week, in order
	Added    int
	Skipped  []UsualSkip
}

// ErrNoOpenWeek: no day of the usual week can be booked in the coming
// weeks.
var ErrNoOpenWeek = &Refusal{Message: "Aucun jour de votre semaine habituelle n'est encore réservable dans les 12 prochaines semaines."}

// ErrEmptyUsualWeek: nothing to book.
var ErrEmptyUsualWeek = &Refusal{Message: "Votre semaine habituelle est vide : cochez d'abord les jours habituels et enregistrez."}

// openWeekHorizon is how many weeks ahead "la prochaine semaine ouverte"
// is looked for.
const openWeekHorizon = 12

// ApplyUsualWeek puts the household's usual week for a child into its
// carts, in one transaction: from from to to, or, when from is zero, for
// the next week in which a day of it can still be booked. Every régie's
// demandes go through the same rules as the Vue Période; the parent then
// validates and pays each régie's cart as usual.
func ApplyUsualWeek(ctx context.Context, db *tenants.DB, familyID, childID int64, from, to calendar.Date, now time.Time) (UsualResult, error) {
	var out UsualResult
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		out = UsualResult{From: from, To: to}
		tx := db.InTx(sqltx)
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		u, err := LoadUsualWeek(ctx, tx, familyID, childID)
		if err != nil {
			return err
		}
		if u.Empty() {
			return ErrEmptyUsualWeek
		}
		for _, r := range cfg.regies {
			if !usesRegie(u, cfg.prestations[r.ID]) {
				continue
			}
			if out.From.IsZero() {
				monday := calendar.Today(now).Monday()
				b, err := booker(ctx, tx, cfg, familyID, r.ID, childID, monday, monday.AddDays(7*openWeekHorizon), now)
				if err != nil {
					return err
				}
				if week, ok := b.NextOpenWeek(u, openWeekHorizon); ok && (out.To.IsZero() || week.Before(out.To)) {
					out.To = week // the earliest open week of all régies, kept in To until all are seen
				}
			}
			out.Regies = append(out.Regies, UsualRegie{Regie: r})
		}
		if out.From.IsZero() {
			if out.To.IsZero() {
				return ErrNoOpenWeek
			}
			out.From, out.To = out.To, out.To.AddDays(6)
		}
		for i, ur := range out.Regies {
			b, err := booker(ctx, tx, cfg, familyID, ur.Regie.ID, childID, out.From, out.To, now)
			if err != nil {
				return err
			}
			ch, skips, err := b.PlanUsual(u, out.From, out.To)
			if err != nil {
				return err
			}
			if err := applyChange(ctx, tx, familyID, ch); err != nil {
				return err
			}
			out.Regies[i].Added = len(ch.Insert)
			out.Added += len(ch.Insert)
			out.Skipped = append(out.Skipped, skips...)
		}
		return nil
	})
	return out, err
}

// usesRegie reports whether u books one of the régie's prestations.
func usesRegie(u UsualWeek, prestations []Prestation) bool {
	for _, byPrestation := range u.Days {
		for pid, wd := range byPrestation {
			if _, ok := findPrestation(prestations, pid); ok && !wd.IsEmpty() {
				return true
			}
		}
	}
	return false
}
