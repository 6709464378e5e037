package tenants

import (
	"context"
	"time"
)

// An open handle is worth keeping only with its read connection: SQLite
// parses the commune's whole schema (57 tables, 79 indexes, 26 triggers)
// on every new connection, which is 90 % of what a cold open costs
// (bench/README.md). The read pool closes connections idle for ReadIdle,
// so that a burst's extra connections go; without more, a commune visited
// less often than that paid the schema parse on every visit although its
// handle was "in the cache". The cache pings each handle left idle: the
// pool hands out its most recently used connection first, so the ping
// keeps exactly one connection per handle (three file descriptors, as
// DefaultCacheSize budgets) and the extra ones still expire.

// keepWarm starts the pinger, every readIdle/3 (readIdle <= 0: the
// default); Close stops it.
func (c *Cache) keepWarm(readIdle time.Duration) {
	if readIdle <= 0 {
		readIdle = DefaultReadIdle
	}
	every := readIdle / 3
	c.warmStop, c.warmDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.warmDone)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.warmStop:
				return
			case <-t.C:
				c.warm(time.Now().Add(-every))
			}
		}
	}()
}

// stopWarm stops the pinger and waits for it.
func (c *Cache) stopWarm() {
	if c.warmStop != nil {
		close(c.warmStop)
		<-c.warmDone
		c.warmStop = nil
	}
}

// warm pings the read pool of every handle idle and not used since
// before: one used since then holds a connection fresh enough until the
// next round. A pool with no idle connection is left alone (the ping
// would open one).
func (c *Cache) warm(before time.Time) {
	c.mu.Lock()
	var idle []*cacheEntry
	for _, e := range c.items {
		if e.refs == 0 && e.db != nil && !e.gone && e.used.Before(before) {
			e.refs++ // kept open while pinged; its place in the LRU stays
			idle = append(idle, e)
		}
	}
	c.mu.Unlock()
	for _, e := range idle {
		if e.db.read.Stats().Idle > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = e.db.read.PingContext(ctx)
			cancel()
		}
		c.release(e)
	}
}
