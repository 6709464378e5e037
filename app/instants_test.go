package app_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// instantColumn names the columns that hold an instant: "at", "…_at" and
// the few instants named otherwise.
var instantColumn = regexp.MustCompile(`^(at|.*_at|locked_until|offered_until|window_start)$`)

// storedInstant is tenants.TimeLayout.
var storedInstant = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$`)

// checkInstants fails t for every instant of the SQLite database behind q
// that is not in tenants.TimeLayout (NULL and empty text mean "none"),
// and returns the columns that hold at least one.
func checkInstants(t *testing.T, q tenants.Q) map[string]bool {
	t.Helper()
	ctx := context.Background()
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
	filled := map[string]bool{}
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
	return filled
}

// Every instant the demo commune's seed writes, through the stores of
// every domain, is in tenants.TimeLayout (or NULL, or empty for "none"):
// one format, which compares as text with what the code writes at run
// time (commune migration 00095 brought older rows to it).
func TestEveryStoredInstantIsInTimeLayout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	if filled := checkInstants(t, env.DB(demo.Slug).Reader()); len(filled) < 10 {
		t.Fatalf("only %d columns hold instants (%v): the demo seed writes more", len(filled), filled)
	}
}

// Every instant the platform store holds after the demo seed, a parent's
// log-in, failed log-ins, a forgotten password, the commune's audit and a
// backup is in tenants.TimeLayout: the platform's writers write one
// format too (platform migration 00055 brought older rows to it).
func TestEveryPlatformInstantIsInTimeLayout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.OnSQLite())
	ctx := context.Background()
	const email = "parent.instants@example.org"
	env.ParentAccount(demo.Slug, env.Demo().Family, email, apptest.ParentPassword)
	c := env.Client(t)
	c.LoginParent(demo.Slug, email, apptest.ParentPassword)
	other := env.Client(t)
	for range 3 {
		other.Submit("/"+demo.Slug+"/connexion", "/"+demo.Slug+"/connexion",
			url.Values{"identifiant": {email}, "mot_de_passe": {"pas le bon"}})
	}
	other.Submit("/"+demo.Slug+"/mot-de-passe-oublie", "/"+demo.Slug+"/mot-de-passe-oublie", url.Values{"identifiant": {email}})
	if rep := env.Registry.Audit(ctx, demo.Slug); rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if _, err := env.Registry.BackupChanged(ctx, t.TempDir(), 24*time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	filled := checkInstants(t, env.Registry.Platform().Reader())
	for _, col := range []string{"communes.created_at", "communes.stats_at", "accounts.created_at", "account_tokens.expires_at",
		"throttles.window_start", "outbox.next_attempt_at", "backups.attempted_at"} {
		if !filled[col] {
			t.Errorf("%s holds no instant: the test no longer exercises its writer (filled: %v)", col, filled)
		}
	}
}
