package tenants

import (
	"container/list"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Cache keeps at most max commune databases open, least recently used
// first out. A handle in use is never closed: Acquire counts its users and
// an evicted handle is closed when the last one releases it. When every
// slot is in use, Acquire waits for one to be released.
//
// Handles are closed by a background goroutine, never by the request that
// evicts them: closing checkpoints the file and, through the close
// function, settles its work flags and records its figures in the registry.
type Cache struct {
	open  func(ctx context.Context, slug string) (*DB, error)
	close func(dbs []*DB) // closes a batch of handles (default: DB.Close)
	max   int

	mu      sync.Mutex
	lru     *list.List // of *cacheEntry; front is most recently used
	items   map[string]*cacheEntry
	changed chan struct{} // closed and replaced whenever a slot may free up

	closeq   []*DB // handles waiting for the closer, under mu
	closers  sync.WaitGroup
	shutdown bool // Close was called: close inline from now on

	hits, misses, evictions, failures atomic.Int64

	warmStop, warmDone chan struct{} // the pinger keeping read connections (warm.go)
}

// CacheStats are the cache's counters since it was created.
type CacheStats struct {
	Max       int   // bound of open handles
	Open      int   // handles open or opening now
	Hits      int64 // Acquire found the handle open
	Misses    int64 // Acquire opened the file
	Evictions int64 // handles closed to make room
	Failures  int64 // opens that failed
	Closing   int   // evicted handles waiting for the closer
}

// Stats returns the cache's counters (read by metrics and the benchmark).
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Max: c.max, Open: len(c.items), Hits: c.hits.Load(), Misses: c.misses.Load(),
		Evictions: c.evictions.Load(), Failures: c.failures.Load(), Closing: len(c.closeq)}
}

// Max returns the bound of open handles.
func (c *Cache) Max() int { return c.max }

type cacheEntry struct {
	slug  string
	db    *DB
	err   error
	ready chan struct{} // closed once db or err is set
	refs  int
	elem  *list.Element
	gone  bool      // removed from the cache; close when refs reaches 0
	used  time.Time // last acquired by a request or a job (warm.go)
}

// NewCache returns a cache of at most max open handles (256 if max <= 0).
func NewCache(max int, open func(ctx context.Context, slug string) (*DB, error)) *Cache {
	if max <= 0 {
		max = 256
	}
	return &Cache{open: open, max: max, lru: list.New(), items: map[string]*cacheEntry{}, changed: make(chan struct{}),
		close: func(dbs []*DB) {
			for _, d := range dbs {
				_ = d.Close()
			}
		}}
}

// closeSlack is how many evicted handles may wait for the closer: the
// cache keeps at most max-closeSlack handles in use so that, with those
// being closed, no more than max files are open. When that many wait, a
// miss waits for the closer. A small cache (max < 8) closes its victims
// on the request path instead.
func (c *Cache) closeSlack() int { return c.max / 8 }

// closeLater hands db to the closer goroutine.
func (c *Cache) closeLater(db *DB) {
	c.mu.Lock()
	if c.shutdown {
		c.mu.Unlock()
		c.close([]*DB{db})
		return
	}
	c.queueCloseLocked(db)
	c.mu.Unlock()
}

// queueCloseLocked queues db for the closer, starting it if idle.
func (c *Cache) queueCloseLocked(db *DB) {
	if len(c.closeq) == 0 {
		c.closers.Add(1)
		go c.closer()
	}
	c.closeq = append(c.closeq, db)
}

// closer closes the queued handles, in batches, until the queue is empty.
// Queued handles stay in the queue until closed, so that they count
// against the cache's bound.
func (c *Cache) closer() {
	defer c.closers.Done()
	for {
		c.mu.Lock()
		batch := c.closeq[:min(len(c.closeq), 64)]
		c.mu.Unlock()
		c.close(batch)
		c.mu.Lock()
		c.closeq = c.closeq[len(batch):]
		done := len(c.closeq) == 0
		if done {
			c.closeq = nil
		}
		c.notifyLocked()
		c.mu.Unlock()
		if done {
			return
		}
	}
}

// Acquire returns the open handle of slug, opening it if needed (once, even
// under concurrent calls), and a release function to call when done.
func (c *Cache) Acquire(ctx context.Context, slug string) (*DB, func(), error) {
	return c.acquire(ctx, slug, false)
}

// AcquireBackground is Acquire for a background job visiting communes
// nobody is using (reminders, housekeeping of closed communes): a handle
// it opens goes to the least recently used end of the cache, and one
// found open keeps its place, so that a pass over hundreds of closed
// communes evicts its own handles one after the other instead of the
// communes parents are using.
func (c *Cache) AcquireBackground(ctx context.Context, slug string) (*DB, func(), error) {
	return c.acquire(ctx, slug, true)
}

