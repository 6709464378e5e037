package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

const regieColumns = `r.id, r.name, r.mode, r.invoice_prefix, r.payment_provider, r.legal_mentions, r.position,
	COALESCE(s.numcli, ''), COALESCE(s.saisie, 'T'), COALESCE(s.endpoint, ''), COALESCE(s.payment_url, '')`

const regieFrom = ` FROM regies r LEFT JOIN regie_payment_settings s ON s.regie_id = r.id`

func scanRegie(s interface{ Scan(...any) error }) (Regie, error) {
	var r Regie
	err := s.Scan(&r.ID, &r.Name, &r.Mode, &r.InvoicePrefix, &r.Provider, &r.LegalMentions, &r.Position,
		&r.Payment.Numcli, &r.Payment.Saisie, &r.Payment.Endpoint, &r.Payment.PaymentURL)
	return r, err
}

func queryRegies(ctx context.Context, q tenants.Querier, where string) ([]Regie, error) {
	out, err := tenants.All(ctx, q, scanRegie, `SELECT `+regieColumns+regieFrom+where+` ORDER BY r.position, r.name`)
	if err != nil {
		return nil, fmt.Errorf("booking: regies: %w", err)
	}
	return out, nil
}

// Regies lists the commune's régies that sell at least one prestation.
func Regies(ctx context.Context, q tenants.Querier) ([]Regie, error) {
	return queryRegies(ctx, q, ` WHERE EXISTS (SELECT 1 FROM prestations p WHERE p.regie_id = r.id)`)
}

// AllRegies lists every régie of the commune, even those selling nothing.
func AllRegies(ctx context.Context, q tenants.Querier) ([]Regie, error) {
	return queryRegies(ctx, q, "")
}

// LoadRegie returns one régie with its payment settings, or ErrNotFound.
func LoadRegie(ctx context.Context, q tenants.Querier, id int64) (Regie, error) {
	r, err := scanRegie(q.QueryRowContext(ctx, `SELECT `+regieColumns+regieFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Regie{ID: id}, ErrNotFound
	}
	if err != nil {
		return Regie{ID: id}, fmt.Errorf("booking: regie %d: %w", id, err)
	}
	return r, nil
}

const prestationColumns = `id, regie_id, name, kind, forfait_period, weekdays, exclusive_group, price_cents,
	capacity, capacity_scope, booking_deadline, cancel_deadline, COALESCE(valid_from, ''), COALESCE(valid_until, ''), position,
	allowed_schools, allowed_classes, category`

func scanPrestation(s interface{ Scan(...any) error }) (Prestation, error) {
	var p Prestation
	var forfait, booking, cancel string
	var mask int
	var from, until calendar.Date
	var schools, classes string
	err := s.Scan(&p.ID, &p.RegieID, &p.Name, &p.Kind, &forfait, &mask, &p.ExclusiveGroup, &p.Price.FlatCents,
		&p.Capacity, &p.CapacityScope, &booking, &cancel, &from, &until, &p.Position, &schools, &classes, &p.Category)
	if err != nil {
		return p, err
	}
	p.Audience = audienceOf(schools, classes)
	p.Weekdays = WeekdaysFromMask(mask)
	p.ValidFrom, p.ValidUntil = from, until
	p.ForfaitKind = calendar.ForfaitKind(forfait)
	// An empty deadline means "until the day itself, at midnight".
	if p.Booking, err = parseDeadlineOr(booking); err != nil {
		return p, fmt.Errorf("prestation %d: %w", p.ID, err)
	}
	if p.Cancel, err = parseDeadlineOr(cancel); err != nil {
		return p, fmt.Errorf("prestation %d: %w", p.ID, err)
	}
	return p, nil
}

func parseDeadlineOr(s string) (calendar.Deadline, error) {
	if s == "" {
		return calendar.Deadline{Kind: calendar.DeadlineCalendarDays}, nil
	}
	return calendar.ParseDeadline(s)
}

// Prestations lists a régie's prestations with their price brackets.
func Prestations(ctx context.Context, q tenants.Querier, regieID int64) ([]Prestation, error) {
	out, err := tenants.All(ctx, q, scanPrestation,
		`SELECT `+prestationColumns+` FROM prestations WHERE regie_id = ? ORDER BY position, name`, regieID)
	if err != nil {
		return nil, fmt.Errorf("booking: prestations: %w", err)
	}
	all, err := regieBrackets(ctx, q, regieID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Price.Brackets = all[out[i].ID]
	}
	return out, nil
}

// regieBrackets reads the price brackets of every prestation of a régie.
func regieBrackets(ctx context.Context, q tenants.Querier, regieID int64) (map[int64][]calendar.Bracket, error) {
	out := map[int64][]calendar.Bracket{}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var id int64
		var b calendar.Bracket
		if err := row.Scan(&id, &b.MaxQF, &b.Cents); err != nil {
			return err
		}
		out[id] = append(out[id], b)
		return nil
	}, `
		SELECT b.prestation_id, COALESCE(b.max_qf, 0), b.price_cents
		FROM price_brackets b JOIN prestations p ON p.id = b.prestation_id
		WHERE p.regie_id = ? ORDER BY b.prestation_id, b.max_qf IS NULL, b.max_qf`, regieID)
	if err != nil {
		return nil, fmt.Errorf("booking: price brackets: %w", err)
	}
	return out, nil
}

