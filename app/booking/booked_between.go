package booking

import (
	"context"
	"fmt"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// ChildrenBookedBetween lists the children who have something on a day
// between from and to (inclusive): a validated booking (a day, or a
// forfait period overlapping it) or a place held by an order waiting for
// its payment. The booking cut-off reminder (app/reminder) skips them.
func ChildrenBookedBetween(ctx context.Context, q tenants.Querier, from, to calendar.Date) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT child_id FROM reservations
		WHERE state = 'validated' AND day <= ?2 AND COALESCE(forfait_until, day) >= ?1
		UNION
		SELECT child_id FROM holds
		WHERE action = 'add' AND day <= ?2 AND COALESCE(forfait_until, day) >= ?1`, from, to)
	if err != nil {
		return nil, fmt.Errorf("booking: children booked between %s and %s: %w", from, to, err)
	}
	ids, err := tenants.Column[int64](rows)
	if err != nil {
		return nil, fmt.Errorf("booking: children booked between %s and %s: %w", from, to, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// AllPrestations lists the prestations of every active régie, in the
// agenda's order.
func AllPrestations(ctx context.Context, q tenants.Querier) ([]Prestation, error) {
	regies, err := Regies(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Prestation
	for _, r := range regies {
		list, err := Prestations(ctx, q, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}
