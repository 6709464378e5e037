package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Several nodes (processes, usually on several machines) may share one
// platform store. Each commune file is then written by exactly one node at
// a time: the holder of the commune's lease, a row of the platform table
// leases (holder, epoch, expiry). The holder renews its leases every few
// seconds; a lease not renewed for its TTL is free, and the next node that
// needs the commune claims it with the epoch one higher, restoring the
// file from the replica when its own copy is not the last one written.
//
// Fencing. A node may stop renewing without knowing it (a pause, a lost
// network) while another claims the commune. Every write transaction
// therefore checks, just before it commits, the lease it was opened under
// (DB.Tx → Lease.Check): the lease must not be known lost and must still
// be valid by this node's own monotonic clock, which ends its validity
// fenceMargin before the expiry the others read in the platform store
// (counted from the moment the renewal was sent, so never later than the
// store's expiry). Another node claims only after that expiry, so no
// commit of the old holder can follow a commit of the new one (given
// clocks that do not drift by more than the margin within one TTL). The
// check is two atomic loads: no platform query on the write path. A
// like check guards the replica storage: the file's replica client
// uploads the writes committed in time until the lease's expiry (as this
// node counts it, from the renewal's sending) and refuses after, so the
// old holder's Litestream cannot ship into a history the new holder has
// taken over. The commune file records the epoch under which it is written
// (table node_epochs, one row per grant), which tells a claiming node
// whether its local copy is the latest and lets anyone check that epochs
// only grew.

// NodeOptions makes the registry one node among several (Options.Node).
type NodeOptions struct {
	// ID names the node (unique among the nodes sharing the store).
	ID string
	// URL is the node's internal address (http://10.0.0.2:8080), where
	// the other nodes forward the requests of the communes it owns.
	URL string
	// TTL is how long a lease lives without renewal (default 15 s); it is
	// renewed every TTL/5. A dead node's communes are claimed by others
	// once it has passed.
	TTL time.Duration
}

// DefaultLeaseTTL is NodeOptions.TTL's default.
const DefaultLeaseTTL = 15 * time.Second

// ErrMaintenance: the commune is being moved to another node; its pages
// answer the short maintenance page for the few seconds it takes.
var ErrMaintenance = errors.New("commune en maintenance (déplacement en cours)")

// ErrLeaseLost: a write was refused because this node no longer holds the
// commune's lease under the epoch the file was opened with (fencing).
var ErrLeaseLost = errors.New("tenants: the commune's lease is no longer held by this node; write refused")

// ErrFileNotHere: among several nodes, this node has no copy of the
// commune's file and the replica holds none either. Only this node fails
// the request; the commune is not marked broken (another node may hold
// the file), and the lease is given up.
var ErrFileNotHere = errors.New("tenants: this node has no copy of the commune's file and the replica holds none")

// NotOwnerError: another live node owns the commune.
type NotOwnerError struct {
	Slug, Node, URL string
}

func (e *NotOwnerError) Error() string {
	return fmt.Sprintf("tenants: commune %s is owned by node %s (%s)", e.Slug, e.Node, e.URL)
}

// IsNotOwner reports whether err says another node owns the commune (or
// it is moving): background jobs skip such communes.
func IsNotOwner(err error) bool {
	var no *NotOwnerError
	return errors.As(err, &no) || errors.Is(err, ErrMaintenance)
}

// Lease is one lease this node holds, under one epoch.
type Lease struct {
	Name  string
	Epoch int64
	nodes *Nodes
	valid atomic.Int64 // monotonic ns (Nodes.mono) until which writes may commit
	// expiry is the store's expiry as this node counts it (monotonic ns):
	// writes committed before valid may still ship to the replica until
	// then, never after (another node may have restored by then).
	expiry atomic.Int64
	lost   atomic.Bool
	since  int64 // monotonic ns when it was granted
}

// Check is the fencing check: nil while the lease is held and valid.
func (l *Lease) Check() error {
	if l == nil {
		return nil
	}
	if l.lost.Load() || l.nodes.mono() >= l.valid.Load() {
		return fmt.Errorf("%w (%s, epoch %d)", ErrLeaseLost, l.Name, l.Epoch)
	}
	return nil
}

