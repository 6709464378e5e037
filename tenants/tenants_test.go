package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"espacefamille/migrations"
	"espacefamille/tenants"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openRegistry(t testing.TB, maxOpen int) *tenants.Registry {
	t.Helper()
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: t.TempDir(), MaxOpen: maxOpen, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

func createCommune(t testing.TB, reg *tenants.Registry, slug string, hosts ...string) tenants.Commune {
	t.Helper()
	c, err := reg.CreateCommune(context.Background(), tenants.NewCommune{Slug: slug, Name: "Commune de " + slug, Hosts: hosts}, nil)
	if err != nil {
		t.Fatalf("create %s: %v", slug, err)
	}
	return c
}

func TestCreateCommuneIsAtLatestSchema(t *testing.T) {
	reg := openRegistry(t, 8)
	c := createCommune(t, reg, "saint-didier", "saint-didier.example")
	latest, err := tenants.CommuneSchema.Latest()
	if err != nil || latest < 2 {
		t.Fatalf("latest = %d, %v", latest, err)
	}
	db, err := tenants.OpenDB(reg.CommunePath(c.Slug), tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := tenants.Version(context.Background(), db.Reader())
	db.Close()
	if err != nil || v != latest || c.SchemaVersion != latest {
		t.Fatalf("new commune at version %d (%v), registered at %d, want %d", v, err, c.SchemaVersion, latest)
	}
	got, err := reg.Commune(context.Background(), "saint-didier")
	if err != nil || got.Name != "Commune de saint-didier" || got.Status != tenants.StatusActive || got.Zone != "B" ||
		len(got.Hosts) != 1 || got.Hosts[0] != "saint-didier.example" {
		t.Fatalf("registered commune = %+v, %v", got, err)
	}
	if _, err := os.Stat(reg.CommunePath("saint-didier") + ".creating"); !os.IsNotExist(err) {
		t.Fatalf("temporary file left behind: %v", err)
	}
}

func TestCreateCommuneRefusals(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "pernes", "pernes.example")
	for _, tc := range []struct {
		name string
		n    tenants.NewCommune
		want error
	}{
		{"duplicate slug", tenants.NewCommune{Slug: "pernes", Name: "Autre"}, tenants.ErrDuplicateSlug},
		{"duplicate host, other case and port", tenants.NewCommune{Slug: "mazan", Name: "Mazan", Hosts: []string{"PERNES.example:443"}}, tenants.ErrDuplicateHost},
	} {
		_, err := reg.CreateCommune(context.Background(), tc.n, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	for _, slug := range []string{"ab", "Mazan", "-mazan", "mazan-", "ma--zan", "ma_zan", "static", strings.Repeat("a", 64), "mazan/..", "é-ville"} {
		_, err := reg.CreateCommune(context.Background(), tenants.NewCommune{Slug: slug, Name: "X"}, nil)
		var ve *tenants.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("slug %q: err = %v, want a validation error", slug, err)
		}
	}
	// A seed that fails leaves neither a file nor a row.
	_, err := reg.CreateCommune(context.Background(), tenants.NewCommune{Slug: "sarrians", Name: "Sarrians"},
		func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error { return errors.New("boom") })
	if err == nil {
		t.Fatal("failing init accepted")
	}
	if _, err := reg.Commune(context.Background(), "sarrians"); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("row left after failed create: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(reg.DataDir(), "communes"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "sarrians") {
			t.Fatalf("file left after failed create: %s", e.Name())
		}
	}
	list, _ := reg.Communes(context.Background())
	if len(list) != 1 {
		t.Fatalf("communes = %d, want 1", len(list))
	}
}

// previousVersion is the commune migration version just below latest:
// versions need not be contiguous (helpers reserve number ranges).
func previousVersion(t testing.TB, latest int64) int64 {
	t.Helper()
	entries, err := fs.ReadDir(migrations.Commune, "commune")
	if err != nil {
		t.Fatal(err)
	}
	var prev int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v < latest && v > prev {
			prev = v
		}
	}
	return prev
}

