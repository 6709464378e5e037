package admin

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// HolidayRow is a stored school holiday.
type HolidayRow struct {
	SchoolYear, Description, From, Resume, Source string
}

func schoolHolidays(ctx context.Context, q tenants.Querier, zone string) ([]HolidayRow, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (HolidayRow, error) {
		var h HolidayRow
		err := row.Scan(&h.SchoolYear, &h.Description, &h.From, &h.Resume, &h.Source)
		return h, err
	}, `SELECT school_year, description, first_day_off, COALESCE(resume_day, ''), source
		FROM school_holidays WHERE zone = ? ORDER BY first_day_off`, zone)
	if err != nil {
		return nil, fmt.Errorf("admin: school holidays: %w", err)
	}
	return out, nil
}

// upsertHolidays stores holidays of one zone; an imported or bundled row
// replaces the one with the same school year and description, except that
// an unknown resume day (an older file's "Début des …" marker alone) never
// erases a known one: the estimate would make a holiday a school day.
func upsertHolidays(ctx context.Context, tx *sql.Tx, hs []calendar.Holiday, source string) (int, error) {
	n := 0
	for _, h := range hs {
		var resume any
		if !h.Estimated && !h.Until.IsZero() {
			resume = h.Until.String()
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO school_holidays (zone, school_year, description, first_day_off, resume_day, source)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (zone, school_year, description) DO UPDATE SET first_day_off = excluded.first_day_off,
				resume_day = COALESCE(excluded.resume_day, school_holidays.resume_day), source = excluded.source`,
			h.Zone, h.SchoolYear, h.Description, h.From.String(), resume, source)
		if err != nil {
			return n, fmt.Errorf("admin: store holiday: %w", err)
		}
		n++
	}
	return n, nil
}

// StoreHolidays stores school holidays (as upsertHolidays) from source
// ("bundled", "import"); it returns how many were stored.
func StoreHolidays(ctx context.Context, tx *sql.Tx, hs []calendar.Holiday, source string) (int, error) {
	return upsertHolidays(ctx, tx, hs, source)
}

// LoadZoneHolidays makes the commune's school holidays those of zone:
// other zones' rows go, and the bundled official calendar of zone
// (app/calendar) is stored, in tx. Public holidays need nothing stored:
// the calendar computes them. Run at a commune's creation and whenever
// its zone changes; it returns how many holidays were stored.
func LoadZoneHolidays(ctx context.Context, tx *sql.Tx, zone string) (int, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM school_holidays WHERE zone <> ?`, zone); err != nil {
		return 0, fmt.Errorf("admin: zone holidays: %w", err)
	}
	return upsertHolidays(ctx, tx, calendar.BundledHolidays(zone), "bundled")
}

// ClosureRow is a closure day.
type ClosureRow struct{ Day, Reason string }

func closures(ctx context.Context, q tenants.Querier) ([]ClosureRow, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (ClosureRow, error) {
		var c ClosureRow
		err := row.Scan(&c.Day, &c.Reason)
		return c, err
	}, `SELECT day, reason FROM closures ORDER BY day DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("admin: closures: %w", err)
	}
	return out, nil
}

// familyContact returns a family's name and the address its emails go to
// (the family's, else its first guardian's), "" when it has none.
func familyContact(ctx context.Context, q tenants.Querier, familyID int64) (name, email string, err error) {
	name, email, err = families.Contact(ctx, q, familyID)
	return name, strings.ToLower(strings.TrimSpace(email)), err
}
