package housekeeping_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/accounts"
	"espacefamille/app/admin"
	"espacefamille/app/housekeeping"
	"espacefamille/tenants"
)

// The two timestamp layouts of the tables (accounts' and the back office's).
const (
	accTS   = "2006-01-02T15:04:05.000000000Z"
	staffTS = "2006-01-02T15:04:05Z"
)

func exec(t *testing.T, db *tenants.DB, query string, args ...any) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func keys(t *testing.T, db *tenants.DB, query string) []string {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// seedCommune writes, in a commune, one row of each kind that must go
// ("old…") and one that must stay ("live…").
func seedCommune(t *testing.T, db *tenants.DB, now time.Time) {
	a := func(d time.Duration) string { return now.Add(d).UTC().Format(accTS) }
	s := func(d time.Duration) string { return now.Add(d).UTC().Format(staffTS) }
	exec(t, db, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at) VALUES
		('old-expired', 1, ?, ?, ?), ('old-idle', 1, ?, ?, ?), ('live', 1, ?, ?, ?)`,
		a(-13*time.Hour), a(-time.Hour), a(-time.Hour), // past its absolute expiry
		a(-2*time.Hour), a(-2*time.Hour), a(10*time.Hour), // idle for 2 hours
		a(-time.Hour), a(-time.Minute), a(11*time.Hour))
	exec(t, db, `INSERT INTO staff (id, email, role, created_at) VALUES (1, 'agent@example.org', 'agent', ?)`, s(-48*time.Hour))
	exec(t, db, `INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at, expires_at) VALUES
		('old-expired', 1, ?, ?, ?), ('old-idle', 1, ?, ?, ?), ('live', 1, ?, ?, ?)`,
		s(-13*time.Hour), s(-time.Hour), s(-time.Hour),
		s(-3*time.Hour), s(-3*time.Hour), s(9*time.Hour),
		s(-time.Hour), s(-time.Minute), s(11*time.Hour))
	exec(t, db, `INSERT INTO staff_tokens (token_hash, staff_id, expires_at, used_at, created_at) VALUES
		('old-used', 1, ?, ?, ?), ('old-expired', 1, ?, NULL, ?), ('live-used-recently', 1, ?, ?, ?), ('live', 1, ?, NULL, ?)`,
		s(24*time.Hour), s(-25*time.Hour), s(-48*time.Hour),
		s(-25*time.Hour), s(-97*time.Hour),
		s(24*time.Hour), s(-time.Hour), s(-48*time.Hour),
		s(70*time.Hour), s(-2*time.Hour))
	exec(t, db, `INSERT INTO staff_login_failures (key, failures, window_start, locked_until) VALUES
		('old', 3, ?, NULL), ('old-lock-over', 5, ?, ?), ('live-window', 2, ?, NULL), ('live-locked', 5, ?, ?)`,
		s(-time.Hour), s(-time.Hour), s(-30*time.Minute), s(-5*time.Minute), s(-20*time.Minute), s(10*time.Minute))
}

func checkCommune(t *testing.T, slug string, db *tenants.DB, purged bool) {
	t.Helper()
	for table, all := range map[string][]string{
		"sessions":             {"live", "old-expired", "old-idle"},
		"staff_sessions":       {"live", "old-expired", "old-idle"},
		"staff_tokens":         {"live", "live-used-recently", "old-expired", "old-used"},
		"staff_login_failures": {"live-locked", "live-window", "old", "old-lock-over"},
	} {
		col := "token_hash"
		if table == "staff_login_failures" {
			col = "key"
		}
		want := all
		if purged {
			want = slices.DeleteFunc(slices.Clone(all), func(k string) bool { return k[:3] == "old" })
		}
		if got := keys(t, db, "SELECT "+col+" FROM "+table); !slices.Equal(got, want) {
			t.Errorf("%s: %s = %v, want %v", slug, table, got, want)
		}
	}
}

// openRegistry opens a registry over a fresh data directory; it is closed
// when the test ends.
func openRegistry(t *testing.T, log *slog.Logger) *tenants.Registry {
	t.Helper()
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

func TestPurgeOpenCommunesAndPlatform(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := openRegistry(t, log)
	now := time.Now()
	for _, slug := range []string{"alpha", "beta", "gamma"} {
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slug, Name: "Commune " + slug}, nil); err != nil {
			t.Fatal(err)
		}
		if err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error { seedCommune(t, db, now); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	reg.Cache().Evict("gamma") // closed: the pass must not open it

	a := func(d time.Duration) string { return now.Add(d).UTC().Format(accTS) }
	p := reg.Platform()
	exec(t, p, `INSERT INTO accounts (id, email, password_hash, last_name, first_name, password_changed_at, created_at)
		VALUES (1, 'parent@example.org', 'x', 'X', 'Y', ?, ?)`, a(-72*time.Hour), a(-72*time.Hour))
	exec(t, p, `INSERT INTO account_tokens (token_hash, account_id, purpose, expires_at, used_at, created_at) VALUES
		('old-used', 1, 'confirm', ?, ?, ?), ('old-expired', 1, 'reset', ?, NULL, ?),
		('live-used-recently', 1, 'reset', ?, ?, ?), ('live-expired-recently', 1, 'reset', ?, NULL, ?), ('live', 1, 'reset', ?, NULL, ?)`,
		a(-47*time.Hour), a(-47*time.Hour), a(-48*time.Hour),
		a(-26*time.Hour), a(-27*time.Hour),
		a(time.Hour), a(-time.Minute), a(-10*time.Minute),
		a(-time.Hour), a(-2*time.Hour),
		a(50*time.Minute), a(-10*time.Minute))
	exec(t, p, `INSERT INTO throttles (key, failures, window_start, locked_until) VALUES
		('old', 3, ?, ''), ('old-lock-over', 0, ?, ?), ('live-window', 2, ?, ''), ('live-locked', 0, ?, ?)`,
		a(-3*time.Hour), a(-4*time.Hour), a(-3*time.Hour), a(-10*time.Minute), a(-3*time.Hour), a(time.Hour))

	job := app.Housekeeping(reg, log, app.HousekeepingOptions{Every: time.Hour})
	r, err := job.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Communes != 2 || r.Failed != 0 || r.Deleted != 2*(2+2+2+2)+2+2 {
		t.Errorf("report %+v, want 2 communes, %d rows", r, 2*(2+2+2+2)+2+2)
	}
	if open := reg.Cache().Open(); slices.Contains(open, "gamma") {
		t.Errorf("the pass opened a closed commune: %v", open)
	}
	if got, want := keys(t, p, `SELECT token_hash FROM account_tokens`), []string{"live", "live-expired-recently", "live-used-recently"}; !slices.Equal(got, want) {
		t.Errorf("account_tokens = %v, want %v", got, want)
	}
	if got, want := keys(t, p, `SELECT key FROM throttles`), []string{"live-locked", "live-window"}; !slices.Equal(got, want) {
		t.Errorf("throttles = %v, want %v", got, want)
	}
	for _, slug := range []string{"alpha", "beta", "gamma"} {
		if err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error { checkCommune(t, slug, db, slug != "gamma"); return nil }); err != nil {
			t.Fatal(err)
		}
	}
}

// Started, the job purges periodically; Stop ends it promptly.
func TestStartAndStop(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := openRegistry(t, log)
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, nil); err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	job := app.Housekeeping(reg, log, app.HousekeepingOptions{Every: 20 * time.Millisecond})
	job.Start(ctx)
	for i := range 3 { // rows that expire while the job runs go at a later pass
		old := time.Now().Add(-24 * time.Hour).UTC().Format(accTS)
		exec(t, db, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at) VALUES (?, 1, ?, ?, ?)`,
			"expired-"+string(rune('a'+i)), old, old, old)
		deadline := time.Now().Add(5 * time.Second)
		for len(keys(t, db, `SELECT token_hash FROM sessions`)) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("pass %d: expired session still there", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	stopCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := job.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if err := job.Stop(stopCtx); err != nil { // twice is harmless
		t.Fatal(err)
	}
}