// LoadPrestation returns one prestation, or ErrNotFound.
func LoadPrestation(ctx context.Context, q tenants.Querier, id int64) (Prestation, error) {
	p, err := scanPrestation(q.QueryRowContext(ctx, `SELECT `+prestationColumns+` FROM prestations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("booking: prestation %d: %w", id, err)
	}
	p.Price.Brackets, err = brackets(ctx, q, id)
	return p, err
}

func brackets(ctx context.Context, q tenants.Querier, prestationID int64) ([]calendar.Bracket, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (calendar.Bracket, error) {
		var b calendar.Bracket
		err := row.Scan(&b.MaxQF, &b.Cents)
		return b, err
	}, `
		SELECT COALESCE(max_qf, 0), price_cents FROM price_brackets WHERE prestation_id = ?
		ORDER BY max_qf IS NULL, max_qf`, prestationID)
	if err != nil {
		return nil, fmt.Errorf("booking: price brackets: %w", err)
	}
	return out, nil
}

// FamilyChild returns a child only if familyID looks after it, its own or
// shared with it (ErrNotFound otherwise): an identifier from a form never
// reaches another family's child.
func FamilyChild(ctx context.Context, q tenants.Querier, familyID, childID int64) (families.Child, error) {
	c, err := families.GuardedChild(ctx, q, familyID, childID)
	if errors.Is(err, families.ErrNotFound) {
		return c, ErrNotFound
	}
	return c, err
}

// FamilyQF returns the family's quotient familial, or nil when unknown.
func FamilyQF(ctx context.Context, q tenants.Querier, familyID int64) (*calendar.QF, error) {
	var value sql.NullInt64
	var from, until calendar.Date
	err := q.QueryRowContext(ctx, `SELECT qf_value, qf_valid_from, qf_valid_until FROM families WHERE id = ?`, familyID).
		Scan(&value, &from, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("booking: family qf: %w", err)
	}
	if !value.Valid {
		return nil, nil
	}
	return &calendar.QF{Value: int(value.Int64), ValidFrom: from, ValidUntil: until}, nil
}

// LoadCalendar builds the commune's calendar from its school holidays
// (the commune's zone only is stored) and closures.
func LoadCalendar(ctx context.Context, q tenants.Querier) (*calendar.Calendar, error) {
	return loadCalendar(ctx, q, time.Time{})
}

// loadCalendar is LoadCalendar, or, when asOf is not zero, the calendar
// as it stood at asOf: without the closures (whole or partial) created
// after it. A closure lifted since is not brought back.
func loadCalendar(ctx context.Context, q tenants.Querier, asOf time.Time) (*calendar.Calendar, error) {
	var cfg calendar.Config
	var err error
	if cfg.Holidays, err = loadHolidays(ctx, q); err != nil {
		return nil, err
	}
	where, args := ``, []any{}
	if !asOf.IsZero() {
		// tenants.TimeLayout has a fixed width: the text sorts as the time.
		where, args = ` WHERE created_at <= ?`, []any{tenants.FormatTime(asOf)}
	}
	cfg.Closures, err = tenants.All(ctx, q, func(row tenants.Row) (calendar.Closure, error) {
		var c calendar.Closure
		err := row.Scan(&c.Date, &c.Reason)
		return c, err
	}, `SELECT day, reason FROM closures`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("booking: closures: %w", err)
	}
	if cfg.ScopedClosures, err = partialClosures(ctx, q, strings.Replace(where, "created_at", "c.created_at", 1), args...); err != nil {
		return nil, err
	}
	return calendar.NewCalendar(cfg), nil
}

// loadHolidays reads the commune's school holidays for its calendar.
func loadHolidays(ctx context.Context, q tenants.Querier) ([]calendar.Holiday, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (calendar.Holiday, error) {
		var h calendar.Holiday
		if err := row.Scan(&h.Zone, &h.SchoolYear, &h.Description, &h.From, &h.Until); err != nil {
			return h, err
		}
		h.SettleOpenEnd() // unknown resume day (a summer not published yet)
		return h, nil
	}, `SELECT zone, school_year, description, first_day_off, resume_day FROM school_holidays`)
	if err != nil {
		return nil, fmt.Errorf("booking: school holidays: %w", err)
	}
	return out, nil
}

// LoadLedger reads what child has between from and to: validated
// reservations and cart lines (a forfait counts when its period meets the
// range) and the booked places of the prestations that have a capacity.
func LoadLedger(ctx context.Context, q tenants.Querier, child families.Child, prestations []Prestation, from, to calendar.Date) (*Ledger, error) {
	res, err := childReservations(ctx, q, child.ID, from, to)
	if err != nil {
		return nil, err
	}
	lines, err := cartLines(ctx, q, `l.child_id = ? AND l.day <= ? AND COALESCE(l.forfait_until, l.day) >= ?`, child.ID, to, from)
	if err != nil {
		return nil, err
	}
	booked, err := bookedAround(ctx, q, prestations, child.SchoolID, from, to)
	if err != nil {
		return nil, err
	}
	waits, err := childWaits(ctx, q, child.ID, from, to)
	if err != nil {
		return nil, err
	}
	set, err := LoadWaitlistSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	return NewLedger(res, lines, booked).withWaits(waits, set.Enabled), nil
}

// bookedAround reads, in one query, the booked places between from and to
// of the prestations that have a capacity (a year earlier for forfaits,
// keyed by their period's first day), for the child's site where the
// capacity is per site.
func bookedAround(ctx context.Context, q tenants.Querier, prestations []Prestation, siteID int64, from, to calendar.Date) (map[int64]map[calendar.Date]int, error) {
	byID := map[int64]Prestation{}
	var daily, forfaits []int64
	for _, p := range prestations {
		if p.Capacity == 0 {
			continue
		}
		byID[p.ID] = p
		if p.IsForfait() {
			forfaits = append(forfaits, p.ID)
		} else {
			daily = append(daily, p.ID)
		}
	}
	out := map[int64]map[calendar.Date]int{}
	if len(byID) == 0 {
		return out, nil
	}
	// Only forfaits look a year back: reading a year of every daily
	// prestation's counts was a third of the agenda's queries' time.
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var id, site int64
		var d calendar.Date
		var n int
		if err := row.Scan(&id, &d, &site, &n); err != nil {
			return err
		}
		if byID[id].CapacityScope == ScopeSite && site != siteID {
			return nil
		}
		if out[id] == nil {
			out[id] = map[calendar.Date]int{}
		}
		out[id][d] += n
		return nil
	}, `SELECT prestation_id, day, site_id, booked FROM slot_counts
		WHERE prestation_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?
		UNION ALL
		SELECT prestation_id, day, site_id, booked FROM slot_counts
		WHERE prestation_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`,
		jsonIDs(daily), from, to, jsonIDs(forfaits), from.AddDays(-366), to)
	if err != nil {
		return nil, fmt.Errorf("booking: booked places: %w", err)
	}
	return out, nil
}

func childReservations(ctx context.Context, q tenants.Querier, childID int64, from, to calendar.Date) ([]Reservation, error) {
	return reservations(ctx, q, `r.child_id = ? AND r.state = 'validated' AND r.day <= ? AND COALESCE(r.forfait_until, r.day) >= ?`,
		childID, to, from)
}

// bookedPlaces counts the places booked per day for p: all sites, or the
// child's site when the capacity is per site.
func bookedPlaces(ctx context.Context, q tenants.Querier, p Prestation, siteID int64, from, to calendar.Date) (map[calendar.Date]int, error) {
	query := `SELECT day, SUM(booked) FROM slot_counts WHERE prestation_id = ? AND day BETWEEN ? AND ? GROUP BY day`
	args := []any{p.ID, from, to}
	if p.CapacityScope == ScopeSite {
		query = `SELECT day, booked FROM slot_counts WHERE prestation_id = ? AND day BETWEEN ? AND ? AND site_id = ?`
		args = append(args, siteID)
	}
	out := map[calendar.Date]int{}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var d calendar.Date
		var n int
		err := row.Scan(&d, &n)
		out[d] = n
		return err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("booking: booked places: %w", err)
	}
	return out, nil
}

// slotBooked counts the places booked on one slot (see bookedPlaces).
func slotBooked(ctx context.Context, q tenants.Querier, p Prestation, siteID int64, day calendar.Date) (int, error) {
	m, err := bookedPlaces(ctx, q, p, siteID, day, day)
	return m[day], err
}

// bumpSlot adds delta (+1 or -1) to the booked places of a slot.
func bumpSlot(ctx context.Context, tx tenants.Querier, prestationID int64, day calendar.Date, siteID int64, delta int) error {
	query := `INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, ?, ?, 1)
		ON CONFLICT (prestation_id, day, site_id) DO UPDATE SET booked = booked + 1`
	if delta < 0 {
		// The CHECK (booked >= 0) catches a count that would drift.
		query = `UPDATE slot_counts SET booked = booked - 1 WHERE prestation_id = ? AND day = ? AND site_id = ?`
	}
	if _, err := tx.ExecContext(ctx, query, prestationID, day, siteID); err != nil {
		return fmt.Errorf("booking: slot count: %w", err)
	}
	return nil
}
