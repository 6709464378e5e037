package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"espacefamille/tenants"
)

func TestColumn(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT 3 UNION ALL SELECT 1 UNION ALL SELECT 2`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tenants.Column[int64](rows)
	if err != nil || !slices.Equal(got, []int64{3, 1, 2}) {
		t.Fatalf("Column = %v, %v", got, err)
	}
	rows, err = db.Query(`SELECT 'x' WHERE 0`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tenants.Column[string](rows); err != nil || got != nil {
		t.Fatalf("no rows: %v, %v", got, err)
	}
	rows, err = db.Query(`SELECT 'pas un nombre'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenants.Column[int64](rows); err == nil {
		t.Fatal("scanning text into int64: no error")
	}
}

// Each folds rows into anything (here a sum), stops early without error on
// ErrStop, and returns any other error of the function or of the query.
func TestEach(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const three = `SELECT 3 UNION ALL SELECT 1 UNION ALL SELECT 2`
	var seen []int64
	add := func(row tenants.Row) error {
		var n int64
		err := row.Scan(&n)
		seen = append(seen, n)
		return err
	}
	if err := tenants.Each(ctx, db, add, three); err != nil || !slices.Equal(seen, []int64{3, 1, 2}) {
		t.Fatalf("every row: %v, %v", seen, err)
	}
	seen = nil
	stopAtOne := func(row tenants.Row) error {
		if err := add(row); err != nil || seen[len(seen)-1] == 1 {
			return tenants.ErrStop
		}
		return nil
	}
	if err := tenants.Each(ctx, db, stopAtOne, three); err != nil || !slices.Equal(seen, []int64{3, 1}) {
		t.Fatalf("stopped at 1: %v, %v", seen, err)
	}
	broken := errors.New("broken")
	if err := tenants.Each(ctx, db, func(tenants.Row) error { return broken }, three); !errors.Is(err, broken) {
		t.Fatalf("the function's error: %v", err)
	}
	if err := tenants.Each(ctx, db, add, `SELECT * FROM nowhere`); err == nil {
		t.Fatal("a failing query: no error")
	}
}
