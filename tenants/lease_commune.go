package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The commune side of the leases: the gate the cache's open goes through,
// the file put in place on a claim, and moves.

// gate is called by openCommune before the file is touched: it returns
// the lease the handle writes under (nil on a single node), having put the
// latest copy of the file in place when the lease is new to this node.
func (n *Nodes) gate(ctx context.Context, slug string) (*Lease, *grant, error) {
	if n == nil {
		return nil, nil, nil
	}
	n.mu.RLock()
	_, moving := n.moving[slug]
	n.mu.RUnlock()
	if moving {
		return nil, nil, ErrMaintenance
	}
	l, g, err := n.acquire(ctx, communeLease+slug, "claim")
	if err != nil {
		return nil, nil, err
	}
	if g != nil {
		if err := n.prepareFile(ctx, slug, g); err != nil {
			n.drop(l)
			return nil, nil, err
		}
	}
	return l, g, nil
}

// drop gives up a lease this node could not use: released in the store,
// so that another node may claim it at once.
func (n *Nodes) drop(l *Lease) {
	l.lost.Store(true)
	n.mu.Lock()
	if n.held[l.Name] == l {
		delete(n.held, l.Name)
	}
	n.mu.Unlock()
	n.release(l.Name, l.Epoch)
}

// release frees the lease name if this node still holds it under epoch.
func (n *Nodes) release(name string, epoch int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := n.db.W.ExecContext(ctx, `UPDATE leases SET node = '', expires_at = ?, move_to = ''
		WHERE name = ? AND node = ? AND epoch = ?`, FormatTime(time.Now()), name, n.id, epoch); err != nil {
		n.log.Error("leases: release", "lease", name, "err", err)
	}
}

