package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// IsPostgresDSN reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://), the form ESPACEFAMILLE_PLATFORM_DSN takes.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// OpenPostgres opens the platform store on the PostgreSQL database of dsn
// (postgres://user:password@host:port/db?sslmode=…; a search_path
// parameter selects a schema). It has the handles of OpenDB: W, whose
// transactions (DB.Tx) run one at a time across every node, and a
// read-only pool. The schema is not migrated here (PlatformSchema.Migrate).
func OpenPostgres(ctx context.Context, dsn string, opt OpenOptions) (*DB, error) {
	if !IsPostgresDSN(dsn) {
		return nil, errors.New("tenants: the platform DSN must start with postgres:// or postgresql://")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included.
		return nil, errors.New("tenants: the platform DSN cannot be read (postgres://user:password@host:port/database?sslmode=…)")
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = 8
	}
	d := &DB{dialect: Postgres, wgate: make(chan struct{}, 1), writeWait: opt.WriteWait, closed: make(chan struct{}), noWriteLock: opt.NoWriteLock}
	w := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	// DB.Tx holds one connection at a time; the others serve the single
	// statements some bookkeeping runs outside a transaction.
	w.SetMaxOpenConns(4)
	w.SetMaxIdleConns(2)
	w.SetConnMaxIdleTime(5 * time.Minute)
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on" // the read pool never writes
	r := sql.OpenDB(pgConnector{stdlib.GetConnector(*rcfg)})
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	r.SetConnMaxIdleTime(5 * time.Minute)
	var schema string
	if err := w.QueryRowContext(ctx, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("tenants: connect to the platform store: %w", err)
	}
	d.path = "postgres:" + schema
	d.lockSalt = schema
	d.W, d.read, d.rstmts, d.wstmts = w, r, newStmtCache(r), newStmtCache(w)
	return d, nil
}

// lockKey is the advisory-lock key of name: the same on every node of one
// platform store, another in another database or schema.
func (d *DB) lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("espacefamille\x00" + d.lockSalt + "\x00" + name))
	return int64(h.Sum64())
}

// platformWriteLock is the advisory lock every PostgreSQL write
// transaction takes first (DB.Tx).
const platformWriteLock = "platform-writer"

// serializeWrites makes tx wait for the other nodes' write transactions,
// as SQLite's BEGIN IMMEDIATE does: code written for SQLite reads then
// writes in one transaction and relies on nobody writing in between.
func (d *DB) serializeWrites(ctx context.Context, tx *sql.Tx) error {
	if d.dialect != Postgres || d.noWriteLock {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, d.lockKey(platformWriteLock))
	return err
}

// pgConnector hands out pgx's database/sql connections, wrapped so that
// the project's SQL runs unchanged (pgConn).
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that rebinds `?` placeholders and sends Go
// booleans as the integers the schema stores.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	query, args, err := bindArgs(query, args)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, query, args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	query, args, err := bindArgs(query, args)
	if err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// bindArgs rebinds query's placeholders: `?` (rebind), or, when the
// arguments are named (sql.Named), `:name` to `$1, $2, …` in order of
// first use, the arguments following.
func bindArgs(query string, args []driver.NamedValue) (string, []driver.NamedValue, error) {
	if len(args) == 0 || args[0].Name == "" {
		return rebind(query), args, nil
	}
	byName := map[string]driver.NamedValue{}
	for _, a := range args {
		byName[a.Name] = a
	}
	var out []driver.NamedValue
	index := map[string]int{}
	var missing error
	q := mapOutsideLiterals(query, func(s string, i int) (string, int) {
		if s[i] != ':' || (i > 0 && s[i-1] == ':') || i+1 >= len(s) || !isIdentStart(s[i+1]) {
			return "", 0
		}
		j := i + 1
		for j < len(s) && isIdentPart(s[j]) {
			j++
		}
		name := s[i+1 : j]
		n, ok := index[name]
		if !ok {
			a, found := byName[name]
			if !found {
				missing = fmt.Errorf("tenants: query names :%s, which no argument gives", name)
			}
			out = append(out, driver.NamedValue{Ordinal: len(out) + 1, Value: a.Value})
			n = len(out)
			index[name] = n
		}
		return "$" + strconv.Itoa(n), j - i
	})
	return q, out, missing
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// CheckNamedValue sends a bool as 0 or 1: flags are integer columns in
// both schemas, and PostgreSQL does not cast a boolean to an integer.
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	switch b := v.Value.(type) {
	case bool:
		v.Value = int64(0)
		if b {
			v.Value = int64(1)
		}
	case driver.Valuer:
		val, err := b.Value()
		if err != nil {
			return err
		}
		if bv, ok := val.(bool); ok {
			v.Value = int64(0)
			if bv {
				v.Value = int64(1)
			}
		}
	}
	return nil
}

// isPgUnique reports whether err is PostgreSQL's unique_violation.
func isPgUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// isPgUndefinedTable reports whether err is PostgreSQL's undefined_table.
func isPgUndefinedTable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "42P01"
}

// MigratePostgres brings the platform store at dsn up to the latest
// embedded version, with the PostgreSQL twin of the schema's migrations,
// under goose's session advisory lock so that nodes starting together
// migrate it once. It returns the versions before and after.
func (s *Schema) MigratePostgres(ctx context.Context, dsn string) (from, to int64, err error) {
	if s.pg == nil {
		return 0, 0, fmt.Errorf("the %s schema has no PostgreSQL migrations", s.name)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return 0, 0, errors.New("tenants: the platform DSN cannot be read (postgres://user:password@host:port/database?sslmode=…)")
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return s.up(ctx, db, "platform store", func() (*goose.Provider, error) {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectPostgres, db, s.pg, goose.WithSessionLocker(locker))
	})
}