// downgrade moves a commune file back to version v with goose.
func downgrade(t *testing.T, path string, v int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, _ := fs.Sub(migrations.Commune, "commune")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateCommunes(t *testing.T) {
	reg := openRegistry(t, 8)
	latest, _ := tenants.CommuneSchema.Latest()
	previous := previousVersion(t, latest)
	for _, s := range []string{"aaa", "bbb", "ccc", "ddd"} {
		createCommune(t, reg, s)
	}
	for _, s := range []string{"aaa", "ccc"} {
		downgrade(t, reg.CommunePath(s), previous)
	}
	// bbb cannot migrate: back at version 1, the table migration 00002
	// creates already exists (migrations are never edited, so this holds).
	downgrade(t, reg.CommunePath("bbb"), 1)
	db, err := sql.Open("sqlite", "file:"+reg.CommunePath("bbb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE staff (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var progress []string
	res := reg.MigrateCommunes(context.Background(), []string{"aaa", "bbb", "ccc", "ddd"}, func(done, total int, r tenants.MigrateResult) {
		progress = append(progress, fmt.Sprintf("%d/%d %s", done, total, r.Slug))
	})
	if len(progress) != 4 || !strings.HasPrefix(progress[3], "4/4") {
		t.Fatalf("progress = %v", progress)
	}
	bySlug := map[string]tenants.MigrateResult{}
	for _, r := range res {
		bySlug[r.Slug] = r
	}
	for _, s := range []string{"aaa", "ccc"} {
		if r := bySlug[s]; r.Err != nil || r.From != previous || r.To != latest {
			t.Errorf("%s: %+v, want %d → %d", s, r, previous, latest)
		}
	}
	if r := bySlug["ddd"]; r.Err != nil || r.From != latest || r.To != latest {
		t.Errorf("ddd (current): %+v", r)
	}
	if r := bySlug["bbb"]; r.Err == nil || r.From != 1 || r.To != 1 {
		t.Errorf("bbb should fail and stay at 1: %+v", r)
	}
	// The failed commune is refused, the others serve.
	if _, _, err := reg.Acquire(context.Background(), "bbb"); !errors.Is(err, tenants.ErrSchemaBehind) {
		t.Errorf("acquire failed commune: %v, want ErrSchemaBehind", err)
	}
	db2, release, err := reg.Acquire(context.Background(), "aaa")
	if err != nil {
		t.Fatal(err)
	}
	release()
	_ = db2
}

func TestOpeningAnOlderFileMigratesIt(t *testing.T) {
	reg := openRegistry(t, 8)
	latest, _ := tenants.CommuneSchema.Latest()
	createCommune(t, reg, "velleron")
	downgrade(t, reg.CommunePath("velleron"), 1)
	db, release, err := reg.Acquire(context.Background(), "velleron")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if v, err := tenants.Version(context.Background(), db.Reader()); err != nil || v != latest {
		t.Fatalf("version after open = %d, %v; want %d", v, err, latest)
	}
}

// openCommuneFiles counts the distinct commune files this process has open.
func openCommuneFiles(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	files := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink("/proc/self/fd/" + fd.Name())
		if err == nil && strings.HasPrefix(target, dir) && strings.HasSuffix(target, ".db") {
			files[target] = true
		}
	}
	return len(files)
}

func TestCacheBoundsOpenFiles(t *testing.T) {
	reg := openRegistry(t, 8)
	dir := filepath.Join(reg.DataDir(), "communes")
	for i := range 50 {
		createCommune(t, reg, fmt.Sprintf("commune-%02d", i))
	}
	ctx := context.Background()
	for round := range 2 {
		for i := range 50 {
			slug := fmt.Sprintf("commune-%02d", i)
			err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
				var name string
				if err := db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&name); err != nil {
					return err
				}
				if name != "Commune de "+slug {
					return fmt.Errorf("commune %s reads name %q", slug, name)
				}
				return db.Tx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES (?, 'test', 'now')`, fmt.Sprintf("2026-01-%02d", round+1))
					return err
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := openCommuneFiles(t, dir); n > 8 {
				t.Fatalf("after %s: %d commune files open, want ≤ 8 (%+v) %v", slug, n, reg.Cache().Stats(), reg.Cache().Open())
			}
			if reg.Cache().Len() > 8 {
				t.Fatalf("cache holds %d handles", reg.Cache().Len())
			}
		}
	}
	// Concurrent users of many communes never exceed the bound either.
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			errs <- reg.WithCommune(ctx, fmt.Sprintf("commune-%02d", i%50), func(db *tenants.DB) error {
				var n int
				return db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM closures`).Scan(&n)
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
	if reg.Cache().Len() > 8 {
		t.Fatalf("cache holds %d handles after concurrent use", reg.Cache().Len())
	}
	if open := reg.Cache().Open(); len(open) == 0 || len(open) > 8 || !strings.HasPrefix(open[0], "commune-") {
		t.Fatalf("open slugs = %v", open)
	}
}

func TestConcurrentWritersLoseNothing(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "monteux")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			errs <- reg.WithCommune(ctx, "monteux", func(db *tenants.DB) error {
				// Read then write in one transaction: the pattern that fails
				// with "database is locked" under deferred transactions.
				return db.Tx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM news`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO news (title, body, published_from, created_at) VALUES (?, 'x', '2026-01-01', 'now')`,
						fmt.Sprintf("writer %d saw %d", i, n))
					return err
				})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("writer failed: %v", err)
		}
	}
	err := reg.WithCommune(ctx, "monteux", func(db *tenants.DB) error {
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(DISTINCT title) FROM news`).Scan(&n); err != nil {
			return err
		}
		if n != 200 {
			return fmt.Errorf("rows = %d, want 200", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSuspendedAndUnknown(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "bedoin")
	ctx := context.Background()
	if err := reg.SetStatus(ctx, "bedoin", tenants.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	c, err := reg.BySlug(ctx, "bedoin")
	if err != nil || c.Status != tenants.StatusSuspended {
		t.Fatalf("status = %q, %v", c.Status, err)
	}
	if err := reg.SetStatus(ctx, "nowhere", tenants.StatusActive); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown commune: %v", err)
	}
	if _, err := reg.BySlug(ctx, "nowhere"); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown slug resolves: %v", err)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "caromb")
	ctx := context.Background()
	err := reg.WithCommune(ctx, "caromb", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-24', 'Réveillon', 'now')`)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, err := reg.Backup(ctx, "caromb", dir, time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "caromb-20261125T180000Z.db" {
		t.Fatalf("backup name %s", path)
	}
	db, err := tenants.OpenDB(path, tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var reason string
	if err := db.Reader().QueryRowContext(context.Background(), `SELECT reason FROM closures WHERE day = '2026-12-24'`).Scan(&reason); err != nil || reason != "Réveillon" {
		t.Fatalf("backup content: %q %v", reason, err)
	}
	if _, err := reg.Backup(ctx, "inconnue", dir, time.Now()); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown commune: %v", err)
	}
}
