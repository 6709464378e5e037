package tenants

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
	_ "github.com/benbjohnson/litestream/file" // file:// replicas
	_ "github.com/benbjohnson/litestream/s3"   // s3:// replicas (AWS, MinIO, SeaweedFS, Garage …)
	"github.com/superfly/ltx"
)

// Replicator copies SQLite files continuously to a replica (a directory
// or an S3-compatible bucket) through Litestream, embedded as a library:
// every commune file open in the cache, and the platform database, are
// replicated while they are open. Litestream then owns the checkpoints of
// those files (OpenOptions.Replicated turns the application's off).
//
// The replica holds one folder per file: <replica>/platform and
// <replica>/communes/<slug>, each a Litestream replica (snapshots and LTX
// files) from which RestoreReplica rebuilds the file as it was at any
// moment of the retained history.
type Replicator struct {
	base  *url.URL
	store *litestream.Store
	log   *slog.Logger

	mu    sync.Mutex
	files map[string]*replicaFile // by database path

	// errs counts failed operations on the replica storage (uploads,
	// listings, reads, deletions) and failed final syncs.
	errs      atomic.Int64
	finalErrs atomic.Int64

	syncInterval time.Duration
}

// ReplicaOptions tunes NewReplicator; the zero value is Litestream's
// defaults (a sync every second, a snapshot and 24 h of history).
type ReplicaOptions struct {
	// Retention is how long the replica keeps the history a restore can
	// go back into (default 24 h); a snapshot is taken at that interval.
	Retention time.Duration
	// SyncInterval is how often new writes are shipped (default 1 s): the
	// writes a node can lose when its disk dies.
	SyncInterval time.Duration
	Logger       *slog.Logger
}

// replicaFile is one file being replicated, shared by the handles open on
// it (an evicted handle still closing and its successor).
type replicaFile struct {
	path, name string
	db         *litestream.DB
	refs       int
	ready      chan struct{} // closed once registered (err set on failure)
	err        error
	closing    chan struct{} // non-nil once the final sync began; closed after it
	client     *countingClient

	// Lag accounting (ReplicaStats): first and last are the times (Unix
	// ns) of the first and last row written since the replica was last
	// seen caught up; through is the time before which every write is
	// known to be in the replica.
	first, last, through atomic.Int64
}

// dirty is called by the writer's pre-update hook for every row written.
func (f *replicaFile) dirty() {
	now := time.Now().UnixNano()
	f.last.Store(now)
	f.first.CompareAndSwap(0, now)
}

// ValidateReplicaURL checks a replica URL: file:///absolute/dir or
// s3://bucket/prefix[?endpoint=…&region=…] (credentials from the
// environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
func ValidateReplicaURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("replica URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("replica URL %q: a file replica is file:///absolute/directory", raw)
		}
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("replica URL %q: an S3 replica is s3://bucket/prefix", raw)
		}
	default:
		return nil, fmt.Errorf("replica URL %q: file:///directory or s3://bucket/prefix expected", raw)
	}
	return u, nil
}

// NewReplicator starts the replication machinery for the replica at raw;
// files join it as they open (Options.Replica).
func NewReplicator(ctx context.Context, raw string, opt ReplicaOptions) (*Replicator, error) {
	u, err := ValidateReplicaURL(raw)
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Retention <= 0 {
		opt.Retention = litestream.DefaultSnapshotRetention
	}
	r := &Replicator{base: u, log: opt.Logger, files: map[string]*replicaFile{}}
	// Probe the storage once, so that a wrong bucket or missing
	// credentials stop the start instead of failing every sync.
	probe, err := r.client("communes")
	if err != nil {
		return nil, err
	}
	if err := probe.Init(ctx); err != nil {
		return nil, fmt.Errorf("replica %s: %w", redactURL(u), err)
	}
	// Litestream's usual levels: 30 s, 5 min and hourly compactions; a
	// restore to a moment older than a level's interval uses that level.
	levels := litestream.CompactionLevels{{Level: 0}, {Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute}, {Level: 3, Interval: time.Hour}}
	s := litestream.NewStore(nil, levels)
	s.SnapshotInterval, s.SnapshotRetention = opt.Retention, opt.Retention
	// Litestream reports at info level every file it starts or restores:
	// only its warnings and errors reach our log.
	s.Logger = slog.New(minLevel{opt.Logger.Handler(), slog.LevelWarn}).With("component", "litestream")
	if err := s.Open(ctx); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	r.store = s
	r.syncInterval = opt.SyncInterval
	return r, nil
}

