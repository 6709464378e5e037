package tenants_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"espacefamille/tenants"
)

// BenchmarkResolveCached measures binding a request to a commune already
// resolved and open: slug lookup plus acquiring and releasing its handle.
func BenchmarkResolveCached(b *testing.B) {
	reg := openRegistry(b, 256)
	createCommune(b, reg, "malemort-du-comtat", "famille.malemort.example")
	ctx := context.Background()
	if _, release, err := reg.Acquire(ctx, "malemort-du-comtat"); err == nil {
		release()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c, err := reg.ByHost(ctx, "famille.malemort.example")
		if err != nil {
			b.Fatal(err)
		}
		_, release, err := reg.Acquire(ctx, c.Slug)
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
}

// BenchmarkColdOpen measures opening a commune file and reading its schema
// version (what a cache miss costs).
func BenchmarkColdOpen(b *testing.B) {
	reg := openRegistry(b, 256)
	createCommune(b, reg, "mazan")
	path := reg.CommunePath("mazan")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		db, err := tenants.OpenDB(path, tenants.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tenants.Version(ctx, db.W); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkCreateCommune measures creating a commune: file, all
// migrations, registration.
func BenchmarkCreateCommune(b *testing.B) {
	reg := openRegistry(b, 256)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: fmt.Sprintf("commune-%06d", i), Name: "Commune"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrate1000 measures bringing 1,000 communes one schema version
// up with MigrateCommunes (the body of `commune migrate --all`).
func BenchmarkMigrate1000(b *testing.B) {
	const n = 1000
	latest, _ := tenants.CommuneSchema.Latest()
	for b.Loop() {
		b.StopTimer()
		reg := openRegistry(b, 8)
		createCommune(b, reg, "template")
		tpl := reg.CommunePath("template")
		downgrade(&testing.T{}, tpl, previousVersion(&testing.T{}, latest))
		src, err := os.ReadFile(tpl)
		if err != nil {
			b.Fatal(err)
		}
		slugs := make([]string, n)
		ctx := context.Background()
		err = reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
			for i := range slugs {
				slugs[i] = fmt.Sprintf("commune-%04d", i)
				if err := os.WriteFile(reg.CommunePath(slugs[i]), src, 0o600); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO communes (slug, name, created_at) VALUES (?, 'X', '2026-01-01T00:00:00Z')`, slugs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res := reg.MigrateCommunes(ctx, slugs, nil)
		b.StopTimer()
		for _, r := range res {
			if r.Err != nil || r.To != latest {
				b.Fatalf("%s: %+v", r.Slug, r)
			}
		}
		reg.Close()
		b.StartTimer()
	}
}

// BenchmarkIdleHandleMemory reports the memory one open, idle commune
// handle costs (Go heap and resident set, since SQLite's own allocations
// are outside the Go heap).
func BenchmarkIdleHandleMemory(b *testing.B) {
	const n = 200
	for b.Loop() {
		b.StopTimer()
		reg := openRegistry(b, n+1)
		for i := range n {
			createCommune(b, reg, fmt.Sprintf("commune-%03d", i))
		}
		ctx := context.Background()
		runtime.GC()
		heap0, rss0 := memNow()
		b.StartTimer()
		for i := range n {
			err := reg.WithCommune(ctx, fmt.Sprintf("commune-%03d", i), func(db *tenants.DB) error {
				var v string
				return db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&v)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		heap1, rss1 := memNow()
		b.ReportMetric(float64(heap1-heap0)/n/1024, "heap-KiB/handle")
		b.ReportMetric(float64(rss1-rss0)/n/1024, "rss-KiB/handle")
		reg.Close()
		b.StartTimer()
	}
}

// processCPU is the process's user + system CPU time, which other programs
// on a shared machine do not inflate as they do wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func memNow() (heap, rss int64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f, err := os.Open("/proc/self/status")
	if err == nil {
		defer f.Close()
		b, _ := io.ReadAll(f)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmRSS:") {
				kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
				rss = kb * 1024
			}
		}
	}
	return int64(ms.HeapInuse), rss
}

// BenchmarkMissPath measures a request that finds its commune closed: a
// cache of 16 handles over 200 communes visited in turn, each visit
// reading one setting (the cold open, the first query and, off the
// request path, the eviction's close).
func BenchmarkMissPath(b *testing.B) {
	reg := openRegistry(b, 16)
	const n = 200
	for i := range n {
		createCommune(b, reg, fmt.Sprintf("commune-%03d", i))
	}
	ctx := context.Background()
	// One round first: every file is closed once by this node (its stamp
	// recorded), as on a node that has been running.
	visit := func(i int) {
		err := reg.WithCommune(ctx, fmt.Sprintf("commune-%03d", i%n), func(db *tenants.DB) error {
			var v string
			return db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&v)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		visit(i)
	}
	b.ReportAllocs()
	c0 := processCPU()
	i := 0
	for b.Loop() {
		visit(i)
		i++
	}
	b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
	st := reg.Cache().Stats()
	b.ReportMetric(float64(st.Misses)/float64(st.Hits+st.Misses), "miss-ratio")
}
