package tenants

import "database/sql"

// Collect scans every row of rows, in order, with scan, and closes rows.
// A scan error is returned as it is.
func Collect[T any](rows *sql.Rows, scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, error) {
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
	return Collect(rows, func(row interface{ Scan(...any) error }) (T, error) {
		var v T
		err := row.Scan(&v)
		return v, err
	})
}
