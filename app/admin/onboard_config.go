package admin

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// DefaultConfig puts the starting configuration of a new commune into its
// creating transaction: a canteen régie in prépaiement (the built-in
// simulator until PayFiP is configured) with REPAS CLASSIQUE ENFANT and
// REPAS VEGETARIEN (one or the other a day, Monday, Tuesday, Thursday and
// Friday) at mealCents, booked and cancelled until 10:00 two working days
// before, and the zone's school holidays (public holidays are computed).
// It returns how many school holidays were loaded.
func DefaultConfig(ctx context.Context, tx *sql.Tx, zone string, mealCents int64, now time.Time) (int, error) {
	if err := booking.DefaultCatalog(ctx, tx, mealCents, now); err != nil {
		return 0, fmt.Errorf("admin: default config: %w", err)
	}
	return LoadZoneHolidays(ctx, tx, zone)
}

// configTables are what a copied configuration is made of, in an order
// that respects their references: schools (prestations may be reserved to
// some), régies, prestations, price grids, the calendar. Never families,
// staff, bookings or money.
var configTables = slices.Concat([]string{"schools"}, booking.CatalogCopyTables(), []string{"school_holidays"})

// ConfigSnapshot is a commune's configuration, read to be copied.
type ConfigSnapshot struct {
	tables map[string]tableRows
}

type tableRows struct {
	columns []string
	rows    [][]any
}

// ReadConfig reads a commune's configuration (configTables) from q: each
// table's columns, as its schema has them (a column added later is copied
// too), and its rows.
func ReadConfig(ctx context.Context, q tenants.Querier) (ConfigSnapshot, error) {
	snap := ConfigSnapshot{tables: map[string]tableRows{}}
	for _, t := range configTables {
		cols, err := tenants.Values[string](ctx, q, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, t)
		if err != nil {
			return snap, fmt.Errorf("admin: read config %s: %w", t, err)
		}
		rows, err := tenants.All(ctx, q, func(row tenants.Row) ([]any, error) { return tenants.ScanValues(row, len(cols)) },
			`SELECT `+strings.Join(cols, ", ")+` FROM `+t+` ORDER BY rowid`)
		if err != nil {
			return snap, fmt.Errorf("admin: read config %s: %w", t, err)
		}
		snap.tables[t] = tableRows{columns: cols, rows: rows}
	}
	return snap, nil
}

// Counts says how many rows of each table the snapshot holds.
func (s ConfigSnapshot) Counts() map[string]int {
	out := map[string]int{}
	for t, tr := range s.tables {
		out[t] = len(tr.rows)
	}
	return out
}

// CopyConfig writes a snapshot into a new commune's creating transaction,
// with the same ids (the new file is empty). Every régie starts on the
// built-in simulator: the payment settings (PayFiP client number) are the
// other commune's, never copied.
func CopyConfig(ctx context.Context, tx *sql.Tx, s ConfigSnapshot) error {
	for _, t := range configTables {
		tr := s.tables[t]
		if len(tr.rows) == 0 {
			continue
		}
		if slices.Contains(booking.CatalogCopyTables(), t) {
			if err := booking.CopyCatalogRows(ctx, tx, t, tr.columns, tr.rows); err != nil {
				return err
			}
			continue
		}
		if t == "schools" {
			if err := families.CopySchoolRows(ctx, tx, tr.columns, tr.rows); err != nil {
				return err
			}
			continue
		}
		// The back office's own table: school_holidays.
		if err := tenants.InsertRows(ctx, tx, `INSERT INTO `+t+` (`+strings.Join(tr.columns, ", ")+`)`, "", tr.rows); err != nil {
			return fmt.Errorf("admin: copy config %s: %w", t, err)
		}
	}
	return booking.UseSimulatorEverywhere(ctx, tx)
}
