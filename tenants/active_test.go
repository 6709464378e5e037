package tenants

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A request gives its slot back while it holds the writer, so that
// another request can run meanwhile even when the limit is one, and holds
// it again once the transaction is over.
func TestActiveSlotIsGivenBackDuringAWriteTransaction(t *testing.T) {
	db, err := OpenDB(filepath.Join(t.TempDir(), "a.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := NewActiveLimit(1)
	ctxA, releaseA, err := l.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctxA, func(*sql.Tx) error {
		// Without the yield this would wait for A's slot until the deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, releaseB, err := l.Enter(ctx)
		if err != nil {
			return err
		}
		releaseB()
		return nil
	})
	if err != nil {
		t.Fatalf("a second request could not run while the first held the writer: %v", err)
	}
	if n := len(l.sem); n != 1 {
		t.Fatalf("after the transaction %d slots are taken, want 1 (the first request's, again)", n)
	}
	releaseA()
	if n := len(l.sem); n != 0 {
		t.Fatalf("after release %d slots are taken", n)
	}
}
