package tenants_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"espacefamille/tenants"
)

func queueMail(ctx context.Context, tx *sql.Tx, status string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, status, next_attempt_at, created_at)
		VALUES ('test', 'parent@example.fr', 'Objet', 'Bonjour', '', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, status)
	return err
}

// Mail queued in one commune of many flags that commune alone in the
// registry, so that the start-up sweep opens it and no other; the flag
// stays while mail waits and goes once the outbox is empty, when the
// handle closes.
func TestWorkFlagFollowsQueuedMail(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	for _, s := range []string{"aaa", "bbb", "ccc"} {
		createCommune(t, reg, s)
	}
	due := func() []string {
		t.Helper()
		got, err := reg.WorkDue(ctx, tenants.WorkMail, time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := due(); len(got) != 0 {
		t.Fatalf("new communes flagged: %v", got)
	}
	// A rolled-back transaction flags nothing.
	err := reg.WithCommune(ctx, "bbb", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			if err := queueMail(ctx, tx, "pending"); err != nil {
				return err
			}
			return sql.ErrTxDone
		})
	})
	if err != sql.ErrTxDone || len(due()) != 0 {
		t.Fatalf("rolled back: err %v, flagged %v", err, due())
	}
	if err := reg.WithCommune(ctx, "bbb", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { return queueMail(ctx, tx, "pending") })
	}); err != nil {
		t.Fatal(err)
	}
	if got := due(); !slices.Equal(got, []string{"bbb"}) {
		t.Fatalf("flagged = %v, want [bbb]", got)
	}
	// Closing the handle while mail waits keeps the flag.
	reg.Cache().Evict("bbb")
	if got := due(); !slices.Equal(got, []string{"bbb"}) {
		t.Fatalf("after close with mail waiting, flagged = %v", got)
	}
	// The sender sends it (directly on the writer, as app/mail does); the
	// next close finds nothing left and removes the flag.
	if err := reg.WithCommune(ctx, "bbb", func(db *tenants.DB) error {
		_, err := db.W.ExecContext(ctx, `UPDATE outbox SET status = 'sent'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reg.Cache().Evict("bbb")
	if got := due(); len(got) != 0 {
		t.Fatalf("outbox empty, still flagged: %v", got)
	}
}

// The flag is written before the commune's transaction commits: when it
// cannot be written, the work is not committed either (nothing waits that
// no flag points to).
func TestWorkNotCommittedWithoutItsFlag(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	createCommune(t, reg, "aaa")
	db, release, err := reg.Acquire(ctx, "aaa")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := reg.Platform().W.ExecContext(ctx, `DROP TABLE commune_work`); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error { return queueMail(ctx, tx, "pending") })
	if err == nil {
		t.Fatal("mail committed although its flag could not be written")
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("outbox holds %d rows (%v), want 0", n, err)
	}
	// Work of no watched kind does not need the registry.
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-24', 'x', 'now')`)
		return err
	}); err != nil {
		t.Fatalf("a closure: %v", err)
	}
}

// Work written by a commune's creation (an invitation queued by init) is
// flagged with the registration.
func TestCreateCommuneFlagsWorkOfItsInit(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	_, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "mazan", Name: "Mazan"},
		func(ctx context.Context, tx *sql.Tx, _ tenants.Commune) error { return queueMail(ctx, tx, "pending") })
	if err != nil {
		t.Fatal(err)
	}
	if got, err := reg.WorkDue(ctx, tenants.WorkMail, time.Now(), 0); err != nil || !slices.Equal(got, []string{"mazan"}) {
		t.Fatalf("flagged = %v, %v", got, err)
	}
}

// The audit finds work no flag points to (a file from before the registry
// kept flags), flags it, and records the file's figures.
func TestAuditFlagsWorkAndRecordsFigures(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	createCommune(t, reg, "aaa")
	db, err := tenants.OpenDB(reg.CommunePath("aaa"), tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES ('FAMILLE X', 'now')`); err != nil {
			return err
		}
		return queueMail(ctx, tx, "pending")
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rep := reg.Audit(ctx, "aaa"); rep.Err != nil || rep.Problems != "" || rep.Work[tenants.WorkMail] == "" {
		t.Fatalf("audit = %+v", rep)
	}
	if got, _ := reg.WorkDue(ctx, tenants.WorkMail, time.Now(), 0); !slices.Equal(got, []string{"aaa"}) {
		t.Fatalf("flagged = %v", got)
	}
	fleet, err := reg.Fleet(ctx)
	if err != nil || len(fleet) != 1 || fleet[0].Families != 1 || fleet[0].AuditedAt.IsZero() || fleet[0].SizeBytes == 0 {
		t.Fatalf("fleet = %+v, %v", fleet, err)
	}
}

// A file this node closed cleanly at the current schema reopens without a
// schema check and without connecting its writer for a page that only
// reads; a file changed behind the node's back is checked again; the
// cache counts its hits, misses and evictions.
func TestTrustedReopenIsLazyAndCounted(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	createCommune(t, reg, "aaa")
	read := func() *tenants.DB {
		t.Helper()
		db, release, err := reg.Acquire(ctx, "aaa")
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		var v string
		if err := db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return db
	}
	if db := read(); db.W.Stats().OpenConnections != 0 {
		t.Errorf("a read of a trusted file connected the writer")
	}
	read()
	reg.Cache().Evict("aaa")
	st := reg.Cache().Stats()
	if st.Hits != 1 || st.Misses != 1 || st.Max != 8 {
		t.Errorf("stats = %+v, want 1 hit, 1 miss", st)
	}
	// Another process writes the file: the next open checks it (and so
	// connects the writer for the schema version).
	other, err := tenants.OpenDB(reg.CommunePath("aaa"), tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-24', 'x', 'now')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other.Close()
	if db := read(); db.W.Stats().OpenConnections == 0 {
		t.Errorf("a file changed elsewhere was opened without a check")
	}
}

func TestDefaultCacheSizeFitsTheMachine(t *testing.T) {
	n, why := tenants.DefaultCacheSize()
	if n < 64 || n > 100_000 || why == "" {
		t.Fatalf("DefaultCacheSize = %d (%s)", n, why)
	}
}

// A file whose write-ahead log still holds frames (a writer that did not
// close: a crash, another process) is not trusted, even with its size and
// date unchanged: the writer opens first and the committed rows are read.
func TestFileWithFramesInItsLogIsChecked(t *testing.T) {
	reg := openRegistry(t, 8)
	ctx := context.Background()
	createCommune(t, reg, "aaa")
	other, err := tenants.OpenDB(reg.CommunePath("aaa"), tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close() // still open while the registry reads: frames stay in the log
	if err := other.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-24', 'x', 'now')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, "aaa")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if db.W.Stats().OpenConnections == 0 {
		t.Error("a file with frames in its log opened lazily, without the writer")
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM closures`).Scan(&n); err != nil || n != 1 {
		t.Errorf("closures = %d, %v", n, err)
	}
}
