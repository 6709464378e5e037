package tenants

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"testing"
)

// The writer's CPU accounting records the CPU time of labelled write
// transactions only while it is turned on, and leaves the caller's
// goroutine free of its OS thread afterwards.
func TestWriterCPUIsAccountedOnlyWhenTurnedOn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread CPU time is read on Linux only")
	}
	db, err := OpenDB(filepath.Join(t.TempDir(), "cpu.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	work := func(label string) {
		ctx := WithTxLabel(context.Background(), label)
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS t (v TEXT)`); err != nil {
				return err
			}
			_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
				INSERT INTO t SELECT hex(randomblob(32)) FROM n`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	work("off")
	MeasureWriterCPU(true)
	work("on")
	MeasureWriterCPU(false)
	got := map[string]TxStat{}
	for _, st := range db.WriterStats() {
		got[st.Label] = st
	}
	if got["off"].Count != 1 || got["off"].CPU != 0 {
		t.Errorf("accounting off: %+v", got["off"])
	}
	if got["on"].Count != 1 || got["on"].CPU <= 0 {
		t.Errorf("accounting on recorded no CPU: %+v", got["on"])
	}
}
