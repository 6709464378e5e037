package app_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// replicaNode is a node whose files are replicated to a file replica.
type replicaNode struct {
	*apptest.Env
	rep *tenants.Replicator
	ids apptest.DemoIDs
}

func newReplicaNode(t *testing.T) *replicaNode {
	t.Helper()
	return newReplicaNodeAt(t, "file://"+t.TempDir())
}

func newReplicaNodeAt(t *testing.T, url string) *replicaNode {
	t.Helper()
	// Ship every 100 ms (1 s in production) to keep the test short.
	rep, err := tenants.NewReplicator(context.Background(), url, tenants.ReplicaOptions{
		SyncInterval: 100 * time.Millisecond, Logger: apptest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so closed after the registry (its final syncs).
	t.Cleanup(func() { rep.Close(context.Background()) })
	env := apptest.New(t, apptest.At(time.Date(2026, time.November, 23, 8, 0, 0, 0, calendar.Paris())), apptest.WithReplica(rep))
	return &replicaNode{Env: env, rep: rep, ids: env.Demo()}
}

// book is a parent's "Valider" and payment of a classic meal for Fille
// FAMILLE X on day, as order ref.
func (n *replicaNode) book(day, ref string) {
	n.T.Helper()
	ctx := context.Background()
	d, err := calendar.ParseISO(day)
	if err != nil {
		n.T.Fatal(err)
	}
	now := n.Clock.Now()
	err = n.Registry.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		if _, err := booking.ToggleCell(ctx, db, booking.Click{FamilyID: n.ids.Family, RegieID: n.ids.Cantine, ChildID: n.ids.Fille,
			PrestationID: n.ids.Prestations["REPAS CLASSIQUE ENFANT"], Day: d}, now); err != nil {
			return err
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := booking.HoldCart(ctx, db, tx, n.ids.Family, n.ids.Cantine, ref, now)
			return err
		}); err != nil {
			return err
		}
		return db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := booking.ConfirmHolds(ctx, tx, n.ids.Family, ref, now)
			if err == nil && len(res.Confirmed) != 1 {
				err = errors.New("the payment booked nothing")
			}
			return err
		})
	})
	if err != nil {
		n.T.Fatalf("booking %s on %s: %v", ref, day, err)
	}
}

// synced waits until the demo commune's writes are all in the replica.
func (n *replicaNode) synced() {
	n.T.Helper()
	if err := n.Registry.SyncReplica(context.Background(), demo.Slug); err != nil {
		n.T.Fatal(err)
	}
}

func (n *replicaNode) bookings() int {
	return n.Count(demo.Slug, `SELECT count(*) FROM reservations WHERE state = 'validated' AND order_ref IN ('A', 'B')`)
}

// loseTheDisk evicts the commune (its final sync) and deletes its file and
// everything Litestream kept beside it, as a dead disk would.
func (n *replicaNode) loseTheDisk() {
	n.T.Helper()
	n.Registry.Cache().Evict(demo.Slug)
	path := n.Registry.CommunePath(demo.Slug)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			n.T.Fatal(err)
		}
	}
	matches, _ := os.ReadDir(n.Registry.DataDir() + "/communes")
	for _, m := range matches {
		if m.IsDir() {
			os.RemoveAll(n.Registry.DataDir() + "/communes/" + m.Name())
		}
	}
}

