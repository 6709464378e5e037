package tenants

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// groupRun holds the writer with a first transaction, queues n more
// callers behind it (each inserting its number into t, or running
// member(i, tx) when given), then lets the first one finish. It returns
// each caller's error (index 0: the first) and how many commits were made
// after the setup.
func groupRun(t *testing.T, db *DB, n int, member func(i int, tx *sql.Tx) error) ([]error, int64) {
	t.Helper()
	ctx := context.Background()
	before := db.writes.Load()
	errs := make([]error, n+1)
	release, holding := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		errs[0] = db.Tx(ctx, func(tx *sql.Tx) error {
			close(holding)
			<-release
			_, err := tx.ExecContext(ctx, `INSERT INTO t (n) VALUES (0)`)
			return err
		})
	})
	<-holding
	// The callers queue one after the other, in the order of i.
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
				if member != nil {
					return member(i, tx)
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO t (n) VALUES (?)`, i)
				return err
			})
		})
		for deadline := time.Now().Add(30 * time.Second); db.waiting.Load() < int32(i); {
			if time.Now().After(deadline) {
				t.Fatalf("%d callers queued for the writer, want %d", db.waiting.Load(), i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	wg.Wait()
	return errs, db.writes.Load() - before
}

func groupDB(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(filepath.Join(t.TempDir(), "c.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE t (n INTEGER NOT NULL UNIQUE)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func rowsOf(t *testing.T, db *DB) map[int]bool {
	t.Helper()
	got := map[int]bool{}
	rows, err := db.Reader().QueryContext(context.Background(), `SELECT n FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got[n] = true
	}
	return got
}

// Ten write transactions queued behind one that holds the writer are
// written by one commit: each sees the others' rows as if they had
// committed in turn, and each Tx returns once everything is committed.
func TestCallersQueuedForTheWriterShareOneCommit(t *testing.T) {
	db := groupDB(t)
	errs, commits := groupRun(t, db, 10, nil)
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if commits != 1 {
		t.Errorf("%d commits for 11 queued transactions, want 1", commits)
	}
	if got := rowsOf(t, db); len(got) != 11 {
		t.Errorf("rows %v, want 0 to 10", got)
	}
	// The writer is free again: a lone transaction commits on its own.
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (n) VALUES (100)`)
		return err
	}); err != nil || !rowsOf(t, db)[100] {
		t.Fatalf("lone transaction after a group: %v", err)
	}
}

// A caller of a shared transaction whose fn fails (here after writing a
// row, then hitting the unique index) gets its own error and leaves
// nothing behind; the callers before and after it are committed.
func TestAFailingCallerOfASharedTransactionUndoesOnlyItsOwnWrites(t *testing.T) {
	db := groupDB(t)
	refused := errors.New("refused")
	errs, _ := groupRun(t, db, 6, func(i int, tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO t (n) VALUES (?)`, i); err != nil {
			return err
		}
		switch i {
		case 2:
			return refused
		case 4:
			_, err := tx.Exec(`INSERT INTO t (n) VALUES (1)`) // taken by caller 1
			return err
		}
		return nil
	})
	got := rowsOf(t, db)
	for i, err := range errs {
		switch {
		case i == 2 && !errors.Is(err, refused):
			t.Errorf("caller 2: %v, want its own error", err)
		case i == 4 && err == nil:
			t.Errorf("caller 4 broke the unique index without an error")
		case i != 2 && i != 4 && err != nil:
			t.Errorf("caller %d: %v", i, err)
		}
		if want := i != 2 && i != 4; got[i] != want {
			t.Errorf("row of caller %d written: %v, want %v", i, got[i], want)
		}
	}
}

// A caller that breaks the shared transaction itself (it ends it) takes
// the callers before it down: they are told, and nothing of theirs is
// written; the callers after it start a new transaction.
func TestCallersBeforeABrokenSharedTransactionAreToldNothingWasWritten(t *testing.T) {
	db := groupDB(t)
	broken := errors.New("ended the transaction")
	errs, _ := groupRun(t, db, 5, func(i int, tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO t (n) VALUES (?)`, i); err != nil {
			return err
		}
		if i == 3 {
			if _, err := tx.Exec(`ROLLBACK`); err != nil {
				return err
			}
			return broken
		}
		return nil
	})
	got := rowsOf(t, db)
	for i, err := range errs {
		switch {
		case i < 3 && err == nil:
			t.Errorf("caller %d before the broken one: no error", i)
		case i == 3 && !errors.Is(err, broken):
			t.Errorf("caller 3: %v, want its own error", err)
		case i > 3 && err != nil:
			t.Errorf("caller %d after the broken one: %v", i, err)
		}
		if want := i > 3; got[i] != want {
			t.Errorf("row of caller %d written: %v, want %v", i, got[i], want)
		}
	}
}
