package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/auth"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// The test binary is also the rehearsal's node: started with
// ESPACEFAMILLE_REHEARSAL_NODE=1 it runs the command line it is given
// (serve …), as the real binary would.
func TestMain(m *testing.M) {
	if os.Getenv("ESPACEFAMILLE_REHEARSAL_NODE") == "1" {
		dumpOnSignal(os.Getenv("ESPACEFAMILLE_REHEARSAL_DUMP"))
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// dumpOnSignal writes every goroutine's stack to path at each SIGUSR1:
// what a node that stopped answering waits for.
func dumpOnSignal(path string) {
	if path == "" {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		for range ch {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("goroutine").WriteTo(f, 2)
				f.Close()
			}
		}
	}()
}

// dumpNodes has every live node write its goroutines next to its log,
// kept with the logs (ESPACEFAMILLE_REHEARSAL_KEEP) when the test fails.
func (r *rehearsal) dumpNodes() {
	for _, n := range r.nodes {
		if n.cmd.ProcessState == nil {
			_ = n.cmd.Process.Signal(syscall.SIGUSR1)
		}
	}
	time.Sleep(2 * time.Second)
}

const (
	rehearsalCommunes = 20
	rehearsalFamilies = 2 // per commune, each booking and paying one day per journey
	rehearsalTTL      = tenants.DefaultLeaseTTL
)

// rehearsal is the rehearsal, with what it runs on.
type rehearsal struct {
	t        *testing.T
	dir      string
	env      []string // the nodes' and commands' shared configuration
	getenv   func(string) string
	lb       string // the load balancer's base URL
	nodes    map[string]*rehearsalNode
	slugs    []string
	families map[string][]rehearsalFamily // by slug
	regie    int64
	meal     int64
	days     []calendar.Date // open meal days, booked in turn
}

type rehearsalNode struct {
	id, addr string
	cmd      *exec.Cmd
	log      string
}

type rehearsalFamily struct {
	token string
	child int64
}

// confirmed is an order the client saw paid (its receipt), and when.
type confirmed struct {
	slug, ref string
	at        time.Time
	// sent is when the payment was sent: one sent before the kill may
	// have been committed by the dead node, its answer still on the way.
	sent time.Time
}

// Three nodes as processes on three ports sharing a PostgreSQL platform
// store, a file replica, and HAProxy from Debian in front. Parents book and pay in 20 communes
// through HAProxy; one commune is moved; one node is killed with
// SIGKILL. Then: every order paid before the move is there after it,
// every order paid more than 2 s before the kill is there, the dead
// node's communes answer again, no epoch of any commune was written by
// two nodes (the epochs each file records are the grants of the
// platform store), and paid orders add up to their invoices.
func TestRehearsalThreeNodesBehindHAProxyAMoveAndAKill(t *testing.T) {
	if os.Getenv("ESPACEFAMILLE_REHEARSAL") == "" {
		// A minute of three nodes under load: scripts/test runs it on its
		// own, after the packages' tests (scripts/test-rehearsal alone).
		t.Skip("the scale-out rehearsal runs with ESPACEFAMILLE_REHEARSAL=1 (scripts/test, scripts/test-rehearsal)")
	}
	if os.Getenv("CI") != "" && !pgtest.Available() {
		t.Fatal(pgtest.EnvDSN + " is not set: scripts/test starts PostgreSQL for the rehearsal")
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("haproxy is not installed (scripts/install-test-deps installs it)")
		}
		t.Skip("haproxy is not installed (apt-get install haproxy; scripts/install-test-deps does it as root)")
	}
	r := &rehearsal{t: t, dir: t.TempDir(), nodes: map[string]*rehearsalNode{}, families: map[string][]rehearsalFamily{}}
	// The platform store the nodes share: a fresh schema of the test
	// PostgreSQL server (scripts/test and scripts/test-rehearsal start one).
	platformDSN := pgtest.DSN(t)
	replica := "file://" + filepath.Join(r.dir, "replica")
	vars := map[string]string{"ESPACEFAMILLE_PLATFORM_DSN": platformDSN, "ESPACEFAMILLE_REPLICA_URL": replica,
		"ESPACEFAMILLE_LEASE_TTL": rehearsalTTL.String()}
	for k, v := range vars {
		r.env = append(r.env, k+"="+v)
	}
	r.getenv = func(k string) string { return vars[k] }
	r.seed(platformDSN, replica)

	lbPort := freePort(t)
	r.lb = "http://127.0.0.1:" + strconv.Itoa(lbPort)
	for _, id := range []string{"n1", "n2", "n3"} {
		r.startNode(id)
	}
	r.startHAProxy(haproxy, lbPort)
	t.Cleanup(func() {
		if t.Failed() {
			r.dumpNodes() // before the nodes' cleanups stop them
		}
	})

	// The load: each family books and pays one day after another.
	ctx, stopLoad := context.WithCancel(context.Background())
	var mu sync.Mutex
	var paid []confirmed
	failed := 0
	reasons := map[string]int{}
	t.Cleanup(func() {
		mu.Lock()
		t.Logf("journeys failed, by reason: %v", reasons)
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for _, slug := range r.slugs {
		for f, fam := range r.families[slug] {
			wg.Go(func() {
				for k := f; ctx.Err() == nil && k < len(r.days); k += rehearsalFamilies {
					ref, sent, err := r.payJourney(ctx, slug, fam, r.days[k])
					at := time.Now()
					mu.Lock()
					if err != nil {
						failed++
						reasons[rehearsalReason(err)]++
					} else {
						paid = append(paid, confirmed{slug: slug, ref: ref, at: at, sent: sent})
					}
					mu.Unlock()
					// A parent's pace: the days to book last the whole run.
					select {
					case <-ctx.Done():
					case <-time.After(time.Second):
					}
				}
			})
		}
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(paid) }
	waitUntil(t, "the first 40 payments", 60*time.Second, func() bool { return count() >= 40 })

	// One commune moves.
	moved := r.slugs[0]
	before := r.lease(moved)
	target := ""
	for _, id := range []string{"n1", "n2", "n3"} {
		if id != before.Node && target == "" {
			target = id
		}
	}
	moveStart := time.Now()
	var out, errs syncBuffer
	if code := run(context.Background(), []string{"commune", "move", moved, "--to", target, "--data", t.TempDir()}, &out, &errs, r.getenv); code != 0 {
		t.Fatalf("commune move: %d\n%s%s", code, out.String(), errs.String())
	}
	t.Logf("move of %s from %s to %s: %s (%s)", moved, before.Node, target, time.Since(moveStart).Round(time.Millisecond), strings.TrimSpace(out.String()))
	afterMove := count()
	waitUntil(t, "20 payments after the move", 60*time.Second, func() bool { return count() >= afterMove+20 })

	// One node dies: the one holding the most communes, the move's target aside.
	victim, owned := r.busiestNode(target)
	killed := time.Now()
	if err := r.nodes[victim].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = r.nodes[victim].cmd.Wait()
	t.Logf("SIGKILL to %s, which held %d communes", victim, len(owned))
	var worst time.Duration
	for _, slug := range owned {
		// The bound: the dead node's communes answer again
		// within 30 s (its leases expire after the TTL, 15 s).
		deadline := killed.Add(30 * time.Second)
		for !r.answers(slug) {
			if time.Now().After(deadline) {
				resp, err := http.Get(r.lb + "/" + slug + "/connexion")
				status := fmt.Sprint(err)
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					status = resp.Status + " " + tail(string(b), 300)
				}
				t.Fatalf("%s does not answer 30 s after the kill: lease %+v, now %s", slug, r.lease(slug), status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		worst = max(worst, time.Since(killed))
	}
	t.Logf("the dead node's %d communes answered again %s after the kill (lease TTL %s)", len(owned), worst.Round(time.Millisecond), rehearsalTTL)
	afterKill := count()
	waitUntil(t, "20 payments after the kill", 60*time.Second, func() bool { return count() >= afterKill+20 })
	stopLoad()
	wg.Wait()
	t.Logf("%d orders paid through HAProxy, %d journeys failed (maintenance page, owner dead before its lease expired)", len(paid), failed)

	// The survivors stop (a final sync each); a fresh node reads every
	// commune back from the replica, as after a move.
	for id, n := range r.nodes {
		if id == victim {
			continue
		}
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		_ = n.cmd.Wait()
	}
	r.verify(paid, moved, moveStart, killed)
}

// seed creates the communes (the demo's catalogue, two families each with
// a parent account and a live session) and copies them to the replica.
func (r *rehearsal) seed(platformDSN, replica string) {
	t := r.t
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep, err := tenants.NewReplicator(ctx, replica, tenants.ReplicaOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close(ctx)
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: filepath.Join(r.dir, "seed"), MaxOpen: 4, Logger: quiet, Replica: rep, PlatformDSN: platformDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	now := time.Now()
	hash, err := auth.HashPassword(ctx, "une phrase de passe solide")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rehearsalCommunes {
		slug := fmt.Sprintf("repetition-%02d", i+1)
		r.slugs = append(r.slugs, slug)
		_, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slug, Name: "Commune de Répétition " + strconv.Itoa(i+1), Zone: "B"},
			func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error { return demo.Seed(ctx, tx, now) })
		if err != nil {
			t.Fatal(err)
		}
		err = reg.WithCommune(ctx, slug, func(db *tenants.DB) error { return r.seedFamilies(ctx, reg, db, slug, hash, now) })
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.ShipToReplica(ctx, rep, slug); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *rehearsal) seedFamilies(ctx context.Context, reg *tenants.Registry, db *tenants.DB, slug, hash string, now time.Time) error {
	if err := db.Reader().QueryRowContext(ctx, `SELECT p.regie_id, p.id FROM prestations p JOIN regies r ON r.id = p.regie_id
		WHERE p.name = 'REPAS CLASSIQUE ENFANT' AND r.mode = 'prepaid'`).Scan(&r.regie, &r.meal); err != nil {
		return fmt.Errorf("the demo's prepaid meal: %w", err)
	}
	if r.days == nil {
		cal, err := booking.LoadCalendar(ctx, db.Reader())
		if err != nil {
			return err
		}
		list, err := booking.Prestations(ctx, db.Reader(), r.regie)
		if err != nil {
			return err
		}
		for _, p := range list {
			if p.ID != r.meal {
				continue
			}
			start := calendar.Today(now).Monday().AddDays(14)
			for d := start; d.Before(start.AddDays(700)) && len(r.days) < 600; d = d.AddDays(1) {
				if wd := d.Weekday(); wd == time.Wednesday || d.IsWeekend() {
					continue
				}
				if open, _ := booking.DayOpen(p, d, cal); open {
					r.days = append(r.days, d)
				}
			}
		}
		if len(r.days) < 40 {
			return fmt.Errorf("only %d open meal days", len(r.days))
		}
	}
	created := now.Add(-time.Hour)
	for j := range rehearsalFamilies {
		email := fmt.Sprintf("parent.%s.%d@example.org", slug, j)
		var acc int64
		err := reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
			var err error
			acc, err = accounts.CreateConfirmedAccount(ctx, tx, accounts.Signup{Email: email, LastName: "FAMILLE R" + strconv.Itoa(j), FirstName: "Parent"}, hash, created)
			return err
		})
		if err != nil {
			return err
		}
		var fam rehearsalFamily
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			var school string
			if err := tx.QueryRowContext(ctx, `SELECT name FROM schools ORDER BY id LIMIT 1`).Scan(&school); err != nil {
				return err
			}
			id, err := families.Create(ctx, tx, families.Family{Name: "FAMILLE R" + strconv.Itoa(j), Email: email}, created)
			if err != nil {
				return err
			}
			ch, _, err := families.SaveChild(ctx, tx, families.Child{FamilyID: id, FirstName: "Enfant", LastName: "R" + strconv.Itoa(j),
				BirthDate: "2018-05-01", SchoolName: school}, created)
			if err != nil {
				return err
			}
			fam.child = ch.ID
			return families.LinkAccount(ctx, tx, id, acc, created)
		})
		if err != nil {
			return err
		}
		if fam.token, err = accounts.OpenSession(ctx, db, acc, now); err != nil {
			return err
		}
		r.families[slug] = append(r.families[slug], fam)
	}
	return nil
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (r *rehearsal) startNode(id string) {
	t := r.t
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	logPath := filepath.Join(r.dir, id+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--data", filepath.Join(r.dir, id), "--node-id", id,
		"--node-url", "http://"+addr, "--allow-simulator", "--trusted-proxies", "127.0.0.1", "--public-url", r.lb,
		"--log-level", "warn", "--cache-size", "64")
	cmd.Env = append(append(os.Environ(), r.env...), "ESPACEFAMILLE_REHEARSAL_NODE=1", "ESPACEFAMILLE_REHEARSAL_DUMP="+logPath+".goroutines")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &rehearsalNode{id: id, addr: addr, cmd: cmd, log: logPath}
	r.nodes[id] = n
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("node %s's log:\n%s", id, tail(string(b), 6000))
			if keep := os.Getenv("ESPACEFAMILLE_REHEARSAL_KEEP"); keep != "" {
				_ = os.WriteFile(filepath.Join(keep, id+".log"), b, 0o600)
				if g, err := os.ReadFile(logPath + ".goroutines"); err == nil {
					_ = os.WriteFile(filepath.Join(keep, id+".goroutines"), g, 0o600)
				}
			}
		}
	})
	waitUntil(t, "node "+id+" to listen", 60*time.Second, func() bool { return healthy("http://" + addr + "/healthz") })
}

