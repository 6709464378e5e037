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
// and every checkpointEvery commits a goroutine copies the WAL back into
// the file on a connection of its own: a PASSIVE checkpoint never blocks
// the writer or the readers, and the writer restarts the WAL once it has
// been copied, as before. A replicated file is Litestream's to
// checkpoint and gets none of this.

// checkpointEvery is the number of commits between background checkpoints
// (a family's journey is three commits of 5 to 40 pages).
const checkpointEvery = 32

// writerAutoCheckpoint is the writer's own checkpoint threshold, in pages.
const writerAutoCheckpoint = 8000

// checkpointer runs the background checkpoints of one file.
type checkpointer struct {
	pool    *sql.DB // one read-write connection, opened at the first checkpoint
	commits atomic.Int64

	mu      sync.Mutex
	running bool
	closed  bool
	done    sync.WaitGroup
}

// newCheckpointer opens (lazily) the checkpoint connection of the file dsn
// names.
func newCheckpointer(dsn string) *checkpointer {
	pool := openPool(dsn, nil)
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxIdleTime(10 * time.Second)
	return &checkpointer{pool: pool}
}

// committed counts a commit and starts a checkpoint every checkpointEvery
// commits, unless one is running.
func (c *checkpointer) committed() {
	if c == nil || c.commits.Add(1)%checkpointEvery != 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running || c.closed {
		return
	}
	c.running = true
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		// A failed checkpoint (busy, closed) leaves the WAL to the next
		// one, or to the writer's safety net.
		_, _ = c.pool.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}()
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
