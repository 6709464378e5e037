package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// nodeCluster is several registries sharing one platform store and one
// file replica, as nodes on several machines share PostgreSQL and object
// storage: each has its own data directory. The store is a PostgreSQL
// schema (dsn) or a platform.db file the nodes share (platform).
type nodeCluster struct {
	t        *testing.T
	platform string
	dsn      string
	replica  string
}

func newNodeCluster(t *testing.T, dsn string) *nodeCluster {
	dir := t.TempDir()
	return &nodeCluster{t: t, platform: filepath.Join(dir, "platform.db"), dsn: dsn, replica: "file://" + filepath.Join(dir, "replica")}
}

// open starts a registry: a node when id != "", else a command's.
func (c *nodeCluster) open(id string, ttl time.Duration) *tenants.Registry {
	t := c.t
	ctx := context.Background()
	rep, err := tenants.NewReplicator(ctx, c.replica, tenants.ReplicaOptions{Logger: quietLogger(), SyncInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	opt := tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: quietLogger(), Replica: rep, PlatformPath: c.platform, PlatformDSN: c.dsn}
	if id != "" {
		opt.Node = &tenants.NodeOptions{ID: id, URL: "http://" + id + ".invalid", TTL: ttl}
	}
	reg, err := tenants.Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			reg.Close()
		}
		rep.Close(context.Background())
	})
	return reg
}

