package tenants_test

import (
	"context"
	"os"
	"testing"
	"time"

	"espacefamille/tenants"
)

// memoLoads reads slug's value under "k" through Memo at the commune's
// configuration version and returns how many times load ran in all.
func memoLoads(t *testing.T, reg *tenants.Registry, slug string, loads *int) string {
	t.Helper()
	ctx := context.Background()
	var got string
	err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
		v, err := tenants.ConfigVersion(ctx, db.Reader())
		if err != nil {
			return err
		}
		val, err := db.Memo("k", v, func() (any, error) {
			*loads++
			var name string
			err := db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&name)
			return name, err
		})
		if err == nil {
			got = val.(string)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMemoisedValuesSurviveClosingAndReopeningAnUntouchedFile(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "gigondas")
	ctx := context.Background()
	evict := func() {
		t.Helper()
		if err := reg.Cache().EvictWait(ctx, "gigondas"); err != nil {
			t.Fatal(err)
		}
	}
	evict() // closed once by this node: its stamp is recorded
	loads := 0
	memoLoads(t, reg, "gigondas", &loads)
	evict()
	if got := memoLoads(t, reg, "gigondas", &loads); loads != 1 || got != "Commune de gigondas" {
		t.Fatalf("after a close and a reopen: %d loads (want 1, the value kept), %q", loads, got)
	}

	// A configuration change is seen as in an open handle: the version moved.
	err := reg.WithCommune(ctx, "gigondas", func(db *tenants.DB) error {
		_, err := db.W.ExecContext(ctx, `UPDATE settings SET value = 'Gigondas' WHERE key = 'name'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	evict()
	if got := memoLoads(t, reg, "gigondas", &loads); loads != 2 || got != "Gigondas" {
		t.Fatalf("after a change: %d loads (want 2), %q", loads, got)
	}

	// The file touched while closed (another process, a restore): the
	// kept values are not trusted, whatever the version says.
	evict()
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(reg.CommunePath("gigondas"), later, later); err != nil {
		t.Fatal(err)
	}
	if memoLoads(t, reg, "gigondas", &loads); loads != 3 {
		t.Fatalf("after the file was touched: %d loads, want 3 (rebuilt)", loads)
	}
}
