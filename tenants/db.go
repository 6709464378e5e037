package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// pragmas are set in the DSN so that every pooled connection gets them;
// busy_timeout comes first so the others wait for a lock instead of failing.
const pragmas = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=journal_size_limit(6144000)" +
	"&_pragma=temp_store(MEMORY)"

// DB is one SQLite file opened as a single-connection writer, whose
// transactions begin IMMEDIATE, beside a small read-only pool.
//
// DB has a Close method: never store it in fiber's Locals (fasthttp closes
// every io.Closer stored there when the request ends).
type DB struct {
	// W is the writer: one connection, every transaction BEGIN IMMEDIATE.
	W *sql.DB
	// read is the raw read-only pool, reached only through Reader's
	// cached statements (and Q.Uncached for queries whose text varies).
	read *sql.DB
	path string

	// wgate makes DB.Tx callers take the writer in arrival order: the pool
	// hands its one connection to a random waiter, which under a burst of
	// writers left some waiting for seconds (a channel's waiters are FIFO).
	wgate chan struct{}
	// waiting counts the Tx callers queued for wgate (group.go); group
	// is the shared transaction left open for them, read and written
	// only while holding wgate.
	waiting        atomic.Int32
	group          *txGroup
	rstmts, wstmts *stmtCache // prepared statements (Reader, InTx)
	memo           memo       // values built from the configuration (Memo)

	// touched collects, from the writer's pre-update hook, the kinds of
	// background work the current transaction created (work.go).
	touched atomic.Uint32
	// work records that work in the platform registry before commit; nil
	// for a file opened outside the registry.
	work *workRecorder
	// writes counts committed write transactions (stats refreshed on close).
	writes atomic.Int64
	// lastWrite is the last commit (Unix ns); activityDue when the
	// registry's figures are next refreshed (activity.go).
	lastWrite, activityDue atomic.Int64
	// opened is what the registry knew of the file at open; nil outside it.
	opened *opened
	// txstats is the writer's accounting (WriterStats).
	txstats txStats
	// later is bookkeeping written in batches (WriteLater).
	later laterBook
	// writeWait is OpenOptions.WriteWait.
	writeWait func(time.Duration)
	// replicated is OpenOptions.Replicated; repl is the file's replication
	// while the registry replicates it (replica_registry.go).
	replicated bool
	repl       atomic.Pointer[replicaFile]
	// dialect is SQLite, or Postgres for a platform store opened by
	// OpenPostgres; lockSalt then tells its advisory locks apart from
	// another platform's in the same server (postgres.go).
	dialect  Dialect
	lockSalt string
	// noWriteLock is OpenOptions.NoWriteLock.
	noWriteLock bool
	// lease is the commune's lease this handle writes under (nil on a
	// single node): every write transaction checks it before it commits
	// (fencing, lease.go); closed is closed once the registry closed the
	// handle and ended its replication.
	lease  *Lease
	closed chan struct{}
	// ckpt checkpoints the WAL beside the writer (checkpoint.go); nil for
	// a replicated file.
	ckpt *checkpointer
}

// OpenOptions tunes OpenDB.
type OpenOptions struct {
	// Create allows creating the file; otherwise a missing file is an error.
	Create bool
	// ReadConns bounds the read pool (default 4).
	ReadConns int
	// ReadIdle is how long an idle read connection stays open (default
	// DefaultReadIdle). The cache keeps one per open handle warm.
	ReadIdle time.Duration
	// WriteIdle is how long the writer's connection stays open unused
	// (default DefaultWriteIdle).
	WriteIdle time.Duration
	// Lazy opens no connection now: the writer connects at its first
	// transaction, the readers at their first query. Only for a file known
	// to exist in WAL mode already (a cold open of a commune), so that a
	// page that only reads opens one connection, not two.
	Lazy bool
	// WriteWait, when not nil, is told how long each DB.Tx caller waited
	// for the writer (the metrics' write-queue wait).
	WriteWait func(time.Duration)
	// Lease, when not nil, is the commune's lease the handle writes under
	// (a node's): every commit on the writer is fenced by it (DB.fence).
	Lease *Lease
	// NoWriteLock (PostgreSQL only): DB.Tx takes no platform-wide write
	// lock. For the leases' own connections, whose every write is a
	// compare-and-set PostgreSQL re-checks on the row's latest version:
	// renewals never wait behind other nodes' platform transactions.
	NoWriteLock bool
	// Replicated: Litestream replicates the file and owns its checkpoints;
	// the connections never checkpoint (wal_autocheckpoint(0), no
	// checkpoint on Close), or they would race Litestream's copy of the WAL.
	Replicated bool
}

