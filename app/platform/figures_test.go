package platform_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// bookTwice writes two reservations in one transaction: one validated now
// (counted in the last seven days), one validated eight days ago (not).
func bookTwice(t *testing.T, env *apptest.Env, slug string) {
	t.Helper()
	const q = `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
		SELECT c.family_id, c.id, p.id, p.regie_id, ?, 'validated', 0, ?, ? FROM children c, prestations p ORDER BY c.id, p.id LIMIT 1`
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }
	env.Tx(slug, func(tx *sql.Tx) error {
		if _, err := tx.Exec(q, "2099-01-05", stamp(time.Now()), stamp(time.Now())); err != nil {
			return err
		}
		old := time.Now().Add(-8 * 24 * time.Hour)
		_, err := tx.Exec(q, "2099-01-06", stamp(old), stamp(old))
		return err
	})
}

func fleetEntry(t *testing.T, env *apptest.Env, slug string) tenants.FleetEntry {
	t.Helper()
	f, err := env.Registry.FleetCommune(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The list's figures come from the registry, kept as the commune writes:
// the first write after the commune opens refreshes its seven-day
// bookings and last activity (then at most hourly, and when it closes);
// linked accounts are counted live; the backup button records the last
// backup. The CSV has the same figures, sorted and searched alike.
func TestCommuneListFiguresKeptInTheRegistry(t *testing.T) {
	dir := t.TempDir()
	env := apptest.New(t, withBackups(dir), apptest.WithCommune(mazan, nil))
	ctx := context.Background()
	env.Registry.Cache().Evict(demo.Slug) // figures recorded at close
	before := fleetEntry(t, env, demo.Slug)
	start := time.Now().Add(-time.Second)

	bookTwice(t, env, demo.Slug) // the handle reopens: its first write refreshes the figures
	after := fleetEntry(t, env, demo.Slug)
	if after.Bookings7d != before.Bookings7d+1 {
		t.Fatalf("bookings in 7 days: %d → %d, want one more (the one of 8 days ago does not count)", before.Bookings7d, after.Bookings7d)
	}
	if after.LastActivity.Before(start.Truncate(time.Second)) {
		t.Fatalf("last activity %v, want after %v", after.LastActivity, start)
	}
	malemort, _ := env.Registry.Commune(ctx, demo.Slug)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	for _, email := range []string{"a@example.org", "b@example.org"} {
		id := env.Exec("", `INSERT INTO accounts (email, password_hash, last_name, first_name, password_changed_at, created_at)
			VALUES (?, 'x', 'F', 'P', ?, ?) RETURNING id`, email, now, now)
		env.Exec("", `INSERT INTO memberships (account_id, commune_id, created_at) VALUES (?, ?, ?)`, id, malemort.ID, now)
	}
	if got := fleetEntry(t, env, demo.Slug).LinkedAccounts; got != 2 {
		t.Fatalf("linked accounts: %d, want 2", got)
	}

	ep := enrol(t, env)
	list := ep.c.Get("/plateforme/")
	for _, want := range []string{"Comptes liés", "Réservations (7 jours)", "Dernière activité", "Dernière sauvegarde", "jamais",
		"Toutes les communes sont à jour"} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	page := "/plateforme/communes/" + demo.Slug
	ep.c.Get(page)
	r := ep.c.Post(page+"/sauvegarde", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("Sauvegarder maintenant: %d\n%s", r.Status, r.Body)
	}
	if p := ep.c.Get(page); !strings.Contains(p.Body, "Sauvegarde terminée") || !strings.Contains(p.Body, "il y a 0 min") {
		t.Fatalf("commune page after the backup:\n%s", p.Body)
	}

	// CSV: sorted by bookings, descending; Malemort first with its figures.
	csvBody := ep.c.Get("/plateforme/communes.csv?tri=-bookings").Body
	rd := csv.NewReader(strings.NewReader(csvBody))
	rd.Comma = ';'
	recs, err := rd.ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("CSV: %d records, %v\n%s", len(recs), err, csvBody)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	row := recs[1]
	if row[col["Identifiant"]] != demo.Slug || row[col["Comptes liés"]] != "2" ||
		row[col["Réservations (7 jours)"]] != strconv.FormatInt(after.Bookings7d, 10) || row[col["Âge de la sauvegarde (h)"]] != "0" ||
		row[col["Dernière activité"]] == "" || row[col["Dernière sauvegarde"]] == "" {
		t.Fatalf("CSV row of Malemort: %v (header %v)", row, recs[0])
	}
	if recs[2][col["Identifiant"]] != "mazan" || recs[2][col["Âge de la sauvegarde (h)"]] != "" {
		t.Fatalf("CSV row of Mazan: %v", recs[2])
	}
	// Search narrows the page and the CSV alike.
	if p := ep.c.Get("/plateforme/?q=" + url.QueryEscape("famille.mazan")); !strings.Contains(p.Body, `href="/plateforme/communes/mazan"`) ||
		strings.Contains(p.Body, `href="/plateforme/communes/`+demo.Slug+`"`) {
		t.Fatalf("search by host name:\n%s", p.Body)
	}
	if c := ep.c.Get("/plateforme/communes.csv?q=mazan").Body; strings.Count(c, "\n") != 2 {
		t.Fatalf("searched CSV:\n%s", c)
	}
}

// A commune whose migration fails is listed in maintenance with the error,
// counted behind in the schema-version view, and answers "maintenance" to
// its users; once it migrates, the error is gone.
func TestFailedMigrationShownInTheConsole(t *testing.T) {
	env := apptest.New(t, apptest.WithCommune(mazan, nil))
	ctx := context.Background()
	latest, _ := tenants.CommuneSchema.Latest()
	env.Registry.Cache().Evict("mazan")
	// The file forgets its last migration: running it again fails (its
	// objects exist already), as a broken upgrade would.
	db, err := sql.Open("sqlite", "file:"+env.Registry.CommunePath("mazan"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = ?`, latest); err != nil {
		t.Fatal(err)
	}
	db.Close()
	res := env.Registry.MigrateCommunes(ctx, []string{"mazan"}, nil)
	if res[0].Err == nil {
		t.Fatalf("the migration should fail: %+v", res[0])
	}
	ep := enrol(t, env)
	list := ep.c.Get("/plateforme/")
	for _, want := range []string{"maintenance", "En panne ou en maintenance", "en échec", "1 commune(s) en retard", "(en retard)"} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the list lacks %q:\n%s", want, list.Body)
		}
	}
	if p := ep.c.Get("/plateforme/communes/mazan"); !strings.Contains(p.Body, "Migration en échec") {
		t.Errorf("the commune page does not show the failed migration:\n%s", p.Body)
	}
	if r := env.Client(t).Get("/mazan/"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "maintenance") {
		t.Errorf("users of the commune: %d\n%s", r.Status, r.Body)
	}
	// Repaired by hand (the version row put back), it migrates and leaves
	// maintenance.
	db, _ = sql.Open("sqlite", "file:"+env.Registry.CommunePath("mazan"))
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, latest); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if res := env.Registry.MigrateCommunes(ctx, []string{"mazan"}, nil); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if f := fleetEntry(t, env, "mazan"); f.MigrateError != "" {
		t.Fatalf("error kept after a good migration: %q", f.MigrateError)
	}
}

// The commune's page says where the first administrator's invitation is:
// queued, failed with the server's error, and queued again once re-sent.
func TestInvitationDeliveryStatusAndResend(t *testing.T) {
	env := apptest.New(t)
	c := enrol(t, env).c
	c.Get("/plateforme/communes/nouvelle")
	if r := c.Post("/plateforme/communes/nouvelle", url.Values{"name": {"Commune de Mazan"}, "slug": {"mazan"}, "zone": {"B"},
		"admin_email": {"mairie@mazan.example"}, "start": {"defaults"}, "meal_price": {"3,10"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("onboard: %d\n%s", r.Status, r.Body)
	}
	page := "/plateforme/communes/mazan"
	if p := c.Get(page); !strings.Contains(p.Body, "Invitation de l'administrateur") || !strings.Contains(p.Body, "en file d&#39;attente") {
		t.Fatalf("queued invitation not shown:\n%s", p.Body)
	}
	env.Exec("mazan", `UPDATE outbox SET status = 'failed', attempts = 8, last_error = '550 5.1.1 mailbox unavailable' WHERE kind = 'staff_invitation'`)
	p := c.Get(page)
	if !strings.Contains(p.Body, "échec de l&#39;envoi") || !strings.Contains(p.Body, "550 5.1.1 mailbox unavailable") {
		t.Fatalf("failed invitation not shown with its error:\n%s", p.Body)
	}
	if r := c.Post(page+"/invitation", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("re-send: %d\n%s", r.Status, r.Body)
	}
	if p := c.Get(page); !strings.Contains(p.Body, "en file d&#39;attente") || strings.Contains(p.Body, "550 5.1.1") {
		t.Fatalf("re-sent invitation not shown as queued:\n%s", p.Body)
	}
}
