package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/migrations"
	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// The platform store's tests run once per dialect: SQLite (platform.db)
// always, PostgreSQL when ESPACEFAMILLE_TEST_PG_DSN names a test server
// (scripts/test starts one; without it the subtest says it is skipped).

// platformNode opens a registry ("a node") on the platform store dsn
// ("" = platform.db in its own data directory).
func platformNode(t testing.TB, dsn string) *tenants.Registry {
	t.Helper()
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: t.TempDir(), MaxOpen: 4, Logger: quietLogger(), PlatformDSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// eachPlatform runs fn as a subtest per platform store; dsn is "" for
// SQLite, a fresh PostgreSQL schema otherwise.
func eachPlatform(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.DSN(t)) })
}

func TestPlatformStoreOnBothDialects(t *testing.T) {
	eachPlatform(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		reg := platformNode(t, dsn)
		want := tenants.SQLite
		if dsn != "" {
			want = tenants.Postgres
		}
		if got := reg.Platform().Dialect(); got != want {
			t.Fatalf("dialect %v, want %v", got, want)
		}

		// Host names keep the order they were given in: the first is the
		// commune's address in links.
		c := createCommune(t, reg, "venasque", "www.venasque.example", "famille.venasque.example")
		if got, _ := reg.Commune(ctx, "venasque"); !slices.Equal(got.Hosts, []string{"www.venasque.example", "famille.venasque.example"}) {
			t.Fatalf("hosts %v, want the order given", got.Hosts)
		}
		if _, err := reg.SetHosts(ctx, "venasque", []string{"z.venasque.example", "a.venasque.example"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := reg.Commune(ctx, "venasque"); !slices.Equal(got.Hosts, []string{"z.venasque.example", "a.venasque.example"}) {
			t.Fatalf("hosts after SetHosts %v, want the order given", got.Hosts)
		}
		if got, err := reg.ByHost(ctx, "a.venasque.example"); err != nil || got.ID != c.ID {
			t.Fatalf("by host: %+v, %v", got, err)
		}

		// Unique violations are recognised on both drivers.
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "venasque", Name: "Autre"}, nil); !errors.Is(err, tenants.ErrDuplicateSlug) {
			t.Fatalf("same slug twice: %v, want ErrDuplicateSlug", err)
		}
		createCommune(t, reg, "mazan")
		if _, err := reg.SetHosts(ctx, "mazan", []string{"a.venasque.example"}); !errors.Is(err, tenants.ErrDuplicateHost) {
			t.Fatalf("a host of another commune: %v, want ErrDuplicateHost", err)
		}
		err := reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)`, "k", []byte{0, 1, 2})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)`, "k", []byte{3})
			return err
		})
		if !tenants.IsUnique(err) {
			t.Fatalf("same secret twice: %v, want a unique violation", err)
		}

		// Work flags: an upsert that keeps the earliest due time.
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		if err := reg.MarkWork(ctx, "mazan", tenants.WorkMail, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := reg.MarkWork(ctx, "mazan", tenants.WorkMail, now); err != nil {
			t.Fatal(err)
		}
		if err := reg.MarkWork(ctx, "mazan", tenants.WorkMail, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		due, err := reg.WorkDue(ctx, tenants.WorkMail, now, 10)
		if err != nil || !slices.Equal(due, []string{"mazan"}) {
			t.Fatalf("mail due at %v: %v, %v; want mazan (the earliest due time kept)", now, due, err)
		}

		// Suspension, the fleet's list and its figures read the same.
		if err := reg.SetStatus(ctx, "mazan", tenants.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		fleet, err := reg.Fleet(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, f := range fleet {
			slugs = append(slugs, f.Slug)
		}
		if !slices.Equal(slugs, []string{"mazan", "venasque"}) {
			t.Fatalf("fleet %v, want mazan, venasque", slugs)
		}
		if got, _ := reg.Commune(ctx, "mazan"); got.Status != tenants.StatusSuspended {
			t.Fatalf("status %q, want suspended", got.Status)
		}

		// Instants are stored as text in one format and read back.
		at := time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC)
		var back tenants.Time
		if err := reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO platform_audit (at, actor, action) VALUES (?, 'test', 'instant')`, tenants.At(at)); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT at FROM platform_audit WHERE action = 'instant'`).Scan(&back)
		}); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(at) {
			t.Fatalf("instant read back %v, want %v", back.Time, at)
		}

		// The read pool refuses to write.
		if _, err := reg.Platform().Reader().ExecContext(ctx, `DELETE FROM platform_audit`); err == nil {
			t.Fatal("the read pool wrote")
		}
	})
}

