package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/tenants"
)

// A node frozen past its lease keeps its commune's file open, and any of
// its code may still try to write, by whatever path: DB.Tx, a statement
// straight on the writer (autocommit), a transaction begun on the raw
// writer pool, a prepared statement, a dedicated connection, bookkeeping
// flushed later. Every one of them is refused at commit with
// ErrLeaseLost, and none of their rows reaches the file.
func TestANodeThatLostItsLeaseCannotWriteThroughAnyPath(t *testing.T) {
	eachPlatform(t, testANodeThatLostItsLeaseCannotWriteThroughAnyPath)
}

func testANodeThatLostItsLeaseCannotWriteThroughAnyPath(t *testing.T, dsn string) {
	ctx := context.Background()
	cl := newNodeCluster(t, dsn)
	cl.communeInReplica("ilot")
	a := cl.open("a", 2*time.Second)
	db, release, err := a.Acquire(ctx, "ilot")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	const insert = `INSERT INTO families (name, created_at) VALUES (?, '2026-01-01')`
	if _, err := db.W.ExecContext(ctx, insert, "FAMILLE AVANT"); err != nil {
		t.Fatalf("a write while the lease is held: %v", err)
	}

	tenants.PauseNode(a)
	waitFor(t, "a's lease to expire", func() bool {
		l, err := a.LeaseOf(ctx, "ilot")
		return err == nil && !l.Live
	})
	paths := map[string]func(name string) error{
		"DB.Tx": func(name string) error {
			return db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, insert, name); return err })
		},
		"a statement on the writer": func(name string) error {
			_, err := db.W.ExecContext(ctx, insert, name)
			return err
		},
		"a transaction on the writer pool": func(name string) error {
			tx, err := db.W.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, insert, name); err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		},
		"a prepared statement": func(name string) error {
			st, err := db.W.PrepareContext(ctx, insert)
			if err != nil {
				return err
			}
			defer st.Close()
			_, err = st.ExecContext(ctx, name)
			return err
		},
		"a dedicated connection": func(name string) error {
			conn, err := db.W.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			_, err = conn.ExecContext(ctx, insert, name)
			return err
		},
		"bookkeeping written later": func(name string) error {
			db.WriteLater("test", name, name, func(ctx context.Context, tx *sql.Tx, pending map[string]any) error {
				for _, v := range pending {
					if _, err := tx.ExecContext(ctx, insert, v); err != nil {
						return err
					}
				}
				return nil
			})
			return db.FlushLater(ctx)
		},
	}
	for path, write := range paths {
		if err := write("FAMILLE FANTÔME " + path); !errors.Is(err, tenants.ErrLeaseLost) {
			t.Errorf("%s on the node that lost its lease: %v, want ErrLeaseLost", path, err)
		}
	}
	var names []string
	err = tenants.Each(ctx, db.Reader(), func(row tenants.Row) error {
		var n string
		names = append(names, n)
		return row.Scan(&names[len(names)-1])
	}, `SELECT name FROM families ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "FAMILLE AVANT" {
		t.Fatalf("families in the file of the node that lost its lease: %q, want only the one written in time", names)
	}
}

// communeInReplica creates slug by a command and ships its file to the
// replica, where the first node to claim it finds it.
func (c *nodeCluster) communeInReplica(slug string) {
	cmd := c.open("", 0)
	defer cmd.Close()
	createCommune(c.t, cmd, slug)
	if err := cmd.ShipToReplica(context.Background(), cmd.Replica(), slug); err != nil {
		c.t.Fatal(err)
	}
}

// rawWriter is a write through a handle's raw writer pool.
var rawWriter = regexp.MustCompile(`\.W\.(Exec|ExecContext|Begin|BeginTx|Prepare|PrepareContext|Conn|Query|QueryContext|QueryRow|QueryRowContext)\(`)

// Outside package tenants, no production code reaches a database's raw
// writer (DB.W): commune files are written through DB.Tx (or
// WriteLater), whose commits the lease fences with a clear error.
func TestNoCodeOutsideTenantsUsesTheRawWriter(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "tenants" || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if rawWriter.MatchString(line) {
				found = append(found, rel+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("production code writes through a raw writer, outside DB.Tx:\n%s", strings.Join(found, "\n"))
	}
}
