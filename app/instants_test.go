package app_test

import (
	"context"
	"regexp"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// instantColumn names the columns that hold an instant: "at", "…_at" and
// the few instants named otherwise.
var instantColumn = regexp.MustCompile(`^(at|.*_at|locked_until|offered_until|window_start)$`)

// storedInstant is tenants.TimeLayout.
var storedInstant = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$`)

// Every instant the demo commune's seed writes, through the stores of
// every domain, is in tenants.TimeLayout (or NULL, or empty for "none"):
// one format, which compares as text with what the code writes at run
// time (commune migration 00095 brought older rows to it).
func TestEveryStoredInstantIsInTimeLayout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	q := env.DB(demo.Slug).Reader()
	type column struct{ table, name string }
	cols, err := tenants.All(ctx, q, func(row tenants.Row) (column, error) {
		var c column
		err := row.Scan(&c.table, &c.name)
		return c, err
	}, `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'goose%' AND m.name NOT LIKE 'sqlite%' ORDER BY m.name, p.cid`)
	if err != nil {
		t.Fatal(err)
	}
	filled := map[string]bool{} // the columns the seed wrote
	for _, c := range cols {
		if !instantColumn.MatchString(c.name) {
			continue
		}
		values, err := tenants.Values[string](ctx, q.Uncached(), `SELECT DISTINCT `+c.name+` FROM `+c.table+` WHERE COALESCE(`+c.name+`, '') <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			filled[c.table+"."+c.name] = true
			if !storedInstant.MatchString(v) {
				t.Errorf("%s.%s holds %q, not an instant in tenants.TimeLayout", c.table, c.name, v)
			}
		}
	}
	if len(filled) < 10 {
		t.Fatalf("only %d columns hold instants (%v): the demo seed writes more", len(filled), filled)
	}
}
