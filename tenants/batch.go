package tenants

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Execer runs a statement: *sql.Tx, *sql.DB, or a statement-caching
// querier of this package.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// maxBatchRows is the largest group of rows one InsertRows statement
// carries (32 rows of 15 columns stay far below SQLite's 32,766
// parameters).
const maxBatchRows = 32

// InsertRows inserts rows (each one value per column of head) with as
// few statements as possible: head ("INSERT INTO t (a, b)"), one
// "(?, ?)" group per row, then tail ("" or an ON CONFLICT clause). Rows
// go in groups of 32, 16, 8, 4, 2 and 1, so that a handful of statement
// texts serve every count and stay prepared on the connection: a line of
// a 16-meal cart costs a share of one statement instead of a statement
// of its own. Rows are inserted in their order.
func InsertRows(ctx context.Context, q Execer, head, tail string, rows [][]any) error {
	for len(rows) > 0 {
		n := maxBatchRows
		for n > len(rows) {
			n /= 2
		}
		cols := len(rows[0])
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			if len(r) != cols {
				return fmt.Errorf("insert rows: %d values in a row of %d", len(r), cols)
			}
			args = append(args, r...)
		}
		if _, err := q.ExecContext(ctx, insertText(head, tail, n, cols), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func insertText(head, tail string, n, cols int) string {
	group := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(len(head) + len(tail) + n*(len(group)+2) + 8)
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
	if tail != "" {
		b.WriteByte(' ')
		b.WriteString(tail)
	}
	return b.String()
}