// checkShip is the replica's fencing check: nil until the lease's expiry
// as the other nodes read it.
func (l *Lease) checkShip() error {
	if l == nil {
		return nil
	}
	if l.lost.Load() || l.nodes.mono() >= l.expiry.Load() {
		return fmt.Errorf("%w (%s, epoch %d): not shipped to the replica", ErrLeaseLost, l.Name, l.Epoch)
	}
	return nil
}

// shipWindow is how long writes may still ship to the replica.
func (l *Lease) shipWindow() time.Duration {
	return max(time.Duration(l.expiry.Load()-l.nodes.mono()), 0)
}

// extend sets the lease's validity from a renewal or grant sent at sent.
func (l *Lease) extend(sent int64, n *Nodes) {
	l.valid.Store(sent + int64(n.ttl-n.margin))
	l.expiry.Store(sent + int64(n.ttl) - int64(100*time.Millisecond))
}

// Nodes is this node's side of the leases: claims, renewals, moves.
type Nodes struct {
	r *Registry
	// db is the platform store on connections of the leases' own, so
	// that renewals never queue behind this node's other platform writes.
	db     *DB
	id     string
	url    string
	ttl    time.Duration
	margin time.Duration // fenceMargin
	base   time.Time     // origin of mono()
	log    *slog.Logger

	mu     sync.RWMutex
	held   map[string]*Lease   // by lease name
	moving map[string]struct{} // communes handing over (by slug)
	owners map[string]owner    // other nodes' communes, by slug, briefly cached

	lastRenew time.Time
	stop      chan struct{}
	stopOnce  sync.Once
	done      chan struct{}
	started   atomic.Bool

	// claimHook, when set (tests), runs inside a claim's transaction
	// between its read of the lease row and its compare-and-set.
	claimHook func(name string)

	// Figures (metrics, report).
	Claims, Restores, Forwards, Fenced, Handovers atomic.Int64
}

type owner struct {
	node, url string
	until     time.Time
}

const communeLease = "commune:"

func newNodes(ctx context.Context, r *Registry, o NodeOptions) (*Nodes, error) {
	if err := ValidateNodeID(o.ID); err != nil {
		return nil, err
	}
	if o.TTL <= 0 {
		o.TTL = DefaultLeaseTTL
	}
	if o.TTL < time.Second {
		return nil, fmt.Errorf("tenants: lease TTL %s: at least 1s", o.TTL)
	}
	db, err := openLeaseStore(ctx, r)
	if err != nil {
		return nil, err
	}
	n := &Nodes{r: r, db: db, id: o.ID, url: strings.TrimSuffix(o.URL, "/"), ttl: o.TTL, margin: max(o.TTL/4, 250*time.Millisecond),
		base: time.Now(), log: r.log, held: map[string]*Lease{}, moving: map[string]struct{}{}, owners: map[string]owner{}}
	return n, nil
}

// openLeaseStore opens the registry's platform store again, on
// connections of the leases' own: PostgreSQL (whose lease transactions
// take no platform-wide write lock: every lease write is a compare-and-set
// that PostgreSQL re-checks on the row's latest version, see acquire), or
// the shared platform.db file.
func openLeaseStore(ctx context.Context, r *Registry) (*DB, error) {
	if r.opt.PlatformDSN != "" {
		return OpenPostgres(ctx, r.opt.PlatformDSN, OpenOptions{ReadConns: 2, NoWriteLock: true})
	}
	return OpenDB(r.platform.Path(), OpenOptions{ReadConns: 2})
}

// ValidateNodeID checks a node's name: 1–64 letters, digits, '-', '_', '.'.
func ValidateNodeID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("node id %q: 1 to 64 characters", id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("node id %q: letters, digits, '-', '_' and '.' only", id)
		}
	}
	return nil
}

func (n *Nodes) mono() int64 { return int64(time.Since(n.base)) }

// ID returns the node's name.
func (n *Nodes) ID() string { return n.id }

// TTL returns the leases' time to live.
func (n *Nodes) TTL() time.Duration { return n.ttl }

// Nodes returns the registry's node (nil: a single node, no leases).
func (r *Registry) Nodes() *Nodes { return r.nodes }

// start registers the node and starts renewing its leases.
func (n *Nodes) start(ctx context.Context) error {
	now := time.Now()
	_, err := n.db.W.ExecContext(ctx, `INSERT INTO nodes (id, url, started_at, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, started_at = excluded.started_at, seen_at = excluded.seen_at`,
		n.id, n.url, FormatTime(now), FormatTime(now))
	if err != nil {
		return fmt.Errorf("tenants: register node %s: %w", n.id, err)
	}
	n.lastRenew = now
	n.stop, n.done = make(chan struct{}), make(chan struct{})
	n.started.Store(true)
	go n.loop()
	return nil
}