// DefaultReadIdle is how long an idle read connection stays open.
const DefaultReadIdle = 30 * time.Second

// DefaultWriteIdle is how long an unused writer connection stays open: a
// commune that wrote once (a parent's log-in) would otherwise hold two
// connections, five file descriptors, for as long as it stays in the
// cache, against the three DefaultCacheSize budgets per handle. A commune
// writing less often than this pays a schema parse at its next write.
const DefaultWriteIdle = 5 * time.Minute

// OpenDB opens the SQLite file at path with the project's pragmas.
func OpenDB(path string, opt OpenOptions) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("tenants: invalid database path %q", path)
	}
	mode := "rw"
	if opt.Create {
		mode = "rwc"
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = 4
	}
	d := &DB{path: path, wgate: make(chan struct{}, 1), writeWait: opt.WriteWait, replicated: opt.Replicated, closed: make(chan struct{}),
		lease: opt.Lease}
	prag, wprag := pragmas, fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", writerAutoCheckpoint)
	if opt.Replicated {
		prag += "&_pragma=wal_autocheckpoint(0)"
		wprag = ""
	} else {
		d.ckpt = newCheckpointer("file:" + path + "?mode=rw&" + prag)
	}
	// The writer's connections get the pre-update hook (work.go); both
	// pools keep their prepared statements (driver.go).
	w := openPool("file:"+path+"?mode="+mode+"&"+prag+wprag+"&_txlock=immediate", connHooks{preUpdate: d.preUpdate, fence: d.fence()})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if opt.WriteIdle <= 0 {
		opt.WriteIdle = DefaultWriteIdle
	}
	w.SetConnMaxIdleTime(opt.WriteIdle)
	// Ping creates the file (when allowed) and applies WAL mode once,
	// before readers (query_only) connect.
	if !opt.Lazy || opt.Create {
		if err := w.Ping(); err != nil {
			w.Close()
			_ = d.ckpt.close()
			return nil, fmt.Errorf("tenants: open %s: %w", path, err)
		}
	}
	r := openPool("file:"+path+"?mode=ro&"+prag+"&_pragma=query_only(1)", connHooks{})
	r.SetMaxOpenConns(opt.ReadConns)
	// Every read connection may stay idle between requests: with one, a
	// busy commune closed and reopened connections all the time (pragmas
	// and prepared statements redone each time). Idle connections are
	// released after ReadIdle, except the one the cache keeps warm
	// (warm.go), so an idle commune still costs little.
	r.SetMaxIdleConns(opt.ReadConns)
	if opt.ReadIdle <= 0 {
		opt.ReadIdle = DefaultReadIdle
	}
	r.SetConnMaxIdleTime(opt.ReadIdle)
	d.W, d.read, d.rstmts, d.wstmts = w, r, newStmtCache(r), newStmtCache(w)
	return d, nil
}

// fence is the writer's commit check (connHooks.fence): nil without a
// lease. It refuses every commit on the writer's connection once the
// lease is lost, whatever the path the write took (DB.Tx checks it too,
// before COMMIT, to roll back cleanly).
func (d *DB) fence() func() error {
	l := d.lease
	if l == nil {
		return nil
	}
	return func() error {
		if err := l.Check(); err != nil {
			l.nodes.Fenced.Add(1)
			return err
		}
		return nil
	}
}

// Path returns the file's path ("postgres:DATABASE.SCHEMA" for a
// PostgreSQL platform store).
func (d *DB) Path() string { return d.path }

