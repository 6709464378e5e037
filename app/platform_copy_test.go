package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/platform"
	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// A single node grows into several: its platform.db (communes and their
// host names, parents' accounts and memberships, the provider's
// administrators, the platform outbox and audit) is copied into an empty
// PostgreSQL store, every table identical; a node then started on that
// store over the same commune files lets the parent log in and see their
// family, and new rows get ids after the copied ones.
func TestPlatformCopiedIntoPostgresServesTheSameParentsAndCommunes(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	env := apptest.New(t, apptest.OnSQLite(), apptest.WithCommune(
		tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Hosts: []string{"famille.mazan.example", "mazan.example"}}, nil))
	ids := env.Demo()
	email := "parent.copie@example.org"
	account := env.ParentAccount(demo.Slug, ids.Family, email, apptest.ParentPassword)
	for _, slug := range []string{demo.Slug, "mazan"} {
		c, err := env.Registry.Commune(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		env.Exec("", `INSERT INTO memberships (account_id, commune_id, created_at) VALUES (?, ?, ?)`, account, c.ID, tenants.FormatTime(time.Now()))
	}
	env.Client(t).LoginParent(demo.Slug, email, apptest.ParentPassword)
	now := time.Now()
	if _, err := platform.Invite(ctx, env.Registry.Platform(), "admin@hebergeur.example", "https://plateforme.example", false, now); err != nil {
		t.Fatal(err)
	}
	if err := platform.Audit(ctx, env.Registry.Platform(), platform.CLIActor, "commune_create", "mazan", "avant la copie", now); err != nil {
		t.Fatal(err)
	}
	sqlite := dumpPlatform(t, env.Registry.Platform())
	for _, table := range []string{"communes", "commune_hosts", "accounts", "memberships", "provider_admins", "provider_tokens", "outbox", "platform_audit", "secrets"} {
		if len(sqlite[table]) == 0 {
			t.Fatalf("the source has no row in %s: the test would prove nothing about it", table)
		}
	}

	var steps []string
	copied, err := tenants.CopyPlatformToPostgres(ctx, env.Registry.Platform().Path(), dsn, func(s string) { steps = append(steps, s) })
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, strings.Join(steps, "\n"))
	}
	for _, tc := range copied.Tables {
		if want := fmt.Sprintf("%-24s %d rows", tc.Name, len(sqlite[tc.Name])); !slices.Contains(steps, want) {
			t.Errorf("progress does not say %q:\n%s", want, strings.Join(steps, "\n"))
		}
	}
	if last := steps[len(steps)-1]; !strings.HasPrefix(last, "verified: ") {
		t.Errorf("last step %q, want the verification", last)
	}
	pg, err := tenants.OpenPostgres(ctx, dsn, tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	copiedRows := dumpPlatform(t, pg)
	pg.Close()
	for table, rows := range sqlite {
		if !slices.Equal(rows, copiedRows[table]) {
			t.Errorf("table %s differs:\nSQLite     %q\nPostgreSQL %q", table, rows, copiedRows[table])
		}
	}

	node := apptest.New(t, apptest.OnPostgres(dsn), apptest.InDataDir(env.Registry.DataDir()), apptest.WithoutDemo())
	parent := node.Client(t)
	parent.LoginParent(demo.Slug, email, apptest.ParentPassword)
	if r := parent.Get("/" + demo.Slug + "/famille"); r.Status != http.StatusOK || !strings.Contains(r.Body, "FAMILLE X") {
		t.Fatalf("family home on the PostgreSQL store: %d\n%.500s", r.Status, r.Body)
	}
	if c, err := node.Registry.ByHost(ctx, "mazan.example"); err != nil || c.Slug != "mazan" {
		t.Fatalf("second host of mazan on the PostgreSQL store: %+v %v", c, err)
	}
	created, err := node.Registry.CreateCommune(ctx, tenants.NewCommune{Slug: "sarrians", Name: "Commune de Sarrians"}, nil)
	if err != nil {
		t.Fatalf("a commune created after the copy: %v", err)
	}
	if mazan, _ := node.Registry.Commune(ctx, "mazan"); created.ID <= mazan.ID {
		t.Fatalf("new commune id %d, want after the copied ids (mazan %d)", created.ID, mazan.ID)
	}
	if err := platform.Audit(ctx, node.Registry.Platform(), platform.CLIActor, "commune_create", "sarrians", "après la copie", now); err != nil {
		t.Fatalf("an audit entry after the copy: %v", err)
	}
}

// dumpPlatform reads every platform table (goose's aside), each row as
// text, sorted: the same on both engines when the data is.
func dumpPlatform(t *testing.T, db *tenants.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'goose_db_version'`
	if db.Dialect() == tenants.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	tables, err := tenants.Values[string](ctx, db.Reader(), list)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Reader().Uncached().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		slices.Sort(cols) // the same columns, maybe not in the same order
		rows.Close()
		rows, err = db.Reader().Uncached().QueryContext(ctx, `SELECT "`+strings.Join(cols, `", "`)+`" FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		var dump []string
		for rows.Next() {
			vals, err := tenants.ScanValues(rows, len(cols))
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = fmt.Sprintf("%x", b)
				}
			}
			dump = append(dump, fmt.Sprintf("%#v", vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(dump)
		out[table] = dump
	}
	return out
}