func addFamily(ctx context.Context, reg *tenants.Registry, slug, name string) error {
	return reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES (?, '2026-01-01')`, name)
			return err
		})
	})
}

func familyNames(t *testing.T, reg *tenants.Registry, slug string) []string {
	t.Helper()
	var names []string
	err := reg.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		rows, err := db.Reader().QueryContext(context.Background(), `SELECT name FROM families ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func epochsInFile(t *testing.T, reg *tenants.Registry, slug string) []string {
	t.Helper()
	var out []string
	err := reg.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		rows, err := db.Reader().QueryContext(context.Background(), `SELECT epoch || ':' || node FROM node_epochs ORDER BY epoch`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after 30s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// One commune, two nodes: the first to need it claims it (epoch 1) and
// the other is told who owns it; a node frozen past its lease can no
// longer commit (fencing) while the other, having claimed epoch 2,
// restores from the replica and finds every write confirmed before the
// freeze; a move hands the commune to a third node with epoch 3 and
// every write the second one confirmed. The file lists the epochs in
// order, each with its one writer.
func TestLeasesClaimFenceAndMoveACommune(t *testing.T) {
	eachPlatform(t, testLeasesClaimFenceAndMoveACommune)
}

func testLeasesClaimFenceAndMoveACommune(t *testing.T, dsn string) {
	ctx := context.Background()
	cl := newNodeCluster(t, dsn)
	cmd := cl.open("", 0)
	createCommune(t, cmd, "ilot")
	if err := cmd.ShipToReplica(ctx, cmd.Replica(), "ilot"); err != nil {
		t.Fatal(err)
	}
	cmd.Close()

	a := cl.open("a", 2*time.Second)
	b := cl.open("b", 2*time.Second)
	if err := addFamily(ctx, a, "ilot", "FAMILLE AVANT"); err != nil {
		t.Fatalf("first node to need the commune: %v", err)
	}
	var no *tenants.NotOwnerError
	if _, _, err := b.Acquire(ctx, "ilot"); !errors.As(err, &no) || no.Node != "a" {
		t.Fatalf("second node opening the commune: %v, want owned by a", err)
	}
	if url, err := b.Nodes().Route(ctx, "ilot"); err != nil || url != "http://a.invalid" {
		t.Fatalf("route from b: %q %v, want a's address", url, err)
	}
	if err := a.SyncReplica(ctx, "ilot"); err != nil {
		t.Fatal(err)
	}

	// a freezes: its lease runs out and b claims the commune.
	tenants.PauseNode(a)
	waitFor(t, "a's lease to expire", func() bool {
		l, err := a.LeaseOf(ctx, "ilot")
		return err == nil && !l.Live
	})
	if err := addFamily(ctx, b, "ilot", "FAMILLE APRÈS"); err != nil {
		t.Fatalf("b claiming the expired commune: %v", err)
	}
	err := addFamily(ctx, a, "ilot", "FAMILLE FANTÔME")
	if !errors.Is(err, tenants.ErrLeaseLost) {
		t.Fatalf("a write on the frozen node: %v, want ErrLeaseLost", err)
	}
	if got := familyNames(t, b, "ilot"); len(got) != 2 || got[0] != "FAMILLE AVANT" || got[1] != "FAMILLE APRÈS" {
		t.Fatalf("families on b: %q", got)
	}

	// A move to a third node: every write b confirmed goes with it.
	c := cl.open("c", 2*time.Second)
	if err := b.RequestMove(ctx, "ilot", "c"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "c to serve the commune", func() bool {
		l, err := c.LeaseOf(ctx, "ilot")
		return err == nil && l.Node == "c" && l.Serving
	})
	if err := addFamily(ctx, b, "ilot", "FAMILLE PERDUE"); !tenants.IsNotOwner(err) {
		t.Fatalf("b writing after the move: %v, want owned by c", err)
	}
	if got := familyNames(t, c, "ilot"); len(got) != 2 || got[1] != "FAMILLE APRÈS" {
		t.Fatalf("families on c after the move: %q", got)
	}
	if got := epochsInFile(t, c, "ilot"); len(got) != 3 || got[0] != "1:a" || got[1] != "2:b" || got[2] != "3:c" {
		t.Fatalf("epochs recorded in the file: %q, want 1:a 2:b 3:c", got)
	}
}

// Platform-wide jobs run on one node at a time; a single node always may.
func TestPlatformWideJobsRunOnOneNodeAtATime(t *testing.T) {
	eachPlatform(t, testPlatformWideJobsRunOnOneNodeAtATime)
}

func testPlatformWideJobsRunOnOneNodeAtATime(t *testing.T, dsn string) {
	ctx := context.Background()
	cl := newNodeCluster(t, dsn)
	single := cl.open("", 0)
	if ok, err := single.TryLock(ctx, "housekeeping"); !ok || err != nil {
		t.Fatalf("single node: %v %v", ok, err)
	}
	a := cl.open("a", 2*time.Second)
	b := cl.open("b", 2*time.Second)
	okA, errA := a.TryLock(ctx, "housekeeping")
	okB, errB := b.TryLock(ctx, "housekeeping")
	if errA != nil || errB != nil || !okA || okB {
		t.Fatalf("a: %v %v, b: %v %v; want a only", okA, errA, okB, errB)
	}
	if ok, _ := a.TryLock(ctx, "housekeeping"); !ok {
		t.Fatal("a lost its own lock")
	}
	a.Close()
	if ok, err := b.TryLock(ctx, "housekeeping"); !ok || err != nil {
		t.Fatalf("b after a stopped: %v %v", ok, err)
	}
}

// On PostgreSQL, where lease transactions run side by side: a node whose
// renewal was late (its lease expired in the store) renews while another
// node is claiming the commune, between the claim's read of the lease row
// and its write. The renewal wins: the claim changes nothing, the
// claimer is told who owns the commune, no second epoch is granted, and
// the owner goes on writing alone.
func TestARenewalThatCommitsDuringAClaimKeepsTheLease(t *testing.T) {
	ctx := context.Background()
	cl := newNodeCluster(t, pgtest.DSN(t))
	cmd := cl.open("", 0)
	createCommune(t, cmd, "ilot")
	if err := cmd.ShipToReplica(ctx, cmd.Replica(), "ilot"); err != nil {
		t.Fatal(err)
	}
	a := cl.open("a", 2*time.Second)
	b := cl.open("b", 2*time.Second)
	if err := addFamily(ctx, a, "ilot", "FAMILLE A"); err != nil {
		t.Fatal(err)
	}
	tenants.PauseNode(a)
	waitFor(t, "a's lease to expire in the store", func() bool {
		l, err := a.LeaseOf(ctx, "ilot")
		return err == nil && !l.Live
	})
	renewed := false
	tenants.BetweenClaimReadAndWrite(b, func(string) {
		if !renewed {
			renewed = true
			if err := tenants.RenewNow(ctx, a); err != nil {
				t.Errorf("a's renewal: %v", err)
			}
		}
	})
	var no *tenants.NotOwnerError
	if _, _, err := b.Acquire(ctx, "ilot"); !errors.As(err, &no) || no.Node != "a" {
		t.Fatalf("b claiming while a renews: %v, want owned by a", err)
	}
	if !renewed {
		t.Fatal("b's claim never reached its compare-and-set")
	}
	if l, err := cmd.LeaseOf(ctx, "ilot"); err != nil || l.Node != "a" || l.Epoch != 1 || !l.Live {
		t.Fatalf("lease after the race: %+v %v, want a's epoch 1, live", l, err)
	}
	if err := addFamily(ctx, a, "ilot", "FAMILLE A ENCORE"); err != nil {
		t.Fatalf("a writing after its renewal: %v", err)
	}
	rows, err := cmd.Platform().Reader().QueryContext(ctx, `SELECT epoch || ':' || node FROM lease_grants WHERE name = 'commune:ilot' ORDER BY epoch`)
	if err != nil {
		t.Fatal(err)
	}
	grants, err := tenants.Column[string](rows)
	if err != nil || len(grants) != 1 || grants[0] != "1:a" {
		t.Fatalf("grants: %q %v, want 1:a only", grants, err)
	}
}

// A node claims a commune at its first request; the claim's transaction
// gives the request's active-request slot back (DB.Tx) and takes one
// again after. A second request for the same commune, arriving meanwhile,
// takes the free slot and waits for the open: it used to wait holding
// that slot, so the opener never got one back and both hung for good
// (the node's every slot filled up with requests for that commune, as
// after a failover in the rehearsal). Waiting for an open now gives the
// slot back: with one slot, both requests get the commune.
func TestARequestWaitingForAnOpenLeavesTheOpenerASlot(t *testing.T) {
	ctx := context.Background()
	cl := newNodeCluster(t, "")
	cmd := cl.open("", 0)
	createCommune(t, cmd, "ilot")
	if err := cmd.ShipToReplica(ctx, cmd.Replica(), "ilot"); err != nil {
		t.Fatal(err)
	}
	cmd.Close()
	b := cl.open("b", 10*time.Second)
	slots := tenants.NewActiveLimit(1)
	// request enters a slot and opens the commune, as a request does.
	request := func(done chan<- error) {
		rctx, leave, err := slots.Enter(ctx)
		if err != nil {
			done <- err
			return
		}
		defer leave()
		_, release, err := b.Acquire(rctx, "ilot")
		if err == nil {
			release()
		}
		done <- err
	}
	second := make(chan error, 1)
	started := false
	tenants.BetweenClaimReadAndWrite(b, func(string) {
		if started {
			return
		}
		started = true
		hits := b.Cache().Stats().Hits
		go request(second) // in the slot the claim gave back
		waitFor(t, "the second request to wait for the open", func() bool { return b.Cache().Stats().Hits > hits })
	})
	first := make(chan error, 1)
	go request(first)
	for name, ch := range map[string]chan error{"first": first, "second": second} {
		select {
		case err := <-ch:
			if err != nil {
				t.Fatalf("%s request: %v", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the %s request still waits for the commune after 30 s: the requests wait for each other's slot", name)
		}
	}
}

// Four nodes need the same commune at once (its first requests after a
// failover, arriving on every survivor): one claims it, each of the
// others is told that one owns it (a claim that lost the race reads the
// lease again), and the platform store granted the epoch once.
func TestNodesClaimingOneCommuneAtOnceGetOneOwner(t *testing.T) {
	eachPlatform(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		cl := newNodeCluster(t, dsn)
		cmd := cl.open("", 0)
		createCommune(t, cmd, "ilot")
		if err := cmd.ShipToReplica(ctx, cmd.Replica(), "ilot"); err != nil {
			t.Fatal(err)
		}
		cmd.Close()
		ids := []string{"a", "b", "c", "d"}
		regs := map[string]*tenants.Registry{}
		for _, id := range ids {
			regs[id] = cl.open(id, 5*time.Second)
		}
		errs := make(chan error, len(ids))
		for _, id := range ids {
			go func() {
				_, release, err := regs[id].Acquire(ctx, "ilot")
				if err == nil {
					release()
				}
				errs <- err
			}()
		}
		var winners, owned int
		for range ids {
			err := <-errs
			var no *tenants.NotOwnerError
			switch {
			case err == nil:
				winners++
			case errors.As(err, &no):
				owned++
			default:
				t.Errorf("a node needing the commune: %v", err)
			}
		}
		l, err := regs["a"].LeaseOf(ctx, "ilot")
		if err != nil || winners != 1 || owned != len(ids)-1 || l.Epoch != 1 || !l.Live {
			t.Fatalf("%d claimed, %d told the owner; lease %+v %v: want one owner under epoch 1", winners, owned, l, err)
		}
	})
}