// URL returns the replica's address, without credentials.
func (r *Replicator) URL() string { return redactURL(r.base) }

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

// client returns a replica client for the folder name of the replica.
func (r *Replicator) client(name string) (litestream.ReplicaClient, error) {
	u := *r.base
	u.Path = path.Join(u.Path, name)
	c, err := litestream.NewReplicaClientFromURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("replica %s: %w", redactURL(&u), err)
	}
	return &countingClient{ReplicaClient: c, errs: &r.errs}, nil
}

// lease returns the lease f's uploads are fenced by (nil: none).
func (f *replicaFile) lease() *Lease {
	if f.client == nil {
		return nil
	}
	return f.client.lease.Load()
}

// fence makes f's uploads check the commune's lease: once this node no
// longer holds it, nothing more reaches the replica (lease.go).
func (f *replicaFile) fence(l *Lease) {
	if f != nil && f.client != nil && l != nil {
		f.client.lease.Store(l)
	}
}

// acquire starts replicating the file at dbPath into the replica folder
// name (or joins the replication already running for it), before the
// application opens its own connections: a final sync still running for
// the file is waited for first. Call release once the handle is closed.
func (r *Replicator) acquire(ctx context.Context, dbPath, name string) (*replicaFile, error) {
	for {
		r.mu.Lock()
		f := r.files[dbPath]
		if f != nil && f.closing != nil {
			wait := f.closing
			r.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if f != nil {
			f.refs++
			r.mu.Unlock()
			<-f.ready
			if f.err != nil {
				r.release(ctx, f)
				return nil, f.err
			}
			return f, nil
		}
		f = &replicaFile{path: dbPath, name: name, refs: 1, ready: make(chan struct{})}
		r.files[dbPath] = f
		r.mu.Unlock()
		f.err = r.register(ctx, f)
		close(f.ready)
		if f.err != nil {
			r.mu.Lock()
			if f.refs--; f.refs == 0 {
				delete(r.files, dbPath)
			}
			r.mu.Unlock()
			return nil, f.err
		}
		return f, nil
	}
}

func (r *Replicator) register(ctx context.Context, f *replicaFile) error {
	c, err := r.client(f.name)
	if err != nil {
		return err
	}
	client := c.(*countingClient)
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("replica %s: %w", f.name, err)
	}
	f.client = client
	db := litestream.NewDB(f.path)
	replica := litestream.NewReplicaWithClient(db, client)
	if r.syncInterval > 0 {
		replica.SyncInterval, db.MonitorInterval = r.syncInterval, r.syncInterval
	}
	db.Replica = replica
	if err := r.store.RegisterDB(db); err != nil {
		return fmt.Errorf("replicate %s: %w", f.name, err)
	}
	f.db = db
	return nil
}

// release leaves the replication of f; the last user's release makes a
// final sync to the replica and stops replicating the file. The
// application's connections to the file must be closed by then.
func (r *Replicator) release(ctx context.Context, f *replicaFile) error {
	r.mu.Lock()
	if f.refs--; f.refs > 0 || f.db == nil {
		if f.refs == 0 {
			delete(r.files, f.path)
		}
		r.mu.Unlock()
		return nil
	}
	f.closing = make(chan struct{})
	r.mu.Unlock()
	var err error
	if l := f.lease(); l != nil {
		// The final sync has until the lease's expiry: after it nothing
		// may ship, and waiting longer would only hold the file up.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.shipWindow())
		defer cancel()
	}
	if f.client != nil && f.client.fenced() != nil {
		// The commune's lease went to another node: nothing more may
		// reach the replica, and Litestream's close makes one attempt
		// instead of retrying for 30 s.
		f.db.ShutdownSyncTimeout = 0
		_ = r.store.UnregisterDB(ctx, f.path)
	} else {
		// The final sync, explicit: Litestream's own on close skips a
		// file it has not read yet (opened and closed within one sync
		// interval).
		_, err = r.store.SyncDB(ctx, f.path, true)
		if uerr := r.store.UnregisterDB(ctx, f.path); err == nil {
			err = uerr
		}
	}
	r.mu.Lock()
	delete(r.files, f.path)
	close(f.closing)
	r.mu.Unlock()
	if err != nil {
		r.finalErrs.Add(1)
		r.log.Error("replica: final sync failed: the replica may miss the last writes", "file", f.name, "err", err)
		return fmt.Errorf("replica: final sync of %s: %w", f.name, err)
	}
	return nil
}

