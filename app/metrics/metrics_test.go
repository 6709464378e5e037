package metrics_test

import (
	"context"
	"database/sql"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/mail"
	"espacefamille/app/metrics"
	"espacefamille/tenants"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics = %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// sample returns the value of the first sample line starting with prefix.
func sample(t *testing.T, body, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			return strings.TrimPrefix(line, prefix+" ")
		}
	}
	t.Fatalf("no sample %s in:\n%s", prefix, body)
	return ""
}

// documented are the metric names of docs/monitoring.md's table.
func documented(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "monitoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `espacefamille_") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("`(espacefamille_[a-z_]+)`").FindAllStringSubmatch(first, -1) {
			names = append(names, m[1])
		}
	}
	return names
}

func TestMetricsExposeEveryDocumentedNameAndNoOther(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	env := apptest.New(t, apptest.OnSQLite(), apptest.AppConfig(func(c *app.Config) { c.Observe, c.PaymentOutcome = m.Request, m.Payment }))
	m.Watch(metrics.Config{Registry: env.Registry})

	// Real traffic: a parent's pages, a 404, the health check.
	ids := env.Demo()
	parent := env.Parent(t, demo.Slug, ids.Family)
	parent.Get("/" + demo.Slug + "/famille")
	parent.Get("/" + demo.Slug + "/nulle-part")
	parent.Get("/healthz")
	// A write through a database opened with the registry's hooks.
	hooks := m.Hooks()
	db, err := tenants.OpenDB(filepath.Join(t.TempDir(), "w.db"), tenants.OpenOptions{Create: true, WriteWait: hooks.WriteWait})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(`CREATE TABLE x (n)`); return err }); err != nil {
		t.Fatal(err)
	}
	hooks.Migrated("mazan", 8, 9, nil)
	m.MailBatch("platform", mail.Counts{Sent: 2, Failed: 1})
	// The counters' first samples, then the backups' figures.
	m.Payment("paid")
	body := scrape(t, m)
	if got := sample(t, body, "espacefamille_backup_communes_missing"); got != "1" {
		t.Fatalf("communes without backup before any = %s", got)
	}
	if _, err := env.Registry.BackupChanged(ctx, t.TempDir(), 24*time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	body = scrape(t, m)

	exposed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) `).FindAllStringSubmatch(body, -1) {
		exposed[m[1]] = true
	}
	docs := documented(t)
	if len(docs) < 15 {
		t.Fatalf("only %d metrics documented: %v", len(docs), docs)
	}
	for _, name := range docs {
		if !exposed[name] {
			t.Errorf("documented but not exposed: %s", name)
		}
	}
	for name := range exposed {
		if strings.HasPrefix(name, "espacefamille_") && !slices.Contains(docs, name) {
			t.Errorf("exposed but not in docs/monitoring.md: %s", name)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_open_fds"} {
		if !exposed[name] {
			t.Errorf("Go runtime metric %s missing", name)
		}
	}
	for _, want := range []struct{ prefix, value string }{
		{`espacefamille_http_requests_total{code="200",group="famille"}`, ""},
		{`espacefamille_http_requests_total{code="404",group="unmatched"}`, "1"},
		{`espacefamille_http_requests_total{code="200",group="health"}`, "1"},
		{`espacefamille_communes{status="active"}`, "1"},
		{`espacefamille_communes_broken`, "0"},
		{`espacefamille_commune_migrations_total{outcome="ok",version="9"}`, "1"},
		{`espacefamille_mail_messages_total{outcome="failed"}`, "1"},
		{`espacefamille_payments_total{outcome="paid"}`, "1"},
		{`espacefamille_backup_communes_missing`, "0"},
		{`espacefamille_backup_failing`, "0"},
		{`espacefamille_commune_cache_hits_total`, ""},
		{`espacefamille_db_write_wait_seconds_count`, "1"},
		{`espacefamille_metrics_scrape_errors`, "0"},
		{`espacefamille_backup_communes_older_than{hours="26"}`, "0"},
		{`espacefamille_communes_migration_failed`, "0"},
		{`espacefamille_communes{status="archived"}`, "0"},
	} {
		got := sample(t, body, want.prefix)
		if want.value != "" && got != want.value {
			t.Errorf("%s = %s, want %s", want.prefix, got, want.value)
		}
	}

	// A backup known current 30 hours ago is late for the alert, not for
	// two days.
	env.Exec("", `UPDATE backups SET covered_at = ? WHERE target = ?`, time.Now().Add(-30*time.Hour).UTC().Format(time.RFC3339), demo.Slug)
	body = scrape(t, m)
	for prefix, want := range map[string]string{`espacefamille_backup_communes_older_than{hours="26"}`: "1",
		`espacefamille_backup_communes_older_than{hours="48"}`: "0"} {
		if got := sample(t, body, prefix); got != want {
			t.Errorf("%s = %s, want %s", prefix, got, want)
		}
	}
}
