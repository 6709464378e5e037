package tenants

import (
	"context"
	"path/filepath"
	"testing"
)

// A node migrating a commune file as it opens it stops at the first
// migration it would commit after losing the commune's lease; the file
// stays at the last version committed in time, and a later migration
// (by the node that holds the lease) carries on from there.
func TestACommuneMigrationStopsAtTheFirstCommitItsLeaseNoLongerAllows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ilot.db")
	db, err := OpenDB(path, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	commits := 0
	fence := func() error {
		if commits++; commits > 4 {
			return ErrLeaseLost
		}
		return nil
	}
	_, to, err := CommuneSchema.migrateFenced(ctx, path, fence)
	latest, lerr := CommuneSchema.Latest()
	if lerr != nil {
		t.Fatal(lerr)
	}
	if err == nil || to == 0 || to >= latest {
		t.Fatalf("fenced migration: version %d, %v; want stopped between 0 and %d with an error", to, err, latest)
	}
	check, err := OpenDB(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Version(ctx, check.Reader())
	check.Close()
	if err != nil || v != to {
		t.Fatalf("version in the file: %d %v, want %d", v, err, to)
	}
	if from, to, err := CommuneSchema.Migrate(ctx, path); err != nil || from != v || to != latest {
		t.Fatalf("migration by the lease's holder: %d → %d, %v; want %d → %d", from, to, err, v, latest)
	}
}
