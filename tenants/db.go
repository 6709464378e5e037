package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	// R is the read-only pool; never use it inside a write transaction.
	R    *sql.DB
	path string

	// wgate makes DB.Tx callers take the writer in arrival order: the pool
	// hands its one connection to a random waiter, which under a burst of
	// writers left some waiting for seconds (a channel's waiters are FIFO).
	wgate          chan struct{}
	rstmts, wstmts *stmtCache // prepared statements (Reader, InTx)
	memo           memo       // values built from the configuration (Memo)
	writeWait      func(time.Duration)
}

// OpenOptions tunes OpenDB.
type OpenOptions struct {
	// Create allows creating the file; otherwise a missing file is an error.
	Create bool
	// ReadConns bounds the read pool (default 4).
	ReadConns int
	// WriteWait, when not nil, is told how long each DB.Tx caller waited
	// for the writer (the metrics' write-queue wait).
	WriteWait func(time.Duration)
}

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
	base := "file:" + path + "?mode=" + mode + "&" + pragmas
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("tenants: open writer %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	// Ping creates the file (when allowed) and applies WAL mode once,
	// before readers (query_only) connect.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("tenants: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("tenants: open reader %s: %w", path, err)
	}
	r.SetMaxOpenConns(opt.ReadConns)
	// Every read connection may stay idle between requests: with one, a
	// busy commune closed and reopened connections all the time (pragmas
	// and prepared statements redone each time). Idle connections are
	// released after 30 s, so an idle commune still costs little.
	r.SetMaxIdleConns(opt.ReadConns)
	r.SetConnMaxIdleTime(30 * time.Second)
	return &DB{W: w, R: r, path: path, wgate: make(chan struct{}, 1),
		rstmts: newStmtCache(r), wstmts: newStmtCache(w), writeWait: opt.WriteWait}, nil
}

// Path returns the file's path.
func (d *DB) Path() string { return d.path }

// Tx runs fn inside one write transaction (BEGIN IMMEDIATE) and commits it
// when fn returns nil. Inside fn, read through tx only (or d.InTx(tx)).
// Callers of Tx are served in arrival order.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	queued := time.Now()
	select {
	case d.wgate <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("begin: %w", ctx.Err())
	}
	if d.writeWait != nil {
		d.writeWait(time.Since(queued))
	}
	defer func() {
		// The writer's connection is free again: prepare the statements
		// this transaction met unprepared, before the next one begins.
		d.wstmts.prepareWanted(ctx)
		<-d.wgate
	}()
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
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
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Close checkpoints and closes both pools.
func (d *DB) Close() error {
	d.rstmts.close()
	d.wstmts.close()
	errR := d.R.Close()
	// A passive checkpoint keeps the WAL short; closing the last connection
	// checkpoints and removes the WAL file as well.
	_, _ = d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	errW := d.W.Close()
	return errors.Join(errR, errW)
}
