package tenants_test

import (
	"database/sql"
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
