package tenants

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds each pool's statement cache: the hot queries of a
// commune are a few dozen; a query met beyond the bound runs unprepared.
const maxStmts = 128

// stmtCache keeps the prepared statements of one pool, keyed by their SQL
// text. modernc's driver otherwise parses and plans every query anew, and
// that was a third of the server's CPU under load (bench/README.md).
//
// A statement is prepared outside any transaction: on the read pool at
// first use; on the writer (one connection) after the transaction that
// first met it, since preparing on the pool while a transaction holds the
// only connection would wait forever.
type stmtCache struct {
	pool *sql.DB

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool // writer queries met inside a transaction
	closed bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns the cached statement of query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	s := c.stmts[query]
	c.mu.RUnlock()
	return s
}

// prepare returns query's statement, preparing it on the pool if needed;
// nil (without error) when the cache is full or closed.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := c.lookup(query); s != nil {
		return s, nil
	}
	c.mu.RLock()
	full := c.closed || len(c.stmts) >= maxStmts
	c.mu.RUnlock()
	if full {
		return nil, nil
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.stmts[query]; old != nil || c.closed || len(c.stmts) >= maxStmts {
		_ = s.Close()
		return old, nil
	}
	c.stmts[query] = s
	return s, nil
}

// want records a writer query met inside a transaction, to prepare later.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	if !c.closed && len(c.stmts)+len(c.wanted) < maxStmts {
		c.wanted[query] = true
	}
	c.mu.Unlock()
}

// prepareWanted prepares the queries recorded by want; the writer's
// connection must be free (no transaction open through DB.Tx).
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		// A query that fails to prepare simply stays unprepared.
		_, _ = c.prepare(ctx, q)
	}
}

// close closes every cached statement; later lookups find nothing.
func (c *stmtCache) close() {
	c.mu.Lock()
	stmts := c.stmts
	c.stmts, c.closed = map[string]*sql.Stmt{}, true
	c.mu.Unlock()
	for _, s := range stmts {
		_ = s.Close()
	}
}

// len returns the number of cached statements.
func (c *stmtCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.stmts)
}

// Q runs queries through a commune's cached prepared statements: over the
// read pool (DB.Reader) or inside a write transaction (DB.InTx). It has
// the query methods of *sql.DB and *sql.Tx, so stores accept either.
// Queries whose text varies (IN lists of any length) should not go
// through Q: each variant would take a slot of the bounded cache.
type Q struct {
	cache *stmtCache
	tx    *sql.Tx // nil: the pool itself
}

// Reader returns the read pool with cached statements.
func (d *DB) Reader() Q { return Q{cache: d.rstmts} }

// InTx returns tx (a transaction of d's writer, opened by d.Tx) with
// cached statements.
func (d *DB) InTx(tx *sql.Tx) Q { return Q{cache: d.wstmts, tx: tx} }

// stmt returns the statement to run query with, or nil to run it as is.
func (q Q) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if q.tx == nil {
		return q.cache.prepare(ctx, query)
	}
	s := q.cache.lookup(query)
	if s == nil {
		q.cache.want(query)
		return nil, nil
	}
	// Reuses the statement already prepared on the writer's connection.
	return q.tx.StmtContext(ctx, s), nil
}

// QueryContext runs a query that returns rows.
func (q Q) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := q.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case s != nil:
		return s.QueryContext(ctx, args...)
	case q.tx != nil:
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.cache.pool.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (q Q) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := q.stmt(ctx, query)
	switch {
	case err == nil && s != nil:
		return s.QueryRowContext(ctx, args...)
	case q.tx != nil:
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	// A failed prepare is reported by the unprepared query's own error.
	return q.cache.pool.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows.
func (q Q) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := q.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case s != nil:
		return s.ExecContext(ctx, args...)
	case q.tx != nil:
		return q.tx.ExecContext(ctx, query, args...)
	}
	return q.cache.pool.ExecContext(ctx, query, args...)
}

// Tx returns the write transaction, or nil over the read pool.
func (q Q) Tx() *sql.Tx { return q.tx }

// Uncached returns q's pool or transaction without the statement cache,
// for a query whose text varies (an IN list of any length), which would
// otherwise take a slot of the bounded cache for each variant.
func (q Q) Uncached() Querier {
	if q.tx != nil {
		return q.tx
	}
	return q.cache.pool
}