func (c *Cache) acquire(ctx context.Context, slug string, background bool) (*DB, func(), error) {
	for {
		c.mu.Lock()
		if e, ok := c.items[slug]; ok {
			e.refs++
			e.used = time.Now()
			if !background {
				c.lru.MoveToFront(e.elem)
			}
			c.mu.Unlock()
			c.hits.Add(1)
			if err := waitReady(ctx, e); err != nil {
				c.release(e)
				return nil, nil, err
			}
			if e.err != nil {
				err := e.err
				c.release(e)
				return nil, nil, err
			}
			return e.db, c.releaser(e), nil
		}
		var victim *cacheEntry
		slack := c.closeSlack()
		if len(c.items) >= c.max-slack {
			if slack == 0 || len(c.closeq) < slack {
				victim = c.evictLocked()
			}
			if victim == nil {
				wait := c.changed
				c.mu.Unlock()
				retake := yieldActive(ctx) // see waitReady
				select {
				case <-wait:
					retake()
					continue
				case <-ctx.Done():
					return nil, nil, ctx.Err()
				}
			}
			c.evictions.Add(1)
			if slack > 0 {
				c.queueCloseLocked(victim.db)
				victim = nil
			}
		}
		e := &cacheEntry{slug: slug, ready: make(chan struct{}), refs: 1, used: time.Now()}
		if background {
			e.elem = c.lru.PushBack(e)
		} else {
			e.elem = c.lru.PushFront(e)
		}
		c.items[slug] = e
		c.mu.Unlock()

		c.misses.Add(1)
		if victim != nil {
			c.close([]*DB{victim.db})
		}
		db, err := c.open(ctx, slug)
		c.mu.Lock()
		e.db, e.err = db, err
		close(e.ready)
		if err != nil {
			c.removeLocked(e)
		}
		c.mu.Unlock()
		if err != nil {
			c.failures.Add(1)
			c.release(e)
			return nil, nil, err
		}
		return db, c.releaser(e), nil
	}
}

// AcquireIfOpen returns slug's handle only when it is open (or being
// opened) in the cache now, never opening a file: for background jobs that
// visit "the communes open now" and must not reopen one evicted meanwhile.
// ok is false when the commune is not open (or failed to open).
func (c *Cache) AcquireIfOpen(ctx context.Context, slug string) (*DB, func(), bool) {
	c.mu.Lock()
	e, ok := c.items[slug]
	if !ok || e.gone {
		c.mu.Unlock()
		return nil, nil, false
	}
	e.refs++ // not moved to the front: a background visit is not a use
	c.mu.Unlock()
	if waitReady(ctx, e) != nil {
		c.release(e)
		return nil, nil, false
	}
	if e.err != nil {
		c.release(e)
		return nil, nil, false
	}
	return e.db, c.releaser(e), true
}

// waitReady waits until e is opened (or failed to open). A request
// waiting for another's open gives its active-request slot back
// meanwhile (ActiveLimit): the opener gives its own back in each of its
// transactions (DB.Tx: the lease's claim, the epoch recorded in the file)
// and takes one again after, so waiters holding every slot would wait
// for it forever.
func waitReady(ctx context.Context, e *cacheEntry) error {
	select {
	case <-e.ready:
		return nil
	default:
	}
	defer yieldActive(ctx)()
	select {
	case <-e.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Cache) releaser(e *cacheEntry) func() {
	var once sync.Once
	return func() { once.Do(func() { c.release(e) }) }
}

func (c *Cache) release(e *cacheEntry) {
	c.mu.Lock()
	e.refs--
	closeIt := e.refs == 0 && e.gone && e.db != nil
	c.notifyLocked()
	c.mu.Unlock()
	if closeIt {
		c.closeLater(e.db)
	}
}

// evictLocked removes the least recently used idle, ready entry and returns
// it for closing, or nil when every entry is in use.
func (c *Cache) evictLocked() *cacheEntry {
	for el := c.lru.Back(); el != nil; el = el.Prev() {
		e := el.Value.(*cacheEntry)
		if e.refs == 0 && e.db != nil {
			c.removeLocked(e)
			return e
		}
	}
	return nil
}

func (c *Cache) removeLocked(e *cacheEntry) {
	if e.gone {
		return
	}
	e.gone = true
	c.lru.Remove(e.elem)
	delete(c.items, e.slug)
	c.notifyLocked()
}

func (c *Cache) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Evict closes slug's handle now if idle, or as soon as its last user
// releases it (used before a file is migrated, replaced or deleted).
func (c *Cache) Evict(slug string) {
	c.mu.Lock()
	e, ok := c.items[slug]
	var closeIt bool
	if ok {
		c.removeLocked(e)
		closeIt = e.refs == 0 && e.db != nil
	}
	c.mu.Unlock()
	if closeIt {
		c.close([]*DB{e.db}) // the caller goes on to replace the file
	}
}

// Len returns the number of handles currently held open or opening.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Close closes every idle handle, waiting for the ones queued for the
// closer, and marks the others to close on release.
func (c *Cache) Close() {
	c.stopWarm()
	c.mu.Lock()
	c.shutdown = true
	var idle []*DB
	for _, e := range c.items {
		c.removeLocked(e)
		if e.refs == 0 && e.db != nil {
			idle = append(idle, e.db)
		}
	}
	c.mu.Unlock()
	c.closers.Wait()
	for len(idle) > 0 {
		n := min(len(idle), 64)
		c.close(idle[:n])
		idle = idle[n:]
	}
}

// Open returns the slugs whose handles are open now, most recently used
// first.
func (c *Cache) Open() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, c.lru.Len())
	for el := c.lru.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*cacheEntry); e.db != nil {
			out = append(out, e.slug)
		}
	}
	return out
}

// EvictWait closes slug's handle like Evict, and waits until it is closed
// (with its replication ended: the final sync done) or ctx ends.
func (c *Cache) EvictWait(ctx context.Context, slug string) error {
	c.mu.Lock()
	e, ok := c.items[slug]
	if ok {
		c.removeLocked(e)
	}
	var waiting []*DB
	for _, d := range c.closeq {
		if d.opened != nil && d.opened.commune.Slug == slug {
			waiting = append(waiting, d)
		}
	}
	idle := ok && e.refs == 0 && e.db != nil
	c.mu.Unlock()
	if ok {
		select {
		case <-e.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		if e.db != nil {
			if idle {
				c.close([]*DB{e.db})
			}
			waiting = append(waiting, e.db)
		}
	}
	for _, d := range waiting {
		select {
		case <-d.closed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
