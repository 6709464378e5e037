package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// dumpTables returns every row of every table of db, as text, by table.
func dumpTables(t *testing.T, db tenants.Querier) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, tbl := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+tbl+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		lines := []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rows.Close()
		slices.Sort(lines)
		out[tbl] = lines
	}
	return out
}

func dumpCommune(t *testing.T, reg *tenants.Registry, slug string) map[string][]string {
	t.Helper()
	var out map[string][]string
	if err := reg.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		out = dumpTables(t, db.Reader())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTables(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	if len(want) < 10 {
		t.Fatalf("%s: only %d tables to compare", what, len(want))
	}
	for tbl, rows := range want {
		if !slices.Equal(rows, got[tbl]) {
			t.Errorf("%s: table %s differs:\nwant %d rows %.300v\ngot  %d rows %.300v", what, tbl, len(rows), rows, len(got[tbl]), got[tbl])
		}
	}
	for tbl := range got {
		if _, ok := want[tbl]; !ok {
			t.Errorf("%s: extra table %s", what, tbl)
		}
	}
}

func execCommune(t *testing.T, reg *tenants.Registry, slug, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, query, args...); return err })
	}); err != nil {
		t.Fatal(err)
	}
}

func TestBackupThenRestoreGivesBackEveryTableIdentical(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 8)
	if _, err := demo.Ensure(ctx, reg, time.Now()); err != nil {
		t.Fatal(err)
	}
	original := dumpCommune(t, reg, demo.Slug)
	if len(original["families"]) == 0 || len(original["prestations"]) == 0 {
		t.Fatalf("the demo commune has no families or prestations: %v", original["families"])
	}
	file, err := reg.Backup(ctx, demo.Slug, t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Yesterday's mistake: the families are gone and a setting changed.
	execCommune(t, reg, demo.Slug, `UPDATE settings SET value = 'Nom erroné' WHERE key = 'name'`)
	execCommune(t, reg, demo.Slug, `DELETE FROM news`)
	if changed := dumpCommune(t, reg, demo.Slug); slices.Equal(changed["settings"], original["settings"]) {
		t.Fatal("the change did not happen")
	}

	c, before, err := reg.RestoreCommune(ctx, demo.Slug, file, "")
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, "restored in place", original, dumpCommune(t, reg, demo.Slug))
	if c.Slug != demo.Slug || before == "" {
		t.Fatalf("restore = %+v, copy before %q", c, before)
	}
	if _, err := os.Stat(before); err != nil {
		t.Fatalf("no copy of the data before the restore: %v", err)
	}

	c, _, err = reg.RestoreCommune(ctx, demo.Slug, file, "malemort-hier")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Commune de Malemort du Comtat" || len(c.Hosts) != 0 {
		t.Fatalf("restored as = %+v", c)
	}
	sameTables(t, "restored as a new commune", original, dumpCommune(t, reg, "malemort-hier"))
}

func TestRestoreRefusesWhatIsNotASoundBackup(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 8)
	createCommune(t, reg, "mazan")
	dir := t.TempDir()
	good, err := reg.Backup(ctx, "mazan", dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	platform, err := reg.BackupPlatform(ctx, dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.db")
	data, _ := os.ReadFile(good)
	for i := 4096; i < len(data); i += 7 { // keep the header, damage the pages
		data[i] ^= 0x5a
	}
	os.WriteFile(corrupt, data, 0o600)
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte("not a database at all"), 0o600)
	execCommune(t, reg, "mazan", `INSERT INTO settings (key, value) VALUES ('marker', 'kept')`)
	for _, tc := range []struct {
		name, from, as string
		want           error
	}{
		{"a damaged copy fails its integrity check", corrupt, "", tenants.ErrBadBackup},
		{"a file that is no database", garbage, "", tenants.ErrBadBackup},
		{"a missing file", filepath.Join(dir, "nope.db"), "", tenants.ErrBadBackup},
		{"the platform database offered as a commune", platform, "", tenants.ErrBadBackup},
		{"restoring as a slug already taken", good, "mazan", tenants.ErrDuplicateSlug},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := reg.RestoreCommune(ctx, "mazan", tc.from, tc.as); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var v string
			reg.WithCommune(ctx, "mazan", func(db *tenants.DB) error {
				return db.Reader().QueryRowContext(context.Background(), `SELECT value FROM settings WHERE key = 'marker'`).Scan(&v)
			})
			if v != "kept" {
				t.Fatalf("the commune changed: marker %q", v)
			}
		})
	}
	if _, err := reg.RestorePlatform(ctx, good); !errors.Is(err, tenants.ErrBadBackup) {
		t.Fatalf("a commune restored as the platform: %v", err)
	}
}

