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

// openPool opens a database/sql pool on dsn with the statement-keeping
// connector; hook (nil: none) is installed on every connection as its
// pre-update hook.
func openPool(dsn string, hook sqlite.PreUpdateHookFn) *sql.DB {
	return sql.OpenDB(stmtConnector{dsn: dsn, drv: &sqlite.Driver{}, hook: hook})
}

// openBudgetedPool is openPool whose connections each hold one of slots
// while open: a connection that finds none free is refused (errNoSlot).
func openBudgetedPool(dsn string, slots *connSlots) *sql.DB {
	return sql.OpenDB(stmtConnector{dsn: dsn, drv: &sqlite.Driver{}, slots: slots})
}

type stmtConnector struct {
	dsn   string
	drv   *sqlite.Driver
	hook  sqlite.PreUpdateHookFn
	slots *connSlots // nil: unbounded
}

func (c stmtConnector) Connect(context.Context) (driver.Conn, error) {
	if !c.slots.take() {
		return nil, errNoSlot
	}
	inner, err := c.drv.Open(c.dsn)
	if err != nil {
		c.slots.give()
		return nil, err
	}
	if c.hook != nil {
		if h, ok := inner.(interface{ RegisterPreUpdateHook(sqlite.PreUpdateHookFn) }); ok {
			h.RegisterPreUpdateHook(c.hook)
		}
	}
	return &keepConn{inner: inner, stmts: map[string]*keptStmt{}, slots: c.slots}, nil
}

func (c stmtConnector) Driver() driver.Driver { return c.drv }

// keepConn is a connection that keeps its prepared statements. It
// deliberately implements neither QueryerContext nor ExecerContext.
type keepConn struct {
	inner driver.Conn
	stmts map[string]*keptStmt
	slots *connSlots // given back at Close (nil: none taken)
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
	s := &keptStmt{inner: inner, lent: true}
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
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

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
func (s *keptStmt) Exec(args []driver.Value) (driver.Result, error) { return s.inner.Exec(args) }

//nolint:staticcheck // driver.Stmt requires the deprecated methods.
func (s *keptStmt) Query(args []driver.Value) (driver.Rows, error) { return s.inner.Query(args) }

func (s *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
}
