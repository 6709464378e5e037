package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Copying platform.db into PostgreSQL: a single node grows into several
// (docs/scale-out.md). The copy reads a consistent snapshot of the file
// (VACUUM INTO, so a node may still be serving while it is taken, though
// what it writes after is not copied), migrates the snapshot and the
// target to this binary's schema, and copies every table in one
// PostgreSQL transaction: the target holds all of it or nothing.

// PlatformCopy is what CopyPlatformToPostgres copied.
type PlatformCopy struct {
	Target string       // "postgres:DATABASE.SCHEMA"
	Tables []TableCount // in the order copied
	Rows   int64        // total
}

// TableCount is one table's row count.
type TableCount struct {
	Name string
	Rows int64
}

// ErrTargetNotEmpty: the PostgreSQL store already holds platform data.
var ErrTargetNotEmpty = errors.New("the PostgreSQL platform store is not empty")

// copyProgressRows is how often a long table reports its progress.
const copyProgressRows = 10000

// CopyPlatformToPostgres copies the SQLite platform database at from into
// the PostgreSQL store at dsn, telling progress (may be nil) each step:
// the target is migrated to this binary's schema and must hold no row;
// every table is copied with its explicit ids in one transaction, the
// identity sequences are moved past them, and the row counts are checked
// against the snapshot's once committed.
func CopyPlatformToPostgres(ctx context.Context, from, dsn string, progress func(string)) (PlatformCopy, error) {
	var out PlatformCopy
	if progress == nil {
		progress = func(string) {}
	}
	if _, err := os.Stat(from); err != nil {
		return out, fmt.Errorf("platform copy: %w", err)
	}
	if _, _, err := PlatformSchema.MigratePostgres(ctx, dsn); err != nil {
		return out, fmt.Errorf("platform copy: migrate the PostgreSQL store: %w", err)
	}
	dst, err := OpenPostgres(ctx, dsn, OpenOptions{ReadConns: 1})
	if err != nil {
		return out, err
	}
	defer dst.Close()
	out.Target = dst.Path()
	tables, err := pgTablesInOrder(ctx, dst)
	if err != nil {
		return out, fmt.Errorf("platform copy: read the PostgreSQL schema: %w", err)
	}
	if err := refuseNonEmpty(ctx, dst, tables); err != nil {
		return out, err
	}

	dir, err := os.MkdirTemp(filepath.Dir(from), ".platform-copy-")
	if err != nil {
		return out, fmt.Errorf("platform copy: %w", err)
	}
	defer os.RemoveAll(dir)
	snap, _, err := snapshot(ctx, from, dir, "platform", time.Now())
	if err != nil {
		return out, fmt.Errorf("platform copy: snapshot of %s: %w", from, err)
	}
	if _, _, err := PlatformSchema.Migrate(ctx, snap); err != nil {
		return out, fmt.Errorf("platform copy: migrate the snapshot of %s: %w", from, err)
	}
	src, err := sql.Open("sqlite", "file:"+snap+"?mode=ro")
	if err != nil {
		return out, err
	}
	defer src.Close()
	progress(fmt.Sprintf("copying %s into %s (%d tables)", from, out.Target, len(tables)))

	err = dst.Tx(ctx, func(tx *sql.Tx) error {
		out.Tables, out.Rows = nil, 0
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t, progress)
			if err != nil {
				return fmt.Errorf("table %s: %w", t.name, err)
			}
			if err := resetIdentities(ctx, tx, t); err != nil {
				return fmt.Errorf("table %s: move its sequence past the copied ids: %w", t.name, err)
			}
			out.Tables = append(out.Tables, TableCount{t.name, n})
			out.Rows += n
			progress(fmt.Sprintf("%-24s %d rows", t.name, n))
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("platform copy: nothing was copied: %w", err)
	}
	for _, tc := range out.Tables {
		var want, got int64
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM "`+tc.Name+`"`).Scan(&want); err != nil {
			return out, err
		}
		if err := dst.Reader().QueryRowContext(ctx, `SELECT count(*) FROM "`+tc.Name+`"`).Scan(&got); err != nil {
			return out, err
		}
		if want != got || got != tc.Rows {
			return out, fmt.Errorf("platform copy: table %s has %d rows in PostgreSQL, %d in the snapshot", tc.Name, got, want)
		}
	}
	progress(fmt.Sprintf("verified: %d tables, %d rows, the same counts in both", len(out.Tables), out.Rows))
	return out, nil
}

// pgTable is a table of the PostgreSQL store, with its columns' kinds.
type pgTable struct {
	name     string
	cols     []string
	kinds    []string // "int", "text", "bytes" or PostgreSQL's data_type
	identity []string // columns whose sequence must follow the copied ids
}

// pgTablesInOrder lists the store's tables (goose's own aside), each after
// the tables its foreign keys reference.
func pgTablesInOrder(ctx context.Context, db *DB) ([]pgTable, error) {
	type col struct{ table, name, kind, identity, def string }
	cols, err := All(ctx, db.Reader(), func(row interface{ Scan(...any) error }) (col, error) {
		var c col
		return c, row.Scan(&c.table, &c.name, &c.kind, &c.identity, &c.def)
	}, `SELECT c.table_name, c.column_name, c.data_type, c.is_identity, COALESCE(c.column_default, '')
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() AND c.table_name <> 'goose_db_version'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*pgTable{}
	var names []string
	for _, c := range cols {
		t := byName[c.table]
		if t == nil {
			t = &pgTable{name: c.table}
			byName[c.table] = t
			names = append(names, c.table)
		}
		kind := c.kind
		switch c.kind {
		case "bigint", "integer", "smallint":
			kind = "int"
		case "text", "character varying", "character":
			kind = "text"
		case "bytea":
			kind = "bytes"
		}
		t.cols = append(t.cols, c.name)
		t.kinds = append(t.kinds, kind)
		if c.identity == "YES" || strings.HasPrefix(c.def, "nextval(") {
			t.identity = append(t.identity, c.name)
		}
	}
	type ref struct{ from, to string }
	refs, err := All(ctx, db.Reader(), func(row interface{ Scan(...any) error }) (ref, error) {
		var r ref
		return r, row.Scan(&r.from, &r.to)
	}, `SELECT f.relname, t.relname FROM pg_constraint k
		JOIN pg_class f ON f.oid = k.conrelid JOIN pg_class t ON t.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = f.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for _, r := range refs {
		if r.from != r.to {
			deps[r.from] = append(deps[r.from], r.to)
		}
	}
	var order []pgTable
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, d := range deps[name] {
			if byName[d] != nil {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		order = append(order, *byName[name])
		return nil
	}
	slices.Sort(names)
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// refuseNonEmpty fails, naming the tables, when any holds a row.
func refuseNonEmpty(ctx context.Context, db *DB, tables []pgTable) error {
	var full []string
	for _, t := range tables {
		var n int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM "`+t.name+`"`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", t.name, n))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("platform copy: %w (%s): copy into a new, empty database or schema; nothing was changed",
			ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// copyTable copies t's rows from the snapshot, in groups of rows per
// INSERT.
func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, t pgTable, progress func(string)) (int64, error) {
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = `"` + c + `"`
	}
	list := strings.Join(quoted, ", ")
	// Rows carry their ids (and commune_hosts its order column): the
	// order they are read in does not matter.
	rows, err := src.QueryContext(ctx, `SELECT `+list+` FROM "`+t.name+`"`)
	if err != nil {
		return 0, fmt.Errorf("read the snapshot: %w", err)
	}
	defer rows.Close()
	head := `INSERT INTO "` + t.name + `" (` + list + `)`
	var n int64
	var batch [][]any
	flush := func() error {
		err := InsertRows(ctx, tx, head, "", batch)
		batch = batch[:0]
		return err
	}
	for rows.Next() {
		vals, err := ScanValues(rows, len(t.cols))
		if err != nil {
			return n, err
		}
		for i, v := range vals {
			cv, err := convertValue(v, t.kinds[i])
			if err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n+1, t.cols[i], err)
			}
			vals[i] = cv
		}
		batch = append(batch, vals)
		n++
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return n, err
			}
		}
		if n%copyProgressRows == 0 {
			progress(fmt.Sprintf("%-24s %d rows so far", t.name, n))
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// resetIdentities moves each identity column's sequence past the highest
// id copied, so that the next row PostgreSQL numbers does not collide.
func resetIdentities(ctx context.Context, tx *sql.Tx, t pgTable) error {
	for _, c := range t.identity {
		// setval(seq, max + 1, false): the next value is max + 1 (1 when empty).
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT max("`+c+`") FROM "`+t.name+`"), 0) + 1, false)`,
			`"`+t.name+`"`, c)
		if err != nil {
			return err
		}
	}
	return nil
}

// convertValue turns a value SQLite returned (its types are per value,
// not per column) into the column's PostgreSQL kind.
func convertValue(v any, kind string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch kind {
	case "int":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
			return nil, fmt.Errorf("%v is not an integer", x)
		case string:
			return parseInt(x)
		case []byte:
			return parseInt(string(x))
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case "text":
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			if !utf8.Valid(x) {
				return nil, errors.New("bytes that are not UTF-8 text in a text column")
			}
			s = string(x)
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case time.Time:
			return FormatTime(x), nil
		default:
			return nil, fmt.Errorf("unexpected value %T in a text column", v)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errors.New("a NUL character, which PostgreSQL text cannot hold")
		}
		return s, nil
	case "bytes":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("unexpected value %T in a bytes column", v)
	default:
		return v, nil
	}
	return nil, fmt.Errorf("unexpected value %T in an integer column", v)
}

func parseInt(s string) (any, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", s)
	}
	return n, nil
}