// tick is how often the node looks for moves and renews when due.
func (n *Nodes) tick() time.Duration { return min(n.ttl/5, 500*time.Millisecond) }

// renewEvery is how often the leases are renewed: a renewal delayed by
// a busy store still lands well before the leases' validity ends.
func (n *Nodes) renewEvery() time.Duration { return n.ttl / 5 }

func (n *Nodes) loop() {
	defer close(n.done)
	t := time.NewTicker(n.tick())
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), n.ttl)
		if time.Since(n.lastRenew) >= n.renewEvery() {
			if err := n.renew(ctx); err != nil {
				n.log.Error("leases: renewal failed; writes stop when the leases run out", "node", n.id, "err", err)
			}
		}
		if err := n.followMoves(ctx); err != nil {
			n.log.Error("leases: moves", "node", n.id, "err", err)
		}
		cancel()
	}
}

// renew extends every lease of this node and drops the ones another node
// took meanwhile (their handles close without shipping anything).
func (n *Nodes) renew(ctx context.Context) error {
	sent := n.mono()
	now := time.Now()
	expires := FormatTime(now.Add(n.ttl))
	var rows []struct {
		name         string
		epoch, ready int64
	}
	err := n.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE nodes SET seen_at = ?, url = ? WHERE id = ?`, FormatTime(now), n.url, n.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE node = ?`, expires, n.id); err != nil {
			return err
		}
		q, err := tx.QueryContext(ctx, `SELECT name, epoch, ready_epoch FROM leases WHERE node = ?`, n.id)
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			var r struct {
				name         string
				epoch, ready int64
			}
			if err := q.Scan(&r.name, &r.epoch, &r.ready); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return q.Err()
	})
	if err != nil {
		return err
	}
	if took := time.Duration(n.mono() - sent); took > n.renewEvery() {
		n.log.Warn("leases: slow renewal (a busy platform store)", "node", n.id, "took", took.Round(time.Millisecond), "leases", len(rows))
	}
	n.lastRenew = now
	mine := make(map[string]int64, len(rows))
	for _, r := range rows {
		mine[r.name] = r.epoch
	}
	var lost []*Lease
	n.mu.Lock()
	for name, l := range n.held {
		if l.since > sent {
			continue // granted after the renewal read its rows
		}
		if e, ok := mine[name]; ok && e == l.Epoch {
			l.extend(sent, n)
			continue
		}
		l.lost.Store(true)
		delete(n.held, name)
		lost = append(lost, l)
	}
	n.mu.Unlock()
	// A row of this node's that it does not hold, and that no move hands
	// to it, is left from an earlier run: freed for whoever needs it.
	n.mu.RLock()
	var stale []struct {
		name  string
		epoch int64
	}
	for _, r := range rows {
		if _, ok := n.held[r.name]; !ok && r.ready >= r.epoch && !strings.HasPrefix(r.name, "job:") {
			stale = append(stale, struct {
				name  string
				epoch int64
			}{r.name, r.epoch})
		}
	}
	n.mu.RUnlock()
	for _, s := range stale {
		n.release(s.name, s.epoch)
	}
	for _, l := range lost {
		n.log.Warn("leases: lease taken by another node; closing without shipping", "lease", l.Name, "epoch", l.Epoch)
		if slug, ok := strings.CutPrefix(l.Name, communeLease); ok {
			go n.r.cache.Evict(slug) // never holds the renewals up
		}
	}
	return nil
}

// leaseRow is a row of leases.
type leaseRow struct {
	node            string
	epoch, ready    int64
	expires, moveTo string
	found           bool
}

func (n *Nodes) readLease(ctx context.Context, q Querier, name string) (leaseRow, error) {
	var l leaseRow
	err := q.QueryRowContext(ctx, `SELECT node, epoch, ready_epoch, expires_at, move_to FROM leases WHERE name = ?`, name).
		Scan(&l.node, &l.epoch, &l.ready, &l.expires, &l.moveTo)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	l.found = err == nil
	return l, err
}

func (l leaseRow) live(now time.Time) bool {
	return l.found && l.node != "" && l.expires > FormatTime(now)
}

