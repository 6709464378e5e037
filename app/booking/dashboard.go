package booking

import (
	"context"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Read functions for the back office's home page and lists.

// DayCount is how many children are booked for one prestation at one
// school (the child's school at booking) on one day, of whom PAI many
// have a projet d'accueil individualisé.
type DayCount struct {
	SchoolID   int64
	School     string // "" for children without a school
	Prestation string
	Count      int
	PAI        int
}

// DayCounts counts the validated bookings of day per school and
// prestation (a forfait counts on the weekdays its prestation is held),
// schools then prestations in their order.
func DayCounts(ctx context.Context, q tenants.Querier, day calendar.Date) ([]DayCount, error) {
	var out []DayCount
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var c DayCount
		var kind string
		var mask int
		if err := row.Scan(&c.SchoolID, &c.School, &c.Prestation, &kind, &mask, &c.Count, &c.PAI); err != nil {
			return err
		}
		if kind == KindForfait && !WeekdaysFromMask(mask).Has(day.Weekday()) {
			return nil
		}
		out = append(out, c)
		return nil
	}, `SELECT r.site_id, COALESCE(s.name, ''), p.name, p.kind, p.weekdays, COUNT(*), SUM(ch.pai)
		FROM reservations r
		JOIN prestations p ON p.id = r.prestation_id
		JOIN children ch ON ch.id = r.child_id
		LEFT JOIN schools s ON s.id = r.site_id
		WHERE r.state = 'validated' AND r.day <= ? AND COALESCE(r.forfait_until, r.day) >= ?
		GROUP BY r.site_id, p.id
		ORDER BY s.name IS NULL, s.name, p.position, p.name`, day, day)
	if err != nil {
		return nil, fmt.Errorf("booking: day counts: %w", err)
	}
	return out, nil
}

// PendingCart is a family's cart in one régie that is not validated yet.
type PendingCart struct {
	FamilyID   int64
	Family     string
	Regie      string
	Lines      int
	AddCents   int64     // the demandes' prices (annulations not counted)
	OldestLine time.Time // when its oldest line was put in the cart
}

// PendingCarts lists the carts not validated, the oldest first (at most
// limit; 0: 500), and how many there are in all.
func PendingCarts(ctx context.Context, q tenants.Querier, limit int) ([]PendingCart, int, error) {
	if limit <= 0 {
		limit = 500
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cart_lines GROUP BY family_id, regie_id)`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("booking: pending carts: %w", err)
	}
	out, err := tenants.All(ctx, q, func(row tenants.Row) (PendingCart, error) {
		var c PendingCart
		var oldest string
		if err := row.Scan(&c.FamilyID, &c.Family, &c.Regie, &c.Lines, &c.AddCents, &oldest); err != nil {
			return c, err
		}
		c.OldestLine = tenants.StoredTime(oldest)
		return c, nil
	}, `SELECT l.family_id, f.name, r.name, COUNT(*),
			COALESCE(SUM(CASE WHEN l.action = 'add' THEN l.price_cents END), 0), MIN(l.created_at)
		FROM cart_lines l JOIN families f ON f.id = l.family_id JOIN regies r ON r.id = l.regie_id
		GROUP BY l.family_id, l.regie_id ORDER BY MIN(l.created_at), f.name LIMIT ?`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("booking: pending carts: %w", err)
	}
	return out, total, nil
}
