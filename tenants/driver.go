package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// Every query through database/sql with modernc's driver is prepared
// anew: the driver's QueryContext and ExecContext parse the SQL text each
// time, which in the deadline rush's profile was 40 % of the server's CPU
// (booking's per-line checks and billing's payment, inside write
// transactions, pass *sql.Tx, not a tenants.Q). The connector below keeps,
// per connection, the statements it prepared, keyed by their SQL text, for
// every caller: a connection without QueryerContext and ExecerContext
// makes database/sql prepare, run and close, and "close" here puts the
// statement back for the next query of the same text.
//
// A statement is lent to one user at a time: while a query's rows are
// open (database/sql closes its statement after them), the same text
// prepared again gets a statement of its own, closed for real after use.

// maxConnStmts bounds the statements kept per connection.
const maxConnStmts = 128

// connHooks are installed on every connection of a pool (any may be nil).
type connHooks struct {
	// preUpdate is the connection's pre-update hook (work.go).
	preUpdate sqlite.PreUpdateHookFn
	// fence is asked before SQLite commits any write transaction of the
	// connection: DB.Tx's, and every other (a single statement outside a
	// transaction, a transaction begun on the raw pool, a migration). An
	// error turns the commit into a rollback, and the statement or the
	// COMMIT that tried fails with that error (fencing, lease.go).
	fence func() error
	// bare hands out the driver's connections themselves, without the
	// statement keeping (the migration pool: goose's DDL).
	bare bool
	// slots, when not nil, bounds the pool's connections with others
	// across the process: each holds a slot while open, and a connection
	// finding none free is refused (errNoSlot). Not with bare.
	slots *connSlots
}

// openPool opens a database/sql pool on dsn with the statement-keeping
// connector and hooks on every connection.
func openPool(dsn string, hooks connHooks) *sql.DB {
	return sql.OpenDB(stmtConnector{dsn: dsn, drv: &sqlite.Driver{}, hooks: hooks})
}

type stmtConnector struct {
	dsn   string
	drv   *sqlite.Driver
	hooks connHooks
}

func (c stmtConnector) Connect(context.Context) (driver.Conn, error) {
	slots := c.hooks.slots
	if c.hooks.bare {
		slots = nil
	}
	if !slots.take() {
		return nil, errNoSlot
	}
	inner, err := c.drv.Open(c.dsn)
	if err != nil {
		slots.give()
		return nil, err
	}
	kc := &keepConn{inner: inner, stmts: map[string]*keptStmt{}}
	h, ok := inner.(sqlite.HookRegisterer)
	if !ok && (c.hooks.preUpdate != nil || c.hooks.fence != nil) {
		inner.Close()
		slots.give()
		return nil, errors.New("tenants: the sqlite driver takes no hooks")
	}
	if c.hooks.preUpdate != nil {
		h.RegisterPreUpdateHook(c.hooks.preUpdate)
	}
	if fence := c.hooks.fence; fence != nil {
		kc.fencing = true
		// Called inside sqlite3_step on the connection's goroutine: no
		// query here, only the lease's atomic check.
		h.RegisterCommitHook(func() int32 {
			if err := fence(); err != nil {
				kc.fenced = err
				return 1
			}
			return 0
		})
	}
	if c.hooks.bare {
		return inner, nil
	}
	kc.slots = c.hooks.slots
	return kc, nil
}

func (c stmtConnector) Driver() driver.Driver { return c.drv }

// keepConn is a connection that keeps its prepared statements. It
// deliberately implements neither QueryerContext nor ExecerContext.
type keepConn struct {
	inner driver.Conn
	stmts map[string]*keptStmt
	slots *connSlots // given back at Close (nil: none taken)
	// fencing: the connection has a fence (connHooks.fence); fenced is
	// the error of the last commit it refused, until the statement or
	// COMMIT that tried reports it (takeFenced).
	fencing bool
	fenced  error
}

// takeFenced returns err, or the fence's refusal when that is why it
// failed.
func (c *keepConn) takeFenced(err error) error {
	f := c.fenced
	c.fenced = nil
	if err != nil && f != nil {
		return f
	}
	return err
}

var (
	_ driver.ConnPrepareContext = (*keepConn)(nil)
	_ driver.ConnBeginTx        = (*keepConn)(nil)
	_ driver.Pinger             = (*keepConn)(nil)
	_ driver.SessionResetter    = (*keepConn)(nil)
	_ driver.Validator          = (*keepConn)(nil)
)

func (c *keepConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *keepConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if s, ok := c.stmts[query]; ok && !s.lent {
		s.lent = true
		return s, nil
	}
	inner, err := c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &keptStmt{inner: inner, lent: true, conn: c}
	if _, taken := c.stmts[query]; !taken {
		if len(c.stmts) >= maxConnStmts {
			c.evictOne()
		}
		if len(c.stmts) < maxConnStmts {
			s.kept = true
			c.stmts[query] = s
		}
	}
	return s, nil
}

// evictOne closes one statement that is not lent.
func (c *keepConn) evictOne() {
	for q, s := range c.stmts {
		if !s.lent {
			_ = s.inner.Close()
			delete(c.stmts, q)
			return
		}
	}
}

func (c *keepConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		if !s.lent {
			errs = append(errs, s.inner.Close())
		} else {
			s.kept = false // closed for real when its user is done
		}
		delete(c.stmts, q)
	}
	errs = append(errs, c.inner.Close())
	c.slots.give()
	c.slots = nil
	return errors.Join(errs...)
}

func (c *keepConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *keepConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.fenced = nil
	tx, err := c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil || !c.fencing {
		return tx, err
	}
	return fencedTx{tx, c}, nil
}

// fencedTx reports a COMMIT the fence refused with the fence's error.
type fencedTx struct {
	inner driver.Tx
	conn  *keepConn
}

func (t fencedTx) Commit() error   { return t.conn.takeFenced(t.inner.Commit()) }
func (t fencedTx) Rollback() error { return t.inner.Rollback() }

func (c *keepConn) Ping(ctx context.Context) error { return c.inner.(driver.Pinger).Ping(ctx) }

func (c *keepConn) ResetSession(ctx context.Context) error {
	return c.inner.(driver.SessionResetter).ResetSession(ctx)
}

func (c *keepConn) IsValid() bool { return c.inner.(driver.Validator).IsValid() }

// keptStmt is a statement lent by its connection: Close returns it (or
// closes it when the connection does not keep it).
type keptStmt struct {
	inner driver.Stmt
	lent  bool
	kept  bool
	conn  *keepConn
}

var (
	_ driver.StmtExecContext  = (*keptStmt)(nil)
	_ driver.StmtQueryContext = (*keptStmt)(nil)
)

func (s *keptStmt) Close() error {
	s.lent = false
	if !s.kept {
		return s.inner.Close()
	}
	return nil
}

func (s *keptStmt) NumInput() int { return s.inner.NumInput() }

//nolint:staticcheck // driver.Stmt requires the deprecated methods.
func (s *keptStmt) Exec(args []driver.Value) (driver.Result, error) {
	res, err := s.inner.Exec(args)
	return res, s.conn.takeFenced(err)
}

//nolint:staticcheck // driver.Stmt requires the deprecated methods.
func (s *keptStmt) Query(args []driver.Value) (driver.Rows, error) { return s.inner.Query(args) }

func (s *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
	return res, s.conn.takeFenced(err)
}

func (s *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
}
