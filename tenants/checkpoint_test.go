package tenants

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// The writer's commits leave the WAL to the background checkpointer: after
// the first interval's commits the pages are back in the database file, though
// the WAL is far below any automatic checkpoint's threshold; a replicated
// file gets no checkpointer (Litestream owns its checkpoints).
func TestCommitsAreCheckpointedBesideTheWriter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		replicated bool
		wantCopied bool
	}{
		{"commune file", false, true},
		{"replicated file", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			db, err := OpenDB(path, OpenOptions{Create: true, Replicated: tc.replicated})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			before := fileSize(t, path)
			for range 32 - 1 { // the first interval, the CREATE included
				if err := db.Tx(ctx, func(tx *sql.Tx) error {
					_, err := tx.Exec(`INSERT INTO t (v) VALUES (zeroblob(3000))`)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			if db.ckpt != nil {
				db.ckpt.done.Wait() // the checkpoint started by the last commit, if any
			}
			copied := fileSize(t, path) > before
			if db.ckpt != nil && db.ckpt.gap <= 32 {
				// About 40 frames in 32 commits: the next checkpoint waits
				// for more commits (as many as 1,000 frames would need).
				t.Errorf("after a checkpoint of a few frames the interval is %d commits, want more than 32", db.ckpt.gap)
			}
			if copied != tc.wantCopied || (db.ckpt != nil) != tc.wantCopied {
				t.Errorf("pages copied into the file: %v (checkpointer %v), want %v", copied, db.ckpt != nil, tc.wantCopied)
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
