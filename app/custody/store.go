package custody

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// ErrNotFound: a child or period that is not in this commune.
var ErrNotFound = tenants.NotFound("custody: not found")

// errDecidedMeanwhile: a proposal another request decided first (it is
// not found among the pending ones).
var errDecidedMeanwhile = errors.Join(ErrNotFound, errors.New("custody: proposal decided meanwhile"))

// Invalid is a custody change the rules refuse, with its French message.
type Invalid struct{ Message string }

func (e *Invalid) Error() string { return e.Message }

// Load reads the custody calendar of a child. Rules that name a household
// no longer linked to the child are left out.
func Load(ctx context.Context, q tenants.Querier, childID int64) (Calendar, error) {
	c := Calendar{ChildID: childID}
	err := q.QueryRowContext(ctx, `SELECT family_id FROM children WHERE id = ?`, childID).Scan(&c.Home)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("custody: child %d: %w", childID, err)
	}
	return LoadFor(ctx, q, childID, c.Home)
}

// LoadFor is Load for a child whose family (home) the caller has read: a
// child that is not shared costs one query.
func LoadFor(ctx context.Context, q tenants.Querier, childID, home int64) (Calendar, error) {
	c := Calendar{ChildID: childID, Home: home}
	var err error
	if c.Others, err = families.SharedHouseholds(ctx, q, childID); err != nil || len(c.Others) == 0 {
		return c, err
	}
	var a Alternation
	err = q.QueryRowContext(ctx, `SELECT even_family_id, odd_family_id FROM custody_alternations WHERE child_id = ?`, childID).Scan(&a.Even, &a.Odd)
	switch {
	case err == nil:
		if c.Household(a.Even) && c.Household(a.Odd) {
			c.Alternation = a
		}
	case !errors.Is(err, sql.ErrNoRows):
		return c, fmt.Errorf("custody: alternation of child %d: %w", childID, err)
	}
	periods, err := tenants.All(ctx, q, func(row tenants.Row) (Period, error) {
		var p Period
		err := row.Scan(&p.ID, &p.FamilyID, &p.First, &p.Last)
		return p, err
	}, `SELECT id, family_id, first_day, last_day FROM custody_periods WHERE child_id = ? ORDER BY id`, childID)
	if err != nil {
		return c, fmt.Errorf("custody: periods of child %d: %w", childID, err)
	}
	for _, p := range periods {
		if c.Household(p.FamilyID) {
			c.Periods = append(c.Periods, p)
		}
	}
	return c, nil
}

// SetAlternation gives even ISO weeks to the household even and odd ones
// to odd; both 0 removes the alternation. Both must be households of the
// shared child, and differ.
func SetAlternation(ctx context.Context, tx tenants.Querier, childID, even, odd int64, now time.Time) error {
	c, err := Load(ctx, tx, childID)
	if err != nil {
		return err
	}
	if even == 0 && odd == 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM custody_alternations WHERE child_id = ?`, childID)
		return err
	}
	switch {
	case !c.Shared():
		return &Invalid{"Rattachez d'abord le foyer du second parent à l'enfant."}
	case !c.Household(even) || !c.Household(odd):
		return &Invalid{"Choisissez, pour chaque semaine, un des foyers de l'enfant."}
	case even == odd:
		return &Invalid{"Les semaines paires et impaires doivent aller à deux foyers différents."}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO custody_alternations (child_id, even_family_id, odd_family_id, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (child_id) DO UPDATE SET even_family_id = excluded.even_family_id, odd_family_id = excluded.odd_family_id,
		updated_at = excluded.updated_at`, childID, even, odd, tenants.FormatTime(now))
	if err != nil {
		return fmt.Errorf("custody: set alternation of child %d: %w", childID, err)
	}
	return nil
}

// maxPeriodDays bounds one explicit period (a school year and its summer).
const maxPeriodDays = 400

// AddPeriod gives the days from first to last to a household of the
// shared child (holidays, an arrangement); it wins over the alternation
// and over earlier periods. It returns the period's identifier.
func AddPeriod(ctx context.Context, tx tenants.Querier, childID, familyID int64, first, last calendar.Date, now time.Time) (int64, error) {
	c, err := Load(ctx, tx, childID)
	if err != nil {
		return 0, err
	}
	if err := checkPeriod(c, familyID, first, last); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO custody_periods (child_id, family_id, first_day, last_day, created_at) VALUES (?, ?, ?, ?, ?)`,
		childID, familyID, first, last, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("custody: add period for child %d: %w", childID, err)
	}
	return res.LastInsertId()
}

// checkPeriod says why a period of familyID cannot be added to c.
func checkPeriod(c Calendar, familyID int64, first, last calendar.Date) error {
	switch {
	case !c.Shared():
		return &Invalid{"Rattachez d'abord le foyer du second parent à l'enfant."}
	case !c.Household(familyID):
		return &Invalid{"Choisissez un des foyers de l'enfant."}
	case first.IsZero() || last.IsZero():
		return &Invalid{"Indiquez les dates de début et de fin (JJ/MM/AAAA)."}
	case last.Before(first):
		return &Invalid{"La date de fin est avant la date de début."}
	case last.Sub(first) >= maxPeriodDays:
		return &Invalid{"Une période dure au plus 400 jours."}
	}
	return nil
}

// DeletePeriod removes one period of the child's calendar.
func DeletePeriod(ctx context.Context, tx tenants.Querier, childID, periodID int64) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM custody_periods WHERE id = ? AND child_id = ?`, periodID, childID); err != nil {
		return fmt.Errorf("custody: delete period %d: %w", periodID, err)
	}
	return nil
}