// Tx runs fn inside one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil. Inside fn, read through tx only (or d.InTx(tx)).
// Callers of Tx are served in arrival order. On a SQLite file, callers
// queued behind each other share one transaction and its commit (group
// commit, group.go): each runs in a savepoint of its own, so a failing fn
// undoes only its own writes, and Tx returns nil only once the shared
// transaction has committed.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	// The request's slot (ActiveLimit) is given back while it queues for
	// and holds the writer, and taken again after.
	defer yieldActive(ctx)()
	queued := time.Now()
	d.waiting.Add(1)
	select {
	case d.wgate <- struct{}{}:
		d.waiting.Add(-1)
	case <-ctx.Done():
		d.waiting.Add(-1)
		return fmt.Errorf("begin: %w", ctx.Err())
	}
	held := time.Now()
	if d.writeWait != nil {
		d.writeWait(time.Since(queued))
	}
	cpu := writerCPU()
	var open *txGroup // the shared transaction fn's writes wait in
	var opener bool   // this caller began open and commits it (awaitCommit)
	defer func() {
		// The writer's connection is free again (unless a group is
		// open): prepare the statements this transaction met
		// unprepared, before the next one begins.
		if d.group == nil {
			d.wstmts.prepareWanted(ctx)
		}
		done := time.Now()
		used := cpu()
		<-d.wgate
		d.txstats.add(txLabel(ctx), held.Sub(queued), done.Sub(held), used)
		if open != nil && err == nil {
			err = d.awaitCommit(ctx, open, opener)
		}
	}()
	if d.dialect == Postgres {
		return d.soloTx(ctx, fn)
	}
	open, opener, err = d.groupTx(ctx, fn)
	return err
}

// soloTx runs fn in a transaction of its own (the PostgreSQL platform
// store, where transactions of other nodes interleave anyway).
func (d *DB) soloTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := d.serializeWrites(ctx, tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("begin: %w", err)
	}
	openTxs.Store(tx, d)
	defer openTxs.Delete(tx)
	d.touched.Store(0) // what a write outside Tx left is not this transaction's
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return d.commit(ctx, tx, d.touched.Swap(0))
}

// commit records the background work the transaction created, checks the
// lease and commits tx.
func (d *DB) commit(ctx context.Context, tx *sql.Tx, kinds uint32) error {
	// Work this transaction created is recorded in the registry before it
	// commits: a crash in between leaves a flag with nothing behind it
	// (harmless), never work that no flag points to.
	if kinds != 0 && d.work != nil {
		if err := d.work.record(ctx, kinds); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("record pending work: %w", err)
		}
	}
	if err := d.lease.Check(); err != nil {
		_ = tx.Rollback()
		d.lease.nodes.Fenced.Add(1)
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	d.writes.Add(1)
	d.ckpt.committed()
	d.wrote(ctx, time.Now())
	return nil
}

// openTxs maps the transactions DB.Tx runs to their handle (TxDB).
var openTxs sync.Map // *sql.Tx → *DB

// TxDB returns the handle whose DB.Tx runs tx, or nil: code handed a bare
// *sql.Tx (another package's transaction) reaches the handle's memos
// (Memo) and statement cache (InTx) through it.
func TxDB(tx *sql.Tx) *DB {
	if d, ok := openTxs.Load(tx); ok {
		return d.(*DB)
	}
	return nil
}

// Ping checks that the file answers on the read pool.
func (d *DB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

// Close checkpoints and closes both pools.
func (d *DB) Close() error {
	errL := d.closeLater()
	d.rstmts.close()
	d.wstmts.close()
	errR := d.read.Close()
	errC := d.ckpt.close()
	// A checkpoint keeps the WAL short; closing the last connection
	// checkpoints and removes the WAL file as well. A writer that never
	// connected (a lazy handle that only read) has nothing to checkpoint.
	// A replicated file is Litestream's to checkpoint: its connection
	// stays open after ours, and checkpoints once the WAL is replicated.
	if d.W.Stats().OpenConnections > 0 && !d.replicated && d.dialect == SQLite {
		_, _ = d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	errW := d.W.Close()
	return errors.Join(errL, errR, errC, errW)
}