// heldLease returns the lease this node holds by name, valid now.
func (n *Nodes) heldLease(name string) *Lease {
	n.mu.RLock()
	l := n.held[name]
	n.mu.RUnlock()
	if l != nil && l.Check() == nil {
		return l
	}
	return nil
}

// grant is a lease just obtained, and who wrote under the epoch before.
type grant struct {
	lease     *Lease
	prevNode  string
	prevEpoch int64
}

// acquire returns this node's lease of name, claiming it when free or
// adopting it when another node handed it over; a *NotOwnerError when a
// live node holds it. fresh grants carry the previous holder.
func (n *Nodes) acquire(ctx context.Context, name, reason string) (l *Lease, g *grant, err error) {
	// A claim that lost a race reads the row again: the winner is then a
	// live owner (NotOwnerError), or the row is free again.
	for range 3 {
		l, g, err = n.tryAcquire(ctx, name, reason)
		if !errors.Is(err, errClaimRace) {
			break
		}
	}
	return l, g, err
}

// errClaimRace: the lease row changed between the claim's read and its
// compare-and-set (another node claimed or renewed it meanwhile).
var errClaimRace = errors.New("tenants: the lease changed hands during the claim")

func (n *Nodes) tryAcquire(ctx context.Context, name, reason string) (l *Lease, g *grant, err error) {
	if l := n.heldLease(name); l != nil {
		return l, nil, nil
	}
	sent := n.mono()
	now := time.Now()
	var out grant
	err = n.db.Tx(ctx, func(tx *sql.Tx) error {
		row, err := n.readLease(ctx, tx, name)
		if err != nil {
			return err
		}
		if n.claimHook != nil {
			n.claimHook(name)
		}
		epoch := row.epoch + 1
		switch {
		case row.found && row.node == n.id && row.ready < row.epoch && row.live(now):
			// Handed over to this node by a move: take it as granted.
			epoch = row.epoch
			res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE name = ? AND node = ? AND epoch = ?`,
				FormatTime(now.Add(n.ttl)), name, n.id, row.epoch)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return errClaimRace
			}
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(epoch), 0) FROM lease_grants WHERE name = ? AND epoch < ?`, name, epoch).
				Scan(&out.prevEpoch); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT node FROM lease_grants WHERE name = ? AND epoch = ?), '')`,
				name, out.prevEpoch).Scan(&out.prevNode); err != nil {
				return err
			}
		case row.found && row.node != "" && row.node != n.id && row.live(now):
			var url string
			_ = tx.QueryRowContext(ctx, `SELECT url FROM nodes WHERE id = ?`, row.node).Scan(&url)
			return &NotOwnerError{Slug: strings.TrimPrefix(name, communeLease), Node: row.node, URL: url}
		case !row.found:
			res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, node, epoch, expires_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (name) DO NOTHING`, name, n.id, FormatTime(now.Add(n.ttl)))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return errClaimRace
			}
			epoch = 1
			if _, err := tx.ExecContext(ctx, `INSERT INTO lease_grants (name, epoch, node, granted_at, reason) VALUES (?, ?, ?, ?, ?)`,
				name, epoch, n.id, FormatTime(now), reason); err != nil {
				return err
			}
		default:
			// Free, expired, or this node's from before a restart: claim
			// it with the next epoch (compare-and-set on the epoch read).
			// The claim's conditions are re-checked on the row as it is
			// when the UPDATE runs (PostgreSQL's READ COMMITTED waits for
			// a concurrent writer and re-evaluates them on its version):
			// a renewal or another claim that committed since the read
			// makes this one change nothing.
			res, err := tx.ExecContext(ctx, `UPDATE leases SET node = ?, epoch = ?, expires_at = ?, move_to = '', ready_epoch = 0
				WHERE name = ? AND epoch = ? AND (node = '' OR node = ? OR expires_at <= ?)`,
				n.id, epoch, FormatTime(now.Add(n.ttl)), name, row.epoch, n.id, FormatTime(now))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return errClaimRace
			}
			out.prevNode, out.prevEpoch = row.node, row.epoch
			if row.node == "" { // released: who held the last epoch
				_ = tx.QueryRowContext(ctx, `SELECT node FROM lease_grants WHERE name = ? AND epoch = ?`, name, row.epoch).Scan(&out.prevNode)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO lease_grants (name, epoch, node, granted_at, reason) VALUES (?, ?, ?, ?, ?)`,
				name, epoch, n.id, FormatTime(now), reason); err != nil {
				return err
			}
		}
		l = &Lease{Name: name, Epoch: epoch, nodes: n}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	l.extend(sent, n)
	n.mu.Lock()
	l.since = n.mono() // after the commit: a renewal that read before it skips l
	if old := n.held[name]; old != nil {
		old.lost.Store(true)
	}
	n.held[name] = l
	n.mu.Unlock()
	n.Claims.Add(1)
	out.lease = l
	return l, &out, nil
}

// markReady records that the commune is served under l (a move's target
// tells the mover and `commune move` it is done).
func (n *Nodes) markReady(ctx context.Context, l *Lease) error {
	_, err := n.db.W.ExecContext(ctx, `UPDATE leases SET ready_epoch = ? WHERE name = ? AND node = ? AND epoch = ?`,
		l.Epoch, l.Name, n.id, l.Epoch)
	return err
}

// TryLock takes the platform-wide lock name for this node (a lease
// "job:<name>", renewed with the others): platform-wide jobs run where it
// is held, on one node at a time. A single node always holds it.
func (r *Registry) TryLock(ctx context.Context, name string) (bool, error) {
	if r.nodes == nil {
		return true, nil
	}
	_, _, err := r.nodes.acquire(ctx, "job:"+name, "job")
	var no *NotOwnerError
	if errors.As(err, &no) {
		return false, nil
	}
	return err == nil, err
}

// Route tells where a request for the commune slug is served: "" here,
// or the URL of the node that owns it. It reads the platform store only
// when this node does not hold the commune, and caches the answer for a
// second (never past the owner's lease).
func (n *Nodes) Route(ctx context.Context, slug string) (string, error) {
	name := communeLease + slug
	n.mu.RLock()
	l := n.held[name]
	_, moving := n.moving[slug]
	o, cached := n.owners[slug]
	n.mu.RUnlock()
	if moving {
		return "", ErrMaintenance
	}
	if l != nil && l.Check() == nil {
		return "", nil
	}
	now := time.Now()
	if cached && now.Before(o.until) {
		return o.url, nil
	}
	row, err := n.readLease(ctx, n.db.Reader(), name)
	if err != nil {
		return "", err
	}
	if !row.live(now) || row.node == n.id {
		return "", nil
	}
	var url string
	if err := n.db.Reader().QueryRowContext(ctx, `SELECT url FROM nodes WHERE id = ?`, row.node).Scan(&url); err != nil || url == "" {
		return "", fmt.Errorf("tenants: commune %s is owned by node %s, whose address is unknown", slug, row.node)
	}
	exp, _ := ParseTime(row.expires)
	n.mu.Lock()
	if len(n.owners) > 100_000 {
		clear(n.owners)
	}
	n.owners[strings.Clone(slug)] = owner{node: row.node, url: url, until: minTime(now.Add(time.Second), exp)}
	n.mu.Unlock()
	return url, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// forgetOwner drops the cached owner of slug (a forward that failed).
func (n *Nodes) forgetOwner(slug string) {
	n.mu.Lock()
	delete(n.owners, slug)
	n.mu.Unlock()
}

// Stop stops renewing and releases every lease (after the handles closed:
// their final syncs are done), so that other nodes take over at once.
func (n *Nodes) Stop(ctx context.Context) error {
	if !n.started.Load() {
		return nil
	}
	n.halt()
	n.mu.Lock()
	for _, l := range n.held {
		l.lost.Store(true)
	}
	clear(n.held)
	n.mu.Unlock()
	now := FormatTime(time.Now())
	_, err := n.db.W.ExecContext(ctx, `UPDATE leases SET node = '', expires_at = ?, move_to = '' WHERE node = ?`, now, n.id)
	return errors.Join(err, n.db.Close())
}

// holds reports whether this node writes the commune slug: always on a
// single node; among several, while it holds the commune's live lease.
func (r *Registry) holds(ctx context.Context, slug string) bool {
	if r.nodes == nil {
		return true
	}
	if r.nodes.heldLease(communeLease+slug) != nil {
		return true
	}
	row, err := r.nodes.readLease(ctx, r.platform.Reader(), communeLease+slug)
	return err == nil && row.node == r.nodes.id && row.live(time.Now())
}

// halt stops the renewals (Stop; tests pause a node with it).
func (n *Nodes) halt() {
	n.stopOnce.Do(func() { close(n.stop) })
	<-n.done
}
