package tenants

import (
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// A commit whose WAL reaches wal_autocheckpoint pages (1,000 by default)
// checkpoints the file inside that commit: on the writer, while every
// other write of the commune waits. In the deadline rush that was a tenth
// of the writer's time (issue 10). So the writer checkpoints only as a
// safety net (writerAutoCheckpoint pages, for writes that bypass DB.Tx),
// and about every 1,000 WAL frames a goroutine copies the WAL back into
// the file on a connection of its own: a PASSIVE checkpoint never blocks
// the writer or the readers, and the writer restarts the WAL once it has
// been copied, as before. A replicated file is Litestream's to
// checkpoint and gets none of this.

// The checkpoint runs about every checkpointFrames WAL frames, as the
// automatic one did: the interval, in commits, adapts to the frames the
// last checkpoints found (a commit of the rush writes 5 to 40 pages; a
// quiet commune's commits a few). Checkpointing much more often copies
// the same hot pages again and again: more CPU in all.
const (
	checkpointFrames = 1000
	minCheckpointGap = 8    // commits
	maxCheckpointGap = 1024 // commits
)

// writerAutoCheckpoint is the writer's own checkpoint threshold, in pages.
const writerAutoCheckpoint = 8000

// checkpointer runs the background checkpoints of one file.
type checkpointer struct {
	pool    *sql.DB // one read-write connection, opened at the first checkpoint
	commits atomic.Int64
	next    atomic.Int64 // the commit count that starts the next checkpoint

	mu      sync.Mutex
	running bool
	closed  bool
	gap     int64 // commits between checkpoints (under mu)
	lastLog int64 // the WAL's frames after the last checkpoint (under mu)
	done    sync.WaitGroup
}

// newCheckpointer opens (lazily) the checkpoint connection of the file dsn
// names, within the process's budget of checkpoint connections
// (CheckpointConnBudget).
func newCheckpointer(dsn string) *checkpointer {
	pool := openPool(dsn, connHooks{slots: checkpointSlots})
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxIdleTime(10 * time.Second)
	c := &checkpointer{pool: pool, gap: 32}
	c.next.Store(c.gap)
	return c
}

// committed counts a commit and starts a checkpoint when the interval is
// reached, unless one is running.
func (c *checkpointer) committed() {
	if c == nil || c.commits.Add(1) < c.next.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running || c.closed {
		return
	}
	c.running = true
	c.done.Add(1)
	go c.run()
}

// run checkpoints once and sets the next interval from the frames found.
func (c *checkpointer) run() {
	defer c.done.Done()
	// A failed checkpoint (busy, closed) leaves the WAL to the next one,
	// or to the writer's safety net.
	var busy, log, copied int64
	err := c.pool.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running = false
	if err == nil && log >= 0 {
		// The frames written since the last checkpoint: the WAL restarts
		// from its beginning once a checkpoint has copied all of it.
		frames := log
		if log >= c.lastLog {
			frames = log - c.lastLog
		}
		c.lastLog = log
		c.gap = min(max(c.gap*checkpointFrames/max(frames, 1), minCheckpointGap), maxCheckpointGap)
	}
	c.next.Store(c.commits.Load() + c.gap)
}

// close waits for a running checkpoint and closes the connection.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.done.Wait()
	return c.pool.Close()
}