// opened records the grant in the file just opened (its first write under
// the epoch) and tells the others the commune is served here.
func (n *Nodes) opened(ctx context.Context, db *DB, g *grant) error {
	if n == nil || g == nil {
		return nil
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO node_epochs (epoch, node, granted_at) VALUES (?, ?, ?)
			ON CONFLICT (epoch) DO NOTHING`, g.lease.Epoch, n.id, FormatTime(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("tenants: record epoch %d in %s: %w", g.lease.Epoch, g.lease.Name, err)
	}
	return n.markReady(ctx, g.lease)
}

// fileEpoch reads the last grant recorded in the file at path (0, "":
// none, or no file).
func fileEpoch(ctx context.Context, path string) (int64, string, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return 0, "", nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	var epoch int64
	var node string
	err = db.QueryRowContext(ctx, `SELECT epoch, node FROM node_epochs ORDER BY epoch DESC LIMIT 1`).Scan(&epoch, &node)
	if errors.Is(err, sql.ErrNoRows) || err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, "", nil
	}
	return epoch, node, err
}

// prepareFile puts the latest copy of slug's file in place for a lease
// new to this node: the local file when this node wrote the epoch before
// (it is at least as recent as the replica), else the replica's latest
// state; the local file when the replica holds none (a commune never
// replicated) or there is no replica.
func (n *Nodes) prepareFile(ctx context.Context, slug string, g *grant) error {
	path := n.r.CommunePath(slug)
	rep := n.r.opt.Replica
	if rep == nil {
		return nil
	}
	epoch, node, err := fileEpoch(ctx, path)
	if err != nil {
		n.log.Warn("leases: local copy unreadable; restoring from the replica", "commune", slug, "err", err)
	}
	if err == nil && epoch > 0 && node == n.id && epoch == g.prevEpoch {
		return nil // this node wrote last: its copy is the latest
	}
	if g.prevEpoch == 0 && epoch == 0 {
		if _, err := os.Stat(path); err == nil {
			return nil // never leased: the file created here is the only one
		}
	}
	if err := rep.waitReleased(ctx, path); err != nil {
		return err
	}
	var out ReplicaRestored
	p, err := rep.plan(ctx, replicaName(slug), time.Time{}, &out)
	if errors.Is(err, ErrNotInReplica) {
		if _, serr := os.Stat(path); serr == nil {
			n.log.Warn("leases: the replica holds no copy; serving the local file", "commune", slug)
			return nil
		}
		return fmt.Errorf("%w: %s (%w)", ErrFileNotHere, slug, err)
	} else if err != nil {
		return err
	}
	started := time.Now()
	tmp, err := n.r.download(ctx, p, slug, out, func(string) {})
	defer removeDBFiles(tmp)
	if err != nil {
		return err
	}
	if _, err := checkBackup(ctx, tmp, CommuneSchema, "settings"); err != nil {
		return fmt.Errorf("tenants: replica of %s: %w", slug, err)
	}
	// The local copy, its log and Litestream's local state are older than
	// the replica: replaced (Litestream finds the file behind the replica
	// and carries on from the replica's position).
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.RemoveAll(litestreamMeta(path)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	n.Restores.Add(1)
	n.log.Info("leases: commune restored from the replica for its new lease", "commune", slug, "epoch", g.lease.Epoch,
		"previous", g.prevNode, "bytes", out.Bytes, "took", time.Since(started).Round(time.Millisecond))
	return nil
}

// waitReleased waits until the replication of the file at path has ended
// (a handle of it still closing).
func (rep *Replicator) waitReleased(ctx context.Context, path string) error {
	for {
		rep.mu.Lock()
		f := rep.files[path]
		rep.mu.Unlock()
		if f == nil {
			return nil
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// RequestMove asks the holder of slug's lease to hand the commune over to
// node to (`commune move`, the console). A commune no live node holds is
// given to the target at once.
func (r *Registry) RequestMove(ctx context.Context, slug, to string) error {
	if _, err := r.Commune(ctx, slug); err != nil {
		return err
	}
	live, err := r.LiveNodes(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, nd := range live {
		found = found || nd.ID == to
	}
	if !found {
		return fmt.Errorf("tenants: node %q is not running (no sign of life within its lease TTL)", to)
	}
	name := communeLease + slug
	now := time.Now()
	return r.platform.Tx(ctx, func(tx *sql.Tx) error {
		var row leaseRow
		err := tx.QueryRowContext(ctx, `SELECT node, epoch, ready_epoch, expires_at, move_to FROM leases WHERE name = ?`, name).
			Scan(&row.node, &row.epoch, &row.ready, &row.expires, &row.moveTo)
		row.found = err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if row.live(now) {
			if row.node == to {
				return nil // already there
			}
			_, err := tx.ExecContext(ctx, `UPDATE leases SET move_to = ? WHERE name = ? AND epoch = ?`, to, name, row.epoch)
			return err
		}
		// Nobody serves it: the target takes it with the next epoch at
		// its next request (or its next look at its leases).
		// Compare-and-set, as a claim (Nodes.acquire): a node that claimed
		// it since the read wins and the move is refused.
		var res sql.Result
		if !row.found {
			res, err = tx.ExecContext(ctx, `INSERT INTO leases (name, node, epoch, expires_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (name) DO NOTHING`, name, to, FormatTime(now.Add(r.leaseTTL())))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE leases SET node = ?, epoch = ?, expires_at = ?, move_to = '', ready_epoch = ?
				WHERE name = ? AND epoch = ? AND (node = '' OR expires_at <= ?)`,
				to, row.epoch+1, FormatTime(now.Add(r.leaseTTL())), row.epoch, name, row.epoch, FormatTime(now))
		}
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("tenants: commune %s was claimed by a node meanwhile; ask for the move again", slug)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lease_grants (name, epoch, node, granted_at, reason) VALUES (?, ?, ?, ?, ?)`,
			name, row.epoch+1, to, FormatTime(now), "assigned")
		return err
	})
}

// leaseTTL is the TTL a commune assigned by a command gets (the nodes'
// default: the command is no node).
func (r *Registry) leaseTTL() time.Duration {
	if r.nodes != nil {
		return r.nodes.ttl
	}
	return DefaultLeaseTTL
}

// CommuneLease is where a commune is served (`commune move`, the console).
type CommuneLease struct {
	Node          string
	Epoch, Ready  int64
	Expires       time.Time
	MoveTo        string
	Live, Serving bool // a live holder; it serves under its epoch
}

// LeaseOf returns the lease of the commune slug (zero: never leased).
func (r *Registry) LeaseOf(ctx context.Context, slug string) (CommuneLease, error) {
	var row leaseRow
	err := r.platform.Reader().QueryRowContext(ctx, `SELECT node, epoch, ready_epoch, expires_at, move_to FROM leases WHERE name = ?`,
		communeLease+slug).Scan(&row.node, &row.epoch, &row.ready, &row.expires, &row.moveTo)
	if errors.Is(err, sql.ErrNoRows) {
		return CommuneLease{}, nil
	} else if err != nil {
		return CommuneLease{}, err
	}
	row.found = true
	exp, _ := ParseTime(row.expires)
	live := row.live(time.Now())
	return CommuneLease{Node: row.node, Epoch: row.epoch, Ready: row.ready, Expires: exp, MoveTo: row.moveTo,
		Live: live, Serving: live && row.ready == row.epoch}, nil
}

// Node is a node that shares the platform store.
type Node struct {
	ID, URL string
	SeenAt  time.Time
	Leases  int // communes it holds now
}

// LiveNodes lists the nodes seen within the lease TTL, by name.
func (r *Registry) LiveNodes(ctx context.Context) ([]Node, error) {
	since := FormatTime(time.Now().Add(-r.leaseTTL()))
	return All(ctx, r.platform.Reader(), func(row interface{ Scan(...any) error }) (Node, error) {
		var nd Node
		var seen string
		err := row.Scan(&nd.ID, &nd.URL, &seen, &nd.Leases)
		nd.SeenAt, _ = ParseTime(seen)
		return nd, err
	}, `SELECT n.id, n.url, n.seen_at, (SELECT count(*) FROM leases l WHERE l.node = n.id AND l.name LIKE 'commune:%' AND l.expires_at > ?)
		FROM nodes n WHERE n.seen_at > ? ORDER BY n.id`, FormatTime(time.Now()), since)
}

// followMoves hands over the communes a move asks this node to give up,
// and opens the ones handed to it (a move's target restores at once
// rather than at its first request).
func (n *Nodes) followMoves(ctx context.Context) error {
	type move struct{ name, to string }
	moves, err := All(ctx, n.db.Reader(), func(row interface{ Scan(...any) error }) (move, error) {
		var m move
		return m, row.Scan(&m.name, &m.to)
	}, `SELECT name, move_to FROM leases WHERE node = ? AND move_to <> ''`, n.id)
	if err != nil {
		return err
	}
	for _, m := range moves {
		slug, ok := strings.CutPrefix(m.name, communeLease)
		if !ok {
			continue
		}
		n.mu.Lock()
		_, busy := n.moving[slug]
		if !busy {
			n.moving[slug] = struct{}{}
		}
		n.mu.Unlock()
		if !busy {
			go n.handOver(slug, m.to)
		}
	}
	handed, err := Values[string](ctx, n.db.Reader(),
		`SELECT name FROM leases WHERE node = ? AND ready_epoch < epoch AND expires_at > ? AND name LIKE 'commune:%'`, n.id, FormatTime(time.Now()))
	if err != nil {
		return err
	}
	for _, name := range handed {
		if n.heldLease(name) != nil {
			continue
		}
		slug := strings.TrimPrefix(name, communeLease)
		go func() {
			octx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, release, err := n.r.Acquire(octx, slug); err != nil {
				n.log.Error("leases: open a commune handed over", "commune", slug, "err", err)
			} else {
				release()
			}
		}()
	}
	return nil
}

// handOver moves slug to the node to: its pages answer the maintenance
// page meanwhile; the handle closes (the final sync ships every write
// committed to the replica); the lease goes to the target with the next
// epoch, which restores from the replica and serves.
func (n *Nodes) handOver(slug, to string) {
	defer func() {
		n.mu.Lock()
		delete(n.moving, slug)
		n.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*n.ttl)
	defer cancel()
	started := time.Now()
	name := communeLease + slug
	l := n.heldLease(name)
	if err := n.r.cache.EvictWait(ctx, slug); err != nil {
		n.log.Error("leases: move: close the commune", "commune", slug, "err", err)
		return
	}
	if l == nil || l.Check() != nil {
		// Not served here (or lost meanwhile): the lease row decides.
		l = nil
	}
	now := time.Now()
	err := n.db.Tx(ctx, func(tx *sql.Tx) error {
		row, err := n.readLease(ctx, tx, name)
		if err != nil {
			return err
		}
		if row.node != n.id || (l != nil && row.epoch != l.Epoch) {
			return fmt.Errorf("tenants: lease %s is not this node's any more", name)
		}
		res, err := tx.ExecContext(ctx, `UPDATE leases SET node = ?, epoch = ?, expires_at = ?, move_to = '', ready_epoch = ?
			WHERE name = ? AND node = ? AND epoch = ?`, to, row.epoch+1, FormatTime(now.Add(n.ttl)), row.epoch, name, n.id, row.epoch)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("tenants: lease %s changed hands during the move", name)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lease_grants (name, epoch, node, granted_at, reason) VALUES (?, ?, ?, ?, ?)`,
			name, row.epoch+1, to, FormatTime(now), "move from "+n.id)
		return err
	})
	if l != nil {
		n.drop(l)
	}
	if err != nil {
		n.log.Error("leases: move", "commune", slug, "to", to, "err", err)
		return
	}
	n.forgetOwner(slug)
	n.Handovers.Add(1)
	n.log.Info("leases: commune handed over", "commune", slug, "to", to, "closed_and_synced_in", time.Since(started).Round(time.Millisecond))
}

// ShipToReplica copies the commune's file as it is now to the replica
// (a commune created by a command, before any node serves it): the node
// that claims it first then restores it from there.
func (r *Registry) ShipToReplica(ctx context.Context, rep *Replicator, slug string) error {
	if err := r.cache.EvictWait(ctx, slug); err != nil {
		return err
	}
	f, err := rep.acquire(ctx, r.CommunePath(slug), replicaName(slug))
	if err != nil {
		return err
	}
	return rep.release(ctx, f)
}
