package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Closures of some prestations or schools (calendar.ScopedClosure): the
// commune stays open, so deadlines and forfait periods do not move, but
// the closed prestations cannot be booked that day for the children
// concerned (DayOpenFor), and the back office cancels and credits what
// was booked (the same flow as a closure of the whole commune).

// ErrDayClosed: the whole commune is already closed that day.
var ErrDayClosed = errors.New("ce jour est déjà fermé pour toute la commune")

// AddPartialClosure records a closure of c.Prestations and/or c.Schools
// on c.Date and returns its id. Bookings already made stay until the back
// office cancels and credits them; the demandes it closes that orders
// waiting for their payment hold are released at once, and will not be
// booked (their amount becomes credit).
func AddPartialClosure(ctx context.Context, tx *sql.Tx, c calendar.ScopedClosure, now time.Time) (int64, error) {
	c.Reason = strings.TrimSpace(c.Reason)
	switch {
	case c.Date.IsZero():
		return 0, calendar.FieldErrors{{Field: "day", Message: "Date invalide (format JJ/MM/AAAA)"}}
	case c.Reason == "" || len(c.Reason) > 200:
		return 0, calendar.FieldErrors{{Field: "reason", Message: "Indiquez le motif de la fermeture (200 caractères au plus)"}}
	case c.Whole():
		return 0, calendar.FieldErrors{{Field: "scope", Message: "Choisissez au moins une prestation ou une école"}}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM closures WHERE day = ?`, c.Date).Scan(&n); err != nil {
		return 0, fmt.Errorf("booking: partial closure: %w", err)
	}
	if n > 0 {
		return 0, ErrDayClosed
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO partial_closures (day, reason, created_at) VALUES (?, ?, ?)`, c.Date, c.Reason, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("booking: add partial closure: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, p := range c.Prestations {
		if _, err := LoadPrestation(ctx, tx, p); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO partial_closure_prestations (closure_id, prestation_id) VALUES (?, ?)`, id, p); err != nil {
			return 0, fmt.Errorf("booking: partial closure prestation: %w", err)
		}
	}
	for _, s := range c.Schools {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO partial_closure_schools (closure_id, school_id)
			SELECT ?, id FROM schools WHERE id = ?`, id, s); err != nil {
			return 0, fmt.Errorf("booking: partial closure school: %w", err)
		}
	}
	return id, releaseClosedHolds(ctx, tx, c.Date, now)
}

// RemovePartialClosure reopens what a partial closure closed and returns
// it; ErrNotFound when there is none with that id. Cancelled bookings are
// not restored.
func RemovePartialClosure(ctx context.Context, tx *sql.Tx, id int64) (calendar.ScopedClosure, error) {
	list, err := partialClosures(ctx, tx, `WHERE c.id = ?`, id)
	if err != nil {
		return calendar.ScopedClosure{}, err
	}
	if len(list) == 0 {
		return calendar.ScopedClosure{}, ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM partial_closures WHERE id = ?`, id); err != nil {
		return calendar.ScopedClosure{}, fmt.Errorf("booking: remove partial closure: %w", err)
	}
	return list[0], nil
}

// PartialClosures lists the partial closures, the latest day first.
func PartialClosures(ctx context.Context, q tenants.Querier) ([]calendar.ScopedClosure, error) {
	return partialClosures(ctx, q, ``)
}

func partialClosures(ctx context.Context, q tenants.Querier, where string, args ...any) ([]calendar.ScopedClosure, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.day, c.reason,
			COALESCE((SELECT group_concat(prestation_id) FROM partial_closure_prestations WHERE closure_id = c.id), ''),
			COALESCE((SELECT group_concat(school_id) FROM partial_closure_schools WHERE closure_id = c.id), '')
		FROM partial_closures c `+where+` ORDER BY c.day DESC, c.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("booking: partial closures: %w", err)
	}
	defer rows.Close()
	var out []calendar.ScopedClosure
	for rows.Next() {
		var c calendar.ScopedClosure
		var ps, ss string
		if err := rows.Scan(&c.ID, &c.Date, &c.Reason, &ps, &ss); err != nil {
			return nil, err
		}
		c.Prestations, c.Schools = idList(ps), idList(ss)
		out = append(out, c)
	}
	return out, rows.Err()
}

// idList parses group_concat's "3,1,2" into sorted ids.
func idList(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		var id int64
		if _, err := fmt.Sscan(f, &id); err == nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// DayOpenFor says whether p is held on day for a child of school (0: not
// known): DayOpen, then the closures of p or of that school.
func DayOpenFor(p Prestation, school int64, day calendar.Date, cal *calendar.Calendar) (bool, Reason) {
	if ok, r := DayOpen(p, day, cal); !ok {
		return false, r
	}
	if why, closed := cal.ScopedClosureOn(day, p.ID, school); closed {
		return false, Reason{Code: ReasonClosure, Detail: why}
	}
	return true, Reason{}
}

// CanBookFor is CanBook for a child of school: a day closed for p or for
// that school cannot be booked (a forfait can: its closed days are
// credited).
func CanBookFor(p Prestation, school int64, key calendar.Date, cal *calendar.Calendar, now time.Time) (bool, Reason) {
	if !p.IsForfait() {
		if ok, r := DayOpenFor(p, school, key, cal); !ok {
			return false, r
		}
	}
	return CanBook(p, key, cal, now)
}
