package booking

import (
	"context"
	"fmt"
	"sort"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// ClosedForfaitDay is a day of a forfait just booked that a closure
// created after the order was placed closes: the forfait is booked whole
// (its price was set on the calendar of that time), and the day's share
// is the family's credit, as for a forfait booked before the closure
// (ForfaitClosureShare).
type ClosedForfaitDay struct {
	Line          CartLine
	ReservationID int64
	ClosureShare
}

// ForfaitDaysClosedSince lists, for the forfaits among confirmed (booked
// by an order placed at since), the days of their period that were open
// for them at since and are closed now (the whole commune, their
// prestation or the child's school), with each day's share: the days are
// taken in the order their closures were created, and each share counts
// the days still held once the earlier ones closed (ForfaitClosureShares
// on the calendar as it stood at since). Without a forfait it reads
// nothing.
func ForfaitDaysClosedSince(ctx context.Context, q tenants.Querier, confirmed []ConfirmedLine, since time.Time) ([]ClosedForfaitDay, error) {
	var forfaits []ConfirmedLine
	for _, c := range confirmed {
		if c.Line.Action != ActionCancel && !c.Line.ForfaitFrom.IsZero() && c.ReservationID != 0 {
			forfaits = append(forfaits, c)
		}
	}
	if len(forfaits) == 0 {
		return nil, nil
	}
	now, err := LoadCalendar(ctx, q)
	if err != nil {
		return nil, err
	}
	then, err := loadCalendar(ctx, q, since)
	if err != nil {
		return nil, err
	}
	var out []ClosedForfaitDay
	for _, c := range forfaits {
		r := Reservation{ID: c.ReservationID, ForfaitFrom: c.Line.ForfaitFrom, ForfaitUntil: c.Line.ForfaitUntil}
		if err := q.QueryRowContext(ctx, `SELECT site_id, price_cents FROM reservations WHERE id = ?`, c.ReservationID).
			Scan(&r.SiteID, &r.PriceCents); err != nil {
			return nil, fmt.Errorf("booking: forfait %d: %w", c.ReservationID, err)
		}
		p, err := LoadPrestation(ctx, q, c.Line.PrestationID)
		if err != nil {
			return nil, err
		}
		var closed []calendar.Date
		for d := r.ForfaitFrom; !d.After(r.ForfaitUntil); d = d.AddDays(1) {
			wasOpen, _ := DayOpenFor(p, r.SiteID, d, then)
			isOpen, _ := DayOpenFor(p, r.SiteID, d, now)
			if wasOpen && !isOpen {
				closed = append(closed, d)
			}
		}
		if len(closed) == 0 {
			continue
		}
		if err := byClosureTime(ctx, q, p.ID, r.SiteID, closed, since); err != nil {
			return nil, err
		}
		for _, s := range ForfaitClosureShares(p, r, closed, then) {
			out = append(out, ClosedForfaitDay{Line: c.Line, ReservationID: c.ReservationID, ClosureShare: s})
		}
	}
	return out, nil
}

// byClosureTime sorts days (closed after since for the prestation at the
// school site) by when the first closure that closes each was created,
// then by day.
func byClosureTime(ctx context.Context, q tenants.Querier, prestationID, site int64, days []calendar.Date, since time.Time) error {
	first, last := days[0], days[len(days)-1]
	after := tenants.FormatTime(since)
	at := map[calendar.Date]string{}
	note := func(d calendar.Date, created string) {
		if cur, ok := at[d]; !ok || created < cur {
			at[d] = created
		}
	}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var d calendar.Date
		var created string
		if err := row.Scan(&d, &created); err != nil {
			return err
		}
		note(d, created)
		return nil
	}, `SELECT day, created_at FROM closures WHERE day BETWEEN ? AND ? AND created_at > ?`, first, last, after)
	if err != nil {
		return fmt.Errorf("booking: closures: %w", err)
	}
	scoped, err := partialClosures(ctx, q, ` WHERE c.day BETWEEN ? AND ? AND c.created_at > ?`, first, last, after)
	if err != nil {
		return err
	}
	for _, sc := range scoped {
		if !sc.Applies(prestationID, site) {
			continue
		}
		var created string
		if err := q.QueryRowContext(ctx, `SELECT created_at FROM partial_closures WHERE id = ?`, sc.ID).Scan(&created); err != nil {
			return fmt.Errorf("booking: partial closure %d: %w", sc.ID, err)
		}
		note(sc.Date, created)
	}
	sort.SliceStable(days, func(i, j int) bool {
		if at[days[i]] != at[days[j]] {
			return at[days[i]] < at[days[j]]
		}
		return days[i].Before(days[j])
	})
	return nil
}