// Bookings paid on a node whose disk then dies come back from the replica:
// the file is gone, the commune is out of service ("fichier introuvable"),
// and `commune restore --from-replica` brings both orders back.
func TestBookingsComeBackFromTheReplicaAfterTheFileIsLost(t *testing.T) {
	ctx := context.Background()
	n := newReplicaNode(t)
	n.book("2026-12-03", "A")
	n.book("2026-12-04", "B")
	if got := n.bookings(); got != 2 {
		t.Fatalf("%d bookings before the loss, want 2", got)
	}
	n.loseTheDisk()
	if _, _, err := n.Registry.Acquire(ctx, demo.Slug); !errors.Is(err, tenants.ErrBroken) {
		t.Fatalf("a commune without its file opens: %v", err)
	}

	var steps []string
	got, err := n.Registry.RestoreFromReplica(ctx, n.rep, demo.Slug, tenants.ReplicaRestore{
		Progress: func(s string) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if got.Files == 0 || got.Before != "" || len(steps) < 3 {
		t.Errorf("restore report %+v, steps %q", got, steps)
	}
	if b := n.bookings(); b != 2 {
		t.Fatalf("%d bookings after the restore, want the 2 paid", b)
	}
	c, err := n.Registry.Commune(ctx, demo.Slug)
	if err != nil || c.Status != tenants.StatusActive || c.Broken != "" {
		t.Fatalf("after the restore the commune is %+v (%v), want active and sound", c, err)
	}
	// The restored file is replicated again: another loss loses nothing.
	n.loseTheDisk()
	if _, err := n.Registry.RestoreFromReplica(ctx, n.rep, demo.Slug, tenants.ReplicaRestore{}); err != nil {
		t.Fatal(err)
	}
	if b := n.bookings(); b != 2 {
		t.Fatalf("%d bookings after the second restore, want 2", b)
	}
}

// The same loss and restore with an S3-compatible replica: opt-in, run by
// scripts/test-s3-replica, which starts a local S3 server and sets
// ESPACEFAMILLE_TEST_S3_URL (s3://bucket/prefix?endpoint=…).
func TestBookingsComeBackFromAnS3Replica(t *testing.T) {
	url := os.Getenv("ESPACEFAMILLE_TEST_S3_URL")
	if url == "" {
		t.Skip("opt-in: scripts/test-s3-replica runs it against a local S3 server")
	}
	ctx := context.Background()
	n := newReplicaNodeAt(t, url)
	n.book("2026-12-03", "A")
	n.book("2026-12-04", "B")
	n.loseTheDisk()
	got, err := n.Registry.RestoreFromReplica(ctx, n.rep, demo.Slug, tenants.ReplicaRestore{})
	if err != nil {
		t.Fatal(err)
	}
	if b := n.bookings(); b != 2 || got.Files == 0 {
		t.Fatalf("%d bookings after the restore from S3 (%d files), want 2", b, got.Files)
	}
}

// A restore to a moment between two orders brings back the first only;
// a restore to a moment after the second (undoing the first restore)
// brings back both.
func TestRestoreFromReplicaToAPointInTime(t *testing.T) {
	ctx := context.Background()
	n := newReplicaNode(t)
	n.book("2026-12-03", "A")
	n.synced()
	between := time.Now()
	time.Sleep(20 * time.Millisecond) // the replica's times are in milliseconds
	n.book("2026-12-04", "B")
	n.synced()
	afterB := time.Now()
	time.Sleep(20 * time.Millisecond)

	if _, err := n.Registry.RestoreFromReplica(ctx, n.rep, demo.Slug, tenants.ReplicaRestore{At: between}); err != nil {
		t.Fatal(err)
	}
	if a, b := n.Count(demo.Slug, `SELECT count(*) FROM reservations WHERE order_ref = 'A' AND state = 'validated'`),
		n.Count(demo.Slug, `SELECT count(*) FROM reservations WHERE order_ref = 'B'`); a != 1 || b != 0 {
		t.Fatalf("restored to between the orders: %d of order A, %d of order B; want 1 and 0", a, b)
	}
	// The copy kept before a restore is named to the second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	// The replica's latest state is now the restored one; going forward
	// again is one more restore, to a moment after order B.
	got, err := n.Registry.RestoreFromReplica(ctx, n.rep, demo.Slug, tenants.ReplicaRestore{At: afterB})
	if err != nil {
		t.Fatal(err)
	}
	if b := n.bookings(); b != 2 {
		t.Fatalf("restored to after order B: %d bookings, want 2", b)
	}
	if got.Before == "" {
		t.Error("the data before the restore was not kept")
	}
}

// A restore the replica cannot serve is refused and changes nothing.
func TestRestoreFromReplicaRefusals(t *testing.T) {
	ctx := context.Background()
	n := newReplicaNode(t)
	n.book("2026-12-03", "A")
	n.synced()
	if _, err := n.Registry.CreateCommune(ctx, tenants.NewCommune{Slug: "jamais-ouverte", Name: "Commune jamais ouverte"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		slug string
		at   time.Time
		want error
	}{
		{"a commune never opened on a replicated node", "jamais-ouverte", time.Time{}, tenants.ErrNotInReplica},
		{"an unknown commune", "inconnue", time.Time{}, tenants.ErrNotInReplica},
		{"a moment before the replica's history", demo.Slug, time.Now().Add(-48 * time.Hour), tenants.ErrOutsideReplica},
		{"a moment in the future", demo.Slug, time.Now().Add(time.Hour), tenants.ErrOutsideReplica},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := n.Registry.RestoreFromReplica(ctx, n.rep, tc.slug, tenants.ReplicaRestore{At: tc.at})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if b := n.bookings(); b != 1 {
				t.Fatalf("%d bookings after a refused restore, want 1", b)
			}
			if c, err := n.Registry.Commune(ctx, demo.Slug); err != nil || c.Status != tenants.StatusActive {
				t.Fatalf("the commune is %+v after a refused restore (%v)", c, err)
			}
		})
	}
}