// Sync ships every write committed to the file at dbPath so far to the
// replica, and waits until it is there (before a move, in tests).
func (r *Replicator) Sync(ctx context.Context, dbPath string) error {
	_, err := r.store.SyncDB(ctx, dbPath, true)
	return err
}

// Close makes a final sync of every file still replicated and stops.
func (r *Replicator) Close(ctx context.Context) error {
	return r.store.Close(ctx)
}

// ReplicaStats are the replication's figures (metrics).
type ReplicaStats struct {
	Files int // files replicated now
	// Lag is the age of the oldest write not yet known to be in the
	// replica, over every file (0: the replica has everything): what
	// this node would lose if its disk died now.
	Lag time.Duration
	// Errors counts failed operations on the replica storage; FinalErrors
	// the handles closed without their final sync.
	Errors, FinalErrors int64
}

// Stats returns the replication's figures now.
func (r *Replicator) Stats() ReplicaStats {
	r.mu.Lock()
	files := make([]*replicaFile, 0, len(r.files))
	for _, f := range r.files {
		files = append(files, f)
	}
	r.mu.Unlock()
	st := ReplicaStats{Files: len(files), Errors: r.errs.Load(), FinalErrors: r.finalErrs.Load()}
	now := time.Now()
	for _, f := range files {
		st.Lag = max(st.Lag, f.lag(now))
	}
	return st
}

// Lag returns the replication lag of the file at dbPath (ReplicaStats.Lag).
func (r *Replicator) Lag(dbPath string) time.Duration {
	r.mu.Lock()
	f := r.files[dbPath]
	r.mu.Unlock()
	if f == nil {
		return 0
	}
	return f.lag(time.Now())
}

// lag advances f.through from Litestream's state and returns the age of
// the oldest write after it. A sync that started at S and succeeded holds
// every commit before S in a local LTX file; once the replica's position
// reaches the local one, those are in the replica. The state is read in
// that order (sync, local position, replica position), so that a sync
// finishing in between only makes the check stricter.
func (f *replicaFile) lag(now time.Time) time.Duration {
	select {
	case <-f.ready:
	default:
		return 0
	}
	if f.db == nil || f.last.Load() <= f.through.Load() {
		return 0
	}
	d := f.db.SyncDiagnostic()
	if d.Operation == "sync" && !d.Active && d.Error == "" && d.StartedAt != nil {
		if local, err := f.db.Pos(); err == nil && f.db.Replica != nil && f.db.Replica.Pos().TXID >= local.TXID {
			if s := d.StartedAt.UnixNano(); s > f.through.Load() {
				f.through.Store(s)
			}
		}
	}
	through, first, last := f.through.Load(), f.first.Load(), f.last.Load()
	if last <= through {
		// Caught up: the next write starts a new wait (a write racing
		// this reset is then counted from through, a bound on its age).
		f.first.CompareAndSwap(first, 0)
		return 0
	}
	return now.Sub(time.Unix(0, max(first, through)))
}

// countingClient counts the replica storage's failures (ReplicaStats).
type countingClient struct {
	litestream.ReplicaClient
	errs  *atomic.Int64
	lease atomic.Pointer[Lease] // the file's lease (nil: a single node)
}

// fenced refuses a change to the replica once the lease is not held.
func (c *countingClient) fenced() error {
	if l := c.lease.Load(); l != nil {
		return l.checkShip()
	}
	return nil
}

func (c *countingClient) count(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) {
		c.errs.Add(1)
	}
	return err
}

func (c *countingClient) Init(ctx context.Context) error {
	return c.count(c.ReplicaClient.Init(ctx))
}

func (c *countingClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	it, err := c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
	return it, c.count(err)
}

func (c *countingClient) WriteLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, rd io.Reader) (*ltx.FileInfo, error) {
	if err := c.fenced(); err != nil {
		return nil, err
	}
	info, err := c.ReplicaClient.WriteLTXFile(ctx, level, minTXID, maxTXID, rd)
	return info, c.count(err)
}

func (c *countingClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	rc, err := c.ReplicaClient.OpenLTXFile(ctx, level, minTXID, maxTXID, offset, size)
	return rc, c.count(err)
}

func (c *countingClient) DeleteLTXFiles(ctx context.Context, a []*ltx.FileInfo) error {
	if err := c.fenced(); err != nil {
		return err
	}
	return c.count(c.ReplicaClient.DeleteLTXFiles(ctx, a))
}

// minLevel drops records below its level (Litestream's chatter).
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// replicaName is the replica folder of a commune.
func replicaName(slug string) string { return "communes/" + slug }