// Two nodes sharing one platform store: read-then-write transactions never
// interleave (SQLite's BEGIN IMMEDIATE; PostgreSQL's advisory lock in
// DB.Tx), so no increment is lost.
func TestPlatformWritesOfTwoNodesLoseNothing(t *testing.T) {
	eachPlatform(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := platformNode(t, dsn)
		b := a
		if dsn != "" {
			b = platformNode(t, dsn)
		}
		createCommune(t, a, "monteux")
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			node := a
			if i%2 == 1 {
				node = b
			}
			wg.Go(func() {
				errs <- node.Platform().Tx(ctx, func(tx *sql.Tx) error {
					var n int64
					if err := tx.QueryRowContext(ctx, `SELECT families FROM communes WHERE slug = 'monteux'`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE communes SET families = ? WHERE slug = 'monteux'`, n+1)
					return err
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		if err := b.Platform().Reader().QueryRowContext(ctx, `SELECT families FROM communes WHERE slug = 'monteux'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 40 {
			t.Fatalf("40 increments from two nodes gave %d", n)
		}
	})
}

// A platform-wide job lock is held by one process at a time, across nodes
// on PostgreSQL, and free again once released.
func TestTryLockIsHeldByOneNodeAtATime(t *testing.T) {
	eachPlatform(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := platformNode(t, dsn)
		var b *tenants.Registry
		if dsn != "" {
			b = platformNode(t, dsn)
		} else {
			// Another process on the same data directory: a second
			// registry on the same platform.db.
			var err error
			b, err = tenants.Open(ctx, tenants.Options{DataDir: a.DataDir(), MaxOpen: 1, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
		}
		la, ok, err := a.Platform().TryLock(ctx, "backups")
		if err != nil || !ok {
			t.Fatalf("first TryLock: ok=%v err=%v", ok, err)
		}
		if err := la.Check(ctx); err != nil {
			t.Fatalf("Check while held: %v", err)
		}
		if _, ok, err := b.Platform().TryLock(ctx, "backups"); err != nil || ok {
			t.Fatalf("other node while held: ok=%v err=%v, want refused", ok, err)
		}
		if _, ok, err := a.Platform().TryLock(ctx, "backups"); err != nil || ok {
			t.Fatalf("same node while held: ok=%v err=%v, want refused", ok, err)
		}
		lo, ok, err := b.Platform().TryLock(ctx, "audit")
		if err != nil || !ok {
			t.Fatalf("another name: ok=%v err=%v, want taken", ok, err)
		}
		defer lo.Release()
		if err := la.Release(); err != nil {
			t.Fatal(err)
		}
		if err := la.Release(); err != nil {
			t.Fatalf("second Release: %v", err)
		}
		if err := la.Check(ctx); err == nil {
			t.Fatal("Check after Release: nil, want an error")
		}
		lb, ok, err := b.Platform().TryLock(ctx, "backups")
		if err != nil || !ok {
			t.Fatalf("other node after release: ok=%v err=%v, want taken", ok, err)
		}
		lb.Release()
		if _, _, err := a.Platform().TryLock(ctx, "../x"); err == nil {
			t.Fatal("lock name ../x accepted")
		}
	})
}

// On PostgreSQL, a lock whose session ends (the node died, the
// connection was cut) is free for the others, and its holder's Check says
// it was lost.
func TestTryLockIsLostWithItsSession(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a, b := platformNode(t, dsn), platformNode(t, dsn)
	la, ok, err := a.Platform().TryLock(ctx, "purge")
	if err != nil || !ok {
		t.Fatalf("TryLock: ok=%v err=%v", ok, err)
	}
	defer la.Release()
	// Another session ends the holder's, as a dead node's would end: only
	// the session holding this lock (other tests share the server), and
	// waiting until it is gone (pg_terminate_backend only signals it
	// otherwise).
	key := tenants.JobLockKey(a.Platform(), "purge")
	var ended bool
	if err := b.Platform().W.QueryRowContext(ctx, `SELECT COALESCE(bool_and(pg_terminate_backend(pid, 30000)), false) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid::bigint = (?::bigint & 4294967295)
		AND classid::bigint = ((?::bigint >> 32) & 4294967295)`, key, key).Scan(&ended); err != nil || !ended {
		t.Fatalf("ending the holder's session: ended=%v err=%v", ended, err)
	}
	if err := la.Check(ctx); !errors.Is(err, tenants.ErrLockLost) {
		t.Fatalf("Check after the session ended: %v, want ErrLockLost", err)
	}
	lb, ok, err := b.Platform().TryLock(ctx, "purge")
	if err != nil || !ok {
		t.Fatalf("other node after the holder's session ended: ok=%v err=%v", ok, err)
	}
	lb.Release()
}

// Both dialects' migrations end with the same tables and columns, and
// every platform migration has its PostgreSQL twin under the same number.
func TestPlatformSchemasMatchAcrossDialects(t *testing.T) {
	names := func(fsys fs.FS, dir string) []string {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names(migrations.Platform, "platform"), names(migrations.PlatformPostgres, "platform_pg")
	if !slices.Equal(lite, pg) {
		t.Fatalf("migrations/platform and migrations/platform_pg differ:\n%v\n%v\n(each platform migration needs its PostgreSQL twin, same file name: migrations/README.md)", lite, pg)
	}

	ctx := context.Background()
	sqliteReg := platformNode(t, "")
	got := map[string][]string{}
	tables, err := tenants.Column[string](mustQuery(t, sqliteReg.Platform(), `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_litestream%' AND name <> 'goose_db_version' ORDER BY name`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		rows, err := sqliteReg.Platform().Reader().QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?) ORDER BY name`, tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := tenants.Collect(rows, func(r tenants.Row) (string, error) {
			var name, typ string
			err := r.Scan(&name, &typ)
			return name + " " + typeClass(typ), err
		})
		if err != nil {
			t.Fatal(err)
		}
		got[tbl] = cols
	}

	pgReg := platformNode(t, pgtest.DSN(t))
	rows := mustQuery(t, pgReg.Platform(), `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' ORDER BY table_name, column_name`)
	pgCols := map[string][]string{}
	if _, err := tenants.Collect(rows, func(r tenants.Row) (struct{}, error) {
		var tbl, name, typ string
		err := r.Scan(&tbl, &name, &typ)
		pgCols[tbl] = append(pgCols[tbl], name+" "+typeClass(typ))
		return struct{}{}, err
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(pgCols)) {
		t.Fatalf("platform schemas differ:\nsqlite:   %v\npostgres: %v", sorted(got), sorted(pgCols))
	}
	v1, _ := tenants.Version(ctx, sqliteReg.Platform().Reader())
	v2, _ := tenants.Version(ctx, pgReg.Platform().Reader())
	if latest, _ := tenants.PlatformSchema.Latest(); v1 != latest || v2 != latest {
		t.Fatalf("versions: sqlite %d, postgres %d, want both %d", v1, v2, latest)
	}
}

func mustQuery(t *testing.T, db *tenants.DB, q string) *sql.Rows {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// typeClass maps a column's declared type to what both dialects share.
func typeClass(typ string) string {
	switch t := strings.ToLower(typ); {
	case strings.Contains(t, "int"):
		return "integer"
	case t == "blob" || t == "bytea":
		return "bytes"
	case strings.Contains(t, "text") || strings.Contains(t, "char"):
		return "text"
	default:
		return t
	}
}

func sorted(m map[string][]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"("+strings.Join(v, ", ")+")")
	}
	sort.Strings(out)
	return out
}

// The PostgreSQL half is skipped, saying why, when no test server is set.
func TestPostgresHalfIsSkippedWithoutATestServer(t *testing.T) {
	if pgtest.Available() {
		t.Skip("a test server is configured")
	}
	var skipped bool
	t.Run("probe", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		pgtest.DSN(t)
	})
	if !skipped {
		t.Fatal("pgtest.DSN did not skip without " + pgtest.EnvDSN)
	}
	if !strings.Contains(pgtest.SkipReason, pgtest.EnvDSN) {
		t.Fatal("the skip message does not name the variable")
	}
}