// A closed commune whose registry flag has fallen due (its sessions were
// created a while ago) is opened and purged by a pass, and its flag moves
// on; a closed commune with nothing flagged stays closed.
func TestPurgeFlaggedClosedCommunes(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := openRegistry(t, log)
	now := time.Now()
	for _, slug := range []string{"alpha", "gamma"} {
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slug, Name: "Commune " + slug}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Only gamma gets sessions (and so a flag); both are closed.
	if err := reg.WithCommune(ctx, "gamma", func(db *tenants.DB) error { seedCommune(t, db, now); return nil }); err != nil {
		t.Fatal(err)
	}
	reg.Cache().Evict("gamma")
	reg.Cache().Evict("alpha")
	// Closed with live sessions, gamma falls due 12 hours later.
	if due, _ := reg.WorkDue(ctx, tenants.WorkHousekeeping, now.Add(time.Hour), 0); len(due) != 0 {
		t.Fatalf("due within the hour: %v", due)
	}
	later := now.Add(13 * time.Hour)
	job := housekeeping.New(housekeeping.Config{Registry: reg, Logger: log, Every: time.Hour, Now: func() time.Time { return later },
		Commune: []housekeeping.Purge{accounts.PurgeCommune, admin.PurgeExpired}})
	r, err := job.RunOnce(ctx)
	if err != nil || r.Communes != 1 || r.Failed != 0 || r.Deleted == 0 {
		t.Fatalf("report %+v, %v: want gamma visited and purged", r, err)
	}
	if open := reg.Cache().Open(); slices.Contains(open, "alpha") {
		t.Errorf("the pass opened a commune with nothing flagged: %v", open)
	}
	// Live sessions are left: the flag stays, due again 12 hours on.
	if due, _ := reg.WorkDue(ctx, tenants.WorkHousekeeping, time.Now().Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("after the purge, still due within the hour: %v", due)
	}
	if due, _ := reg.WorkDue(ctx, tenants.WorkHousekeeping, time.Now().Add(13*time.Hour), 0); !slices.Equal(due, []string{"gamma"}) {
		t.Errorf("live sessions left: gamma should fall due again later, got %v", due)
	}
}
