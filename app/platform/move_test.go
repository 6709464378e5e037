package platform_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

var expiryRE = regexp.MustCompile(`bail valable jusqu'au \d\d/\d\d/\d{4} \d\d:\d\d:\d\d`)

// On a single node the commune's page says so and offers no move; a
// forged move is refused in French.
func TestConsoleOnASingleNodeShowsNoMoveForm(t *testing.T) {
	env := apptest.New(t)
	ep := enrol(t, env)
	page := "/plateforme/communes/" + demo.Slug
	r := ep.c.Get(page)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "<h2>Nœud</h2>") ||
		!strings.Contains(r.Body, "la commune est servie par cet unique nœud") {
		t.Fatalf("single node page: %d\n%s", r.Status, r.Body)
	}
	if strings.Contains(r.Body, "/deplacer") || strings.Contains(r.Body, "Déplacer vers un autre nœud") {
		t.Fatalf("single node page offers a move:\n%s", r.Body)
	}
	r = ep.c.Post(page+"/deplacer", url.Values{"to": {"b"}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Ce serveur fonctionne seul") {
		t.Fatalf("move on a single node: %d\n%s", r.Status, r.Body)
	}
	if n := env.Int("", `SELECT count(*) FROM platform_audit WHERE action = 'commune_move'`); n != 0 {
		t.Fatalf("%d move(s) audited on a single node", n)
	}
}

// Node a renders the console; node b shares its platform store and
// replica; node
// "mort" stopped long ago. The page shows a serving the commune and
// offers b only; a move to the dead node or to an unknown one is refused
// in French; a move to b is recorded on the commune's lease and in the
// audit log, and the page says it was asked for.
// The nodes share a PostgreSQL platform store, or a platform.db file.
func TestConsoleMovesACommuneToAnotherLiveNode(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testConsoleMovesACommuneToAnotherLiveNode(t, "") })
	t.Run("postgres", func(t *testing.T) { testConsoleMovesACommuneToAnotherLiveNode(t, pgtest.DSN(t)) })
}

