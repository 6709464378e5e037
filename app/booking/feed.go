package booking

import (
	"context"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/ics"
	"espacefamille/tenants"
)

// feedBooking is a validated booking as a family's calendar feed shows it.
type feedBooking struct {
	id                      int64
	day, from, until        string
	prestation, first, last string
}

// FeedEvents lists the family's validated bookings that end on or after
// from, as all-day events: one per booked day and prestation (a forfait
// is one event over its period). The UID is the booking's, so a phone
// keeps the same event across refreshes. It is the reader the family's
// calendar link (app/accounts) serves.
func FeedEvents(ctx context.Context, q tenants.Querier, familyID int64, slug string, from calendar.Date) ([]ics.Event, error) {
	booked, err := tenants.All(ctx, q, func(row tenants.Row) (feedBooking, error) {
		var b feedBooking
		err := row.Scan(&b.id, &b.day, &b.from, &b.until, &b.prestation, &b.first, &b.last)
		return b, err
	}, `
		SELECT r.id, r.day, COALESCE(r.forfait_from, ''), COALESCE(r.forfait_until, ''), p.name, c.first_name, c.last_name
		FROM reservations r
		JOIN prestations p ON p.id = r.prestation_id
		JOIN children c ON c.id = r.child_id
		WHERE r.family_id = ? AND r.state = 'validated' AND COALESCE(r.forfait_until, r.day) >= ?
		ORDER BY r.day, c.first_name, p.name, r.id`, familyID, from.String())
	if err != nil {
		return nil, fmt.Errorf("booking: feed of family %d: %w", familyID, err)
	}
	out := make([]ics.Event, 0, len(booked))
	for _, b := range booked {
		if e, ok := b.event(slug); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// event is b as an all-day event; false for a malformed stored day, which
// cannot be shown on a calendar.
func (b feedBooking) event(slug string) (ics.Event, bool) {
	start, end := b.day, b.day
	if b.from != "" && b.until != "" {
		start, end = b.from, b.until
	}
	s, err1 := time.Parse(time.DateOnly, start)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 != nil || err2 != nil {
		return ics.Event{}, false
	}
	desc := "Réservation de " + strings.TrimSpace(b.first+" "+b.last) + " : " + b.prestation
	if start != end {
		desc += fmt.Sprintf(" (forfait du %s au %s)", s.Format("02/01/2006"), e.Format("02/01/2006"))
	}
	return ics.Event{UID: fmt.Sprintf("reservation-%d@%s.espacefamille", b.id, slug), Start: s, End: e,
		Summary: b.prestation + " – " + b.first, Description: desc}, true
}