func (r *rehearsal) startHAProxy(bin string, port int) {
	t := r.t
	cfg := fmt.Sprintf(`global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client  60s
    timeout server  130s
    timeout check   5s
    option forwardfor
    option http-server-close
frontend espacefamille
    bind 127.0.0.1:%d
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 2s fall 3 rise 1
`, port)
	for _, id := range []string{"n1", "n2", "n3"} {
		cfg += fmt.Sprintf("    server %s %s check\n", id, r.nodes[id].addr)
	}
	path := filepath.Join(r.dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	logf, _ := os.Create(filepath.Join(r.dir, "haproxy.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
	waitUntil(t, "HAProxy to answer", 30*time.Second, func() bool { return healthy(r.lb + "/healthz") })
}

func healthy(u string) bool {
	resp, err := http.Get(u)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (r *rehearsal) answers(slug string) bool {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(r.lb + "/" + slug + "/connexion")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func waitUntil(t *testing.T, what string, bound time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %s", what, bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// openRegistryAt opens the shared platform store the way a command does.
func (r *rehearsal) registry(node string) *tenants.Registry {
	t := r.t
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep, err := tenants.NewReplicator(context.Background(), r.getenv("ESPACEFAMILLE_REPLICA_URL"), tenants.ReplicaOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	opt := tenants.Options{DataDir: t.TempDir(), MaxOpen: 64, Logger: quiet, Replica: rep, PlatformDSN: r.getenv("ESPACEFAMILLE_PLATFORM_DSN")}
	if node != "" {
		opt.Node = &tenants.NodeOptions{ID: node, URL: "http://" + node + ".invalid", TTL: rehearsalTTL}
	}
	reg, err := tenants.Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close(); rep.Close(context.Background()) })
	return reg
}

func (r *rehearsal) lease(slug string) tenants.CommuneLease {
	reg := r.registry("")
	l, err := reg.LeaseOf(context.Background(), slug)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

// busiestNode is the live node other than spare holding most communes,
// with the communes it holds.
func (r *rehearsal) busiestNode(spare string) (string, []string) {
	reg := r.registry("")
	held := map[string][]string{}
	for _, slug := range r.slugs {
		l, err := reg.LeaseOf(context.Background(), slug)
		if err != nil {
			r.t.Fatal(err)
		}
		if l.Live && l.Node != spare {
			held[l.Node] = append(held[l.Node], slug)
		}
	}
	best := ""
	for id, list := range held {
		if best == "" || len(list) > len(held[best]) {
			best = id
		}
	}
	if best == "" {
		r.t.Fatal("no node other than the move's target holds a commune")
	}
	return best, held[best]
}

var (
	rehearsalCSRF  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	rehearsalAdded = regexp.MustCompile(`(\d+) demandes? ajoutées?`)
	rehearsalIdop  = regexp.MustCompile(`/paiement/simulateur/([A-Za-z0-9_-]+)`)
)

// payJourney books day for the family through the load balancer and pays
// it with the simulator's test card; it returns the order paid, once the
// client was sent to its receipt.
func (r *rehearsal) payJourney(ctx context.Context, slug string, fam rehearsalFamily, day calendar.Date) (ref string, sent time.Time, err error) {
	base := r.lb + "/" + slug
	root, _ := url.Parse(r.lb)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(root, []*http.Cookie{{Name: accounts.SessionCookie, Value: fam.token, Path: "/" + slug + "/"}})
	client := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	location := ""
	do := func(method, target string, form url.Values) (string, error) {
		if strings.HasPrefix(target, "/") {
			target = r.lb + target
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, target, body)
		if err != nil {
			return "", err
		}
		req.Header.Set("Accept", "text/html")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode >= 400 {
			return "", fmt.Errorf("%s %s: %d %s %s", method, target, resp.StatusCode, http.StatusText(resp.StatusCode), tail(string(b), 200))
		}
		location = resp.Header.Get("Location")
		return string(b), nil
	}
	regie, child := strconv.FormatInt(r.regie, 10), strconv.FormatInt(fam.child, 10)
	page, err := do("GET", base+"/famille/reservations?regie="+regie+"&enfant="+child+"&semaine="+day.Monday().String(), nil)
	if err != nil {
		return "", sent, err
	}
	m := rehearsalCSRF.FindStringSubmatch(page)
	if m == nil {
		return "", sent, errors.New("agenda: no form token")
	}
	token := html.UnescapeString(m[1])
	wd := strconv.Itoa((int(day.Weekday())+6)%7 + 1)
	page, err = do("POST", base+"/famille/reservations/periode", url.Values{"_csrf": {token}, "regie": {regie}, "enfant": {child},
		"du": {day.FR()}, "au": {day.FR()}, "jours_" + strconv.FormatInt(r.meal, 10): {wd}, "enfants": {child}})
	if err != nil {
		return "", sent, err
	}
	if a := rehearsalAdded.FindStringSubmatch(page); a == nil || a[1] == "0" {
		return "", sent, fmt.Errorf("period %s: nothing added", day)
	}
	if _, err := do("POST", base+"/famille/paiement", url.Values{"_csrf": {token}, "regie": {regie}, "enfant": {child}}); err != nil {
		return "", sent, err
	}
	if rehearsalIdop.FindStringSubmatch(location) == nil {
		return "", sent, fmt.Errorf("valider: sent to %q", location)
	}
	payURL := location
	if page, err = do("GET", payURL, nil); err != nil {
		return "", sent, err
	}
	form := url.Values{"numero": {"4242 4242 4242 4242"}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}
	if m := rehearsalCSRF.FindStringSubmatch(page); m != nil {
		form.Set("_csrf", html.UnescapeString(m[1]))
	}
	sent = time.Now()
	if _, err := do("POST", payURL, form); err != nil {
		return "", sent, err
	}
	if _, err := do("GET", location, nil); err != nil {
		return "", sent, err
	}
	if !strings.Contains(location, "/famille/paiement/") || strings.Contains(location, "retour") {
		return "", sent, fmt.Errorf("return: sent to %q, not a receipt", location)
	}
	return location[strings.LastIndex(location, "/")+1:], sent, nil
}

// verify reads every commune back through a fresh node (which restores
// each from the replica) and runs the rehearsal's checks.
func (r *rehearsal) verify(paid []confirmed, moved string, moveStart, killed time.Time) {
	t := r.t
	ctx := context.Background()
	reg := r.registry("verif")
	bySlug := map[string][]confirmed{}
	for _, p := range paid {
		bySlug[p.slug] = append(bySlug[p.slug], p)
	}
	lostBeforeMove, lostBeforeKill, lostNearKill := 0, 0, 0
	var oldestLost time.Duration
	for _, slug := range r.slugs {
		err := reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
			q := db.Reader()
			for _, p := range bySlug[slug] {
				var status string
				err := q.QueryRowContext(ctx, `SELECT status FROM orders WHERE ref = ?`, p.ref).Scan(&status)
				present := err == nil && status == "paid"
				switch {
				case present:
				case slug == moved && p.at.Before(moveStart):
					lostBeforeMove++
					t.Errorf("%s: order %s paid before the move is missing after it (%v %q)", slug, p.ref, err, status)
				case p.at.Before(killed.Add(-2 * time.Second)):
					lostBeforeKill++
					t.Errorf("%s: order %s paid %s before the kill is missing", slug, p.ref, killed.Sub(p.at).Round(time.Millisecond))
				case p.sent.Before(killed):
					// Confirmed within 2 s before the kill, or committed by
					// the dead node with its answer on the way at the kill:
					// within the last sync interval(s) of the dead node, the
					// writes a SIGKILL may cost (RPO), reported.
					lostNearKill++
					oldestLost = max(oldestLost, killed.Sub(p.at))
				default:
					t.Errorf("%s: order %s paid %s after the kill (sent after it) is missing", slug, p.ref, p.at.Sub(killed).Round(time.Millisecond))
				}
			}
			var ordersSum, invoicesSum, uninvoiced int64
			if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(total_cents), 0) FROM orders WHERE status = 'paid' AND kind = 'cart'`).Scan(&ordersSum); err != nil {
				return err
			}
			if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(i.total_cents), 0) FROM invoices i JOIN orders o ON o.id = i.order_id
				WHERE o.status = 'paid' AND o.kind = 'cart'`).Scan(&invoicesSum); err != nil {
				return err
			}
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders o WHERE o.status = 'paid' AND o.kind = 'cart'
				AND (SELECT COUNT(*) FROM invoices i WHERE i.order_id = o.id) <> 1`).Scan(&uninvoiced); err != nil {
				return err
			}
			if ordersSum != invoicesSum || uninvoiced != 0 {
				t.Errorf("%s: paid orders %d cents, their invoices %d cents, %d paid orders without exactly one invoice", slug, ordersSum, invoicesSum, uninvoiced)
			}
			// Every epoch the file was written under is a grant of the
			// platform store to that same node: never two writers.
			rows, err := q.QueryContext(ctx, `SELECT epoch, node FROM node_epochs ORDER BY epoch`)
			if err != nil {
				return err
			}
			defer rows.Close()
			var epochs []string
			for rows.Next() {
				var e int64
				var node, granted string
				if err := rows.Scan(&e, &node); err != nil {
					return err
				}
				if err := reg.Platform().Reader().QueryRowContext(ctx, `SELECT node FROM lease_grants WHERE name = ? AND epoch = ?`,
					"commune:"+slug, e).Scan(&granted); err != nil || granted != node {
					t.Errorf("%s: epoch %d written by %s, granted to %q (%v)", slug, e, node, granted, err)
				}
				epochs = append(epochs, fmt.Sprintf("%d:%s", e, node))
			}
			if slug == moved {
				t.Logf("epochs of the moved commune %s: %s", slug, strings.Join(epochs, " "))
			}
			return rows.Err()
		})
		if err != nil {
			t.Errorf("%s: %v", slug, err)
		}
	}
	t.Logf("orders missing: %d paid before the move (moved commune), %d paid more than 2 s before the kill, %d paid in the 2 s before it (the oldest %s before: the RPO measured)",
		lostBeforeMove, lostBeforeKill, lostNearKill, oldestLost.Round(time.Millisecond))
}

// rehearsalReason sums a failed journey up: its step and status.
func rehearsalReason(err error) string {
	s := err.Error()
	if i := strings.IndexAny(s, "?<"); i > 0 {
		s = s[:i]
	}
	s = regexp.MustCompile(`[0-9]+`).ReplaceAllString(s, "N")
	return tail(s, 120)
}