func testConsoleMovesACommuneToAnotherLiveNode(t *testing.T, dsn string) {
	ctx := context.Background()
	replica := "file://" + filepath.Join(t.TempDir(), "replica")
	store := apptest.OnSQLite() // node b opens platform.db's path
	if dsn != "" {
		store = apptest.OnPostgres(dsn)
	}
	env := apptest.New(t, store, apptest.WithReplica(newReplicator(t, replica)),
		apptest.AsNode(tenants.NodeOptions{ID: "a", URL: "http://a.invalid", TTL: 2 * time.Second}))
	path := ""
	if dsn == "" {
		path = env.Registry.Platform().Path()
	}
	b, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: apptest.Quiet(), PlatformPath: path, PlatformDSN: dsn,
		Replica: newReplicator(t, replica), Node: &tenants.NodeOptions{ID: "b", URL: "http://b.invalid", TTL: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	long := tenants.FormatTime(time.Now().Add(-time.Hour))
	env.Exec("", `INSERT INTO nodes (id, url, started_at, seen_at) VALUES ('mort', 'http://mort.invalid', ?, ?)`, long, long)

	ep := enrol(t, env)
	page := "/plateforme/communes/" + demo.Slug
	r := ep.c.Get(page)
	l, err := env.Registry.LeaseOf(ctx, demo.Slug)
	if err != nil || !l.Live || l.Node != "a" {
		t.Fatalf("lease after a served the page: %+v %v", l, err)
	}
	want := []string{"La commune est servie par le nœud <strong>a</strong> (ce nœud)", `<label for="move-to">Déplacer vers un autre nœud</label>`, `<option value="b"`, `<button type="submit">Déplacer</button>`}
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Fatalf("page lacks %q:\n%s", w, r.Body)
		}
	}
	if !expiryRE.MatchString(r.Body) {
		t.Fatalf("no lease expiry as JJ/MM/AAAA HH:MM:SS:\n%s", r.Body)
	}
	if strings.Contains(r.Body, `<option value="a"`) || strings.Contains(r.Body, `<option value="mort"`) {
		t.Fatalf("the serving node or a dead one offered as a target:\n%s", r.Body)
	}

	for _, to := range []string{"mort", "inconnu"} {
		r := ep.c.Post(page+"/deplacer", url.Values{"to": {to}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Le nœud « "+to+" » est inconnu ou ne donne plus signe de vie") {
			t.Fatalf("move to %s: %d\n%s", to, r.Status, r.Body)
		}
	}
	if r := ep.c.Post(page+"/deplacer", url.Values{"to": {"a"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "déjà servie par le nœud « a »") {
		t.Fatalf("move to the serving node: %d\n%s", r.Status, r.Body)
	}
	if r := ep.c.Post("/plateforme/communes/inconnue/deplacer", url.Values{"to": {"b"}}); r.Status != http.StatusNotFound {
		t.Fatalf("move of an unknown commune: %d", r.Status)
	}
	if r := ep.c.Post(page+"/deplacer", url.Values{"to": {"b"}, "_csrf": {"forged"}}); r.Status != http.StatusForbidden {
		t.Fatalf("move with a forged CSRF token: %d, want 403", r.Status)
	}
	staff := env.DemoAdmin(t)
	if r := staff.Post(page+"/deplacer", url.Values{"to": {"b"}}); r.Status != http.StatusForbidden && r.Location != "/plateforme/connexion" {
		t.Fatalf("a commune's staff asking for a move: %d → %q, want refused", r.Status, r.Location)
	}
	if n := env.Int("", `SELECT count(*) FROM platform_audit WHERE action = 'commune_move'`); n != 0 {
		t.Fatalf("%d refused move(s) audited", n)
	}
	if l, err := env.Registry.LeaseOf(ctx, demo.Slug); err != nil || l.MoveTo != "" || l.Node != "a" {
		t.Fatalf("lease after refused moves: %+v %v", l, err)
	}

	r = ep.c.Post(page+"/deplacer", url.Values{"to": {"b"}})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("move to b: %d → %q\n%s", r.Status, r.Location, r.Body)
	}
	// a hands over at its next look at its leases: the request is either
	// still on the lease (move_to) or already done.
	if l, err := env.Registry.LeaseOf(ctx, demo.Slug); err != nil || (l.MoveTo != "b" && l.Node != "b") {
		t.Fatalf("lease after the move request: %+v %v", l, err)
	}
	if d := env.Text("", `SELECT detail FROM platform_audit WHERE action = 'commune_move' AND commune = ?`, demo.Slug); d != "a → b" {
		t.Fatalf("audit of the move: %q", d)
	}
	if r := ep.c.Get(page); r.Status != http.StatusOK || !strings.Contains(r.Body, "Déplacement demandé vers le nœud b") {
		t.Fatalf("page after the move: %d\n%s", r.Status, r.Body)
	}
	// a hands over, b restores from the replica and serves; a's console
	// then shows b serving and offers a back.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if l, err := b.LeaseOf(ctx, demo.Slug); err == nil && l.Node == "b" && l.Serving {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("b never served the commune: %+v %v", l, err)
		}
	}
	r = ep.c.Get(page)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "servie par le nœud <strong>b</strong>, époque 2") ||
		!strings.Contains(r.Body, `<option value="a"`) || strings.Contains(r.Body, `<option value="b"`) {
		t.Fatalf("a's console after the move: %d\n%s", r.Status, r.Body)
	}
}

// newReplicator replicates to raw until the end of the test (registered
// before the registry using it, so closed after it).
func newReplicator(t *testing.T, raw string) *tenants.Replicator {
	t.Helper()
	rep, err := tenants.NewReplicator(context.Background(), raw, tenants.ReplicaOptions{Logger: apptest.Quiet(), SyncInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close(context.Background()) })
	return rep
}