// TestBackupIsConsistentWhileParentsBook copies a commune while writers
// commit pairs of rows: the copy holds whole transactions only.
func TestBackupIsConsistentWhileParentsBook(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 8)
	createCommune(t, reg, "mazan")
	execCommune(t, reg, "mazan", `CREATE TABLE pair_a (n INTEGER); CREATE TABLE pair_b (n INTEGER)`)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_ = reg.WithCommune(ctx, "mazan", func(db *tenants.DB) error {
					return db.Tx(ctx, func(tx *sql.Tx) error {
						if _, err := tx.Exec(`INSERT INTO pair_a VALUES (?)`, w*1_000_000+i); err != nil {
							return err
						}
						_, err := tx.Exec(`INSERT INTO pair_b VALUES (?)`, w*1_000_000+i)
						return err
					})
				})
			}
		})
	}
	dir := t.TempDir()
	var files []string
	for i := range 5 {
		f, err := reg.Backup(ctx, "mazan", dir, time.Now().Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	close(stop)
	wg.Wait()
	for _, f := range files {
		db, err := sql.Open("sqlite", "file:"+f+"?mode=ro&immutable=1")
		if err != nil {
			t.Fatal(err)
		}
		var a, b int
		var check string
		db.QueryRow(`SELECT (SELECT count(*) FROM pair_a), (SELECT count(*) FROM pair_b)`).Scan(&a, &b)
		db.QueryRow(`PRAGMA integrity_check`).Scan(&check)
		db.Close()
		if a != b || check != "ok" {
			t.Fatalf("%s: %d rows in pair_a, %d in pair_b, integrity %q", f, a, b, check)
		}
	}
}

func TestScheduledBackupSkipsUnchangedCommunes(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 8)
	createCommune(t, reg, "mazan")
	createCommune(t, reg, "pernes")
	dir := t.TempDir()
	job := &tenants.BackupSchedule{Registry: reg, Dir: dir, At: "02:30", Retention: 48 * time.Hour, Logger: quietLogger()}
	day := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

	rep, err := job.RunOnce(ctx, day)
	if err != nil || rep.BackedUp != 3 || rep.Unchanged != 0 {
		t.Fatalf("first night: %+v %v (want 2 communes and the platform)", rep, err)
	}
	// Pernes is only read (its file opened and closed); Mazan takes a booking.
	if err := reg.WithCommune(ctx, "pernes", func(db *tenants.DB) error {
		var n int
		return db.Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM settings`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	reg.Cache().Evict("pernes")
	execCommune(t, reg, "mazan", `INSERT INTO settings (key, value) VALUES ('marker', 'night 2')`)

	for night := 1; night <= 3; night++ {
		now := day.AddDate(0, 0, night)
		rep, err = job.RunOnce(ctx, now)
		wantBacked, wantSame := 1, 2 // the platform only; both communes unchanged
		if night == 1 {
			wantBacked, wantSame = 2, 1 // Mazan and the platform; Pernes unchanged
		}
		if err != nil || rep.BackedUp != wantBacked || rep.Unchanged != wantSame || len(rep.Failed) != 0 {
			t.Fatalf("night %d: %+v %v; want %d backed up, %d unchanged", night+1, rep, err, wantBacked, wantSame)
		}
	}
	states, err := reg.BackupStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := day.AddDate(0, 0, 3)
	byTarget := map[string]tenants.BackupState{}
	for _, s := range states {
		byTarget[s.Target] = s
	}
	for _, target := range []string{"mazan", "pernes", tenants.PlatformTarget} {
		s := byTarget[target]
		if !s.CoveredAt.Equal(last) || s.Error != "" || s.Path == "" {
			t.Errorf("%s: %+v, want covered at %s", target, s, last)
		}
	}
	if !byTarget["pernes"].OKAt.Equal(day) || !byTarget["mazan"].OKAt.Equal(day.AddDate(0, 0, 1)) {
		t.Errorf("last good backups: pernes %s, mazan %s", byTarget["pernes"].OKAt, byTarget["mazan"].OKAt)
	}
	// Retention of 48 h: Pernes and Mazan keep their newest backup though
	// older (Mazan's first one, 72 h old, is gone), the platform the three
	// of the last 48 hours.
	for prefix, want := range map[string]int{"communes/pernes-": 1, "communes/mazan-": 1, "platform/platform-": 3} {
		matches, _ := filepath.Glob(filepath.Join(dir, prefix+"*.db"))
		if len(matches) != want {
			t.Errorf("%s: %d files %v, want %d", prefix, len(matches), matches, want)
		}
	}
	// A backup deleted by hand is taken again, though nothing changed.
	os.Remove(byTarget["pernes"].Path)
	rep, err = job.RunOnce(ctx, last.Add(24*time.Hour))
	if err != nil || rep.BackedUp != 2 || rep.Unchanged != 1 {
		t.Fatalf("after deleting Pernes' backup: %+v %v", rep, err)
	}
}

func TestNextBackupHour(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name, now, at, want string
	}{
		{"evening: tonight", "2026-06-10 22:00", "02:30", "2026-06-11 02:30"},
		{"just before: in a minute", "2026-06-11 02:29", "02:30", "2026-06-11 02:30"},
		{"exactly at the hour: tomorrow", "2026-06-11 02:30", "02:30", "2026-06-12 02:30"},
		{"winter time", "2026-01-15 12:00", "02:30", "2026-01-16 02:30"},
		{"clocks go forward: 02:30 does not exist, runs at 03:30", "2026-03-28 23:00", "02:30", "2026-03-29 03:30"},
		{"clocks go back: 02:30 comes twice, runs once", "2026-10-24 23:00", "02:30", "2026-10-25 02:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, m, err := tenants.ParseBackupAt(tc.at)
			if err != nil {
				t.Fatal(err)
			}
			got := tenants.NextBackup(at(tc.now), h, m)
			if want := at(tc.want); !got.Equal(want) {
				t.Fatalf("next = %s, want %s", got.In(paris), want)
			}
		})
	}
	for _, bad := range []string{"2:30", "24:00", "02h30", "", "02:30:00"} {
		if _, _, err := tenants.ParseBackupAt(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// BenchmarkBackup1000Communes1MB measures the nightly backup of 1,000
// changed communes of 1 MiB each (and the platform database), with a
// writer booking in one of them all along: the bound is 60 s on 2
// cores. Files are copies of one filled commune, registered directly.
func BenchmarkBackup1000Communes1MB(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		reg := openRegistry(b, 64)
		createCommune(b, reg, "template")
		execCommune(&testing.T{}, reg, "template", `CREATE TABLE filler (b BLOB)`)
		for range 16 {
			execCommune(&testing.T{}, reg, "template", `INSERT INTO filler VALUES (randomblob(65536))`)
		}
		reg.Cache().Evict("template")
		src, err := os.ReadFile(reg.CommunePath("template"))
		if err != nil || len(src) < 1<<20 {
			b.Fatalf("template of %d bytes: %v", len(src), err)
		}
		err = reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
			for i := range n {
				slug := fmt.Sprintf("commune-%04d", i)
				if err := os.WriteFile(reg.CommunePath(slug), src, 0o600); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO communes (slug, name, created_at) VALUES (?, 'X', '2026-01-01T00:00:00Z')`, slug); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { // parents booking meanwhile
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = reg.WithCommune(ctx, "template", func(db *tenants.DB) error {
					return db.Tx(ctx, func(tx *sql.Tx) error {
						_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (hex(randomblob(8)), 'x')`)
						return err
					})
				})
			}
		})
		dir := b.TempDir()
		b.StartTimer()
		rep, err := reg.BackupChanged(ctx, dir, 24*time.Hour, time.Now())
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil || rep.BackedUp != n+2 || len(rep.Failed) != 0 {
			b.Fatalf("%+v %v", rep, err)
		}
		reg.Close()
		b.StartTimer()
	}
}

// TestBackupScheduleRunsAtItsHour starts the job as serve does, with a
// clock at 01:00 Paris time: it waits until 02:30 (the wait it asks for is
// recorded), runs, and backs up the commune and the platform.
func TestBackupScheduleRunsAtItsHour(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "mazan")
	paris, _ := time.LoadLocation("Europe/Paris")
	clock := time.Date(2026, 6, 10, 1, 0, 0, 0, paris)
	var mu sync.Mutex
	var waits []time.Duration
	ran := make(chan tenants.BackupReport, 1)
	job := &tenants.BackupSchedule{Registry: reg, Dir: t.TempDir(), At: "02:30", Retention: 24 * time.Hour, Logger: quietLogger(),
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock },
		After: func(d time.Duration) <-chan time.Time {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, d)
			c := make(chan time.Time, 1)
			if len(waits) == 1 { // the first night comes; the second never does
				clock = clock.Add(d)
				c <- clock
			}
			return c
		},
		Done: func(rep tenants.BackupReport, err error) {
			if err != nil {
				t.Error(err)
			}
			ran <- rep
		},
	}
	if err := job.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := <-ran
	job.Stop()
	if rep.BackedUp != 2 || rep.Unchanged != 0 {
		t.Fatalf("report = %+v, want mazan and the platform", rep)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 1 || waits[0] != 90*time.Minute {
		t.Fatalf("waits = %v, want 1h30 first", waits)
	}
	states, _ := reg.BackupStates(context.Background())
	if len(states) != 2 || !states[1].OKAt.Equal(time.Date(2026, 6, 10, 2, 30, 0, 0, paris)) {
		t.Fatalf("states = %+v", states)
	}
}

// Two restores of one commune within one second each keep their copy of
// the data before the restore: backups named within the same second get
// "-2", "-3"… and the listing (pruning, a commune's backups) still reads
// them; the newest of the second is kept by the pruning.
func TestTwoRestoresWithinOneSecondKeepBothCopies(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 8)
	createCommune(t, reg, "mazan")
	dir := t.TempDir()
	file, err := reg.Backup(ctx, "mazan", dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var befores []string
	for range 3 {
		_, before, err := reg.RestoreCommune(ctx, "mazan", file, "")
		if err != nil {
			t.Fatalf("restore %d: %v", len(befores)+1, err)
		}
		befores = append(befores, before)
	}
	seen := map[string]bool{}
	for _, b := range befores {
		if _, err := os.Stat(b); err != nil || seen[b] {
			t.Fatalf("copies before the restores %v: %s missing or twice (%v)", befores, b, err)
		}
		seen[b] = true
	}
	// Three snapshots at one instant, after an older one: distinct names,
	// all listed.
	dir = t.TempDir()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, err := reg.Backup(ctx, "mazan", dir, at.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for range 3 {
		p, err := reg.Backup(ctx, "mazan", dir, at)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(p))
	}
	want := []string{"mazan-20260302T100000Z.db", "mazan-20260302T100000Z-2.db", "mazan-20260302T100000Z-3.db"}
	if !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	if n, err := tenants.PruneBackups(dir, time.Hour, at.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d %v: want the first backup only (the three of 10:00 are the newest)", n, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Fatalf("%d files left, want the three of 10:00", len(entries))
	}
}
