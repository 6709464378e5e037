package tenants

import (
	"context"
	"database/sql"
	"errors"
)

// Row is what a scan function reads one row from: *sql.Row or *sql.Rows.
type Row = interface{ Scan(dest ...any) error }

// Collect scans every row of rows, in order, with scan, and closes rows.
// A scan error is returned as it is.
func Collect[T any](rows *sql.Rows, scan func(row Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Column reads the one column of every row of rows, in order, and closes
// rows. A scan error is returned as it is.
func Column[T any](rows *sql.Rows) ([]T, error) {
	return Collect(rows, func(row Row) (T, error) {
		var v T
		err := row.Scan(&v)
		return v, err
	})
}

// ScanValues scans the current row of a query whose columns are not
// known in advance into n values, each as the driver returns it.
func ScanValues(row Row, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, row.Scan(ptrs...)
}

// All runs query through q and scans every row with scan (Collect).
func All[T any](ctx context.Context, q Querier, scan func(row Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, scan)
}

// Values runs query through q and reads its one column (Column).
func Values[T any](ctx context.Context, q Querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Column[T](rows)
}

// ErrStop, returned by Each's function, ends the rows early without error.
var ErrStop = errors.New("tenants: stop reading rows")

// Each runs query through q and calls fn on every row, in order, then
// closes the rows: for rows folded into a map or a total rather than
// collected. It stops at fn's first error and returns it, except ErrStop,
// which ends the reading with no error.
func Each(ctx context.Context, q Querier, fn func(row Row) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}
