package tenants

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Bookkeeping that may wait (a session's "last seen") is kept in memory
// and written in batches, one write transaction for everything pending,
// so that page views never queue behind the commune's one writer for it:
// under a burst of payments a GET that had to write its session's "last
// seen" waited seconds for the writer.
//
// What is pending is written at most LaterEvery after it was recorded,
// and when the handle closes (eviction, shutdown). A crash loses at most
// that much bookkeeping; nothing that matters to a user may go this way.

// LaterEvery is how long a write recorded with WriteLater may wait.
const LaterEvery = 10 * time.Second

// FlushFunc writes a batch of pending values (key → latest value) inside
// the writer's transaction.
type FlushFunc func(ctx context.Context, tx *sql.Tx, pending map[string]any) error

type laterBook struct {
	mu      sync.Mutex
	sets    map[string]*laterSet
	timer   *time.Timer
	closed  bool
	flushMu sync.Mutex // one flush at a time; Close waits for a running one
}

type laterSet struct {
	flush   FlushFunc
	pending map[string]any
}

// WriteLater records value under key in the batch name (a later value
// for the same key replaces it); flush writes the batch. Every caller of
// one name passes the same flush.
func (d *DB) WriteLater(name, key string, value any, flush FlushFunc) {
	b := &d.later
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if b.sets == nil {
		b.sets = map[string]*laterSet{}
	}
	s := b.sets[name]
	if s == nil {
		s = &laterSet{flush: flush, pending: map[string]any{}}
		b.sets[name] = s
	}
	s.pending[key] = value
	if b.timer == nil {
		b.timer = time.AfterFunc(LaterEvery, func() { _ = d.FlushLater(context.Background()) })
	}
}

// Pending returns the value recorded under key in the batch name and not
// yet written.
func (d *DB) Pending(name, key string) (any, bool) {
	b := &d.later
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.sets[name]; s != nil {
		v, ok := s.pending[key]
		return v, ok
	}
	return nil, false
}

// FlushLater writes everything pending now, in one transaction. On error
// the batch stays pending (values recorded since win) and is retried.
func (d *DB) FlushLater(ctx context.Context) error {
	b := &d.later
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	batch := map[string]*laterSet{}
	for name, s := range b.sets {
		if len(s.pending) > 0 {
			batch[name] = &laterSet{flush: s.flush, pending: s.pending}
			s.pending = map[string]any{}
		}
	}
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range batch {
			if err := s.flush(ctx, tx, s.pending); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.mu.Lock()
		for name, s := range batch {
			cur := b.sets[name]
			for k, v := range s.pending {
				if _, newer := cur.pending[k]; !newer {
					cur.pending[k] = v
				}
			}
		}
		if b.timer == nil && !b.closed {
			b.timer = time.AfterFunc(LaterEvery, func() { _ = d.FlushLater(context.Background()) })
		}
		b.mu.Unlock()
	}
	return err
}

// closeLater stops the timer and writes what is pending (DB.Close).
func (d *DB) closeLater() error {
	d.later.mu.Lock()
	d.later.closed = true
	d.later.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := d.FlushLater(ctx)
	d.later.mu.Lock()
	if d.later.timer != nil {
		d.later.timer.Stop()
		d.later.timer = nil
	}
	d.later.mu.Unlock()
	return err
}
