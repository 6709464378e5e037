// Command load is the booking load tool: on loopback, N families of one
// commune open the Vue Agenda, book a period and validate it, either all
// at the same instant (the default burst) or arriving at random over the
// last minutes before the deadline (-arrival); it reports throughput and
// p50/p95/p99 per request type and overall, and the CPU spent per
// journey, then checks in the database that nothing was lost or doubled
// and that capacity held.
//
//	go run ./bench/load -families 1000 -capacity 600 -timeout 120s
//	go run ./bench/load -families 1000 -capacity 600 -arrival 60s
//
// It builds its own commune (the demo seed) in a temporary directory and
// serves the booking pages on 127.0.0.1 with a loopback-only stand-in for
// the log-in (header X-Load-Family), so that it measures booking, not
// password hashing. The cantine is switched to post-paid so that "Valider"
// confirms at once (payments are billing's, measured on their own).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	families int
	capacity int
	timeout  time.Duration
	weeks    int
	arrival  time.Duration // 0: every family at the same instant
	seed     uint64
}

func run() error {
	var cfg config
	flag.IntVar(&cfg.families, "families", 1000, "number of families booking at the same moment (1–5000)")
	flag.IntVar(&cfg.capacity, "capacity", 600, "places per day of the meal everyone books")
	flag.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "the whole run stops after this")
	flag.IntVar(&cfg.weeks, "weeks", 0, "weeks of meals each family books (1–8; default 4 for -journey pay, 2 for book)")
	flag.DurationVar(&cfg.arrival, "arrival", 0, "spread the families' arrivals at random (a Poisson process) over this window, e.g. 60s (0: all at the same instant; at most 10m)")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the random arrivals")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the journeys to this file (pay: of the server process, labelled by step; book: server and clients, one process)")
	journeyKind := flag.String("journey", "pay", "pay: the prépaiement journey through the whole application in a server process of its own (nine requests, real sessions, the simulator); book: the post-paid booking journey in one process (four requests); agenda: the agenda page alone, real sessions, server on one core")
	clients := flag.Int("clients", 16, "agenda: requests kept in flight")
	duration := flag.Duration("duration", 10*time.Second, "agenda: how long to request the page")
	child := flag.String("server-child", "", "internal: run as the pay journey's server process over this data directory")
	flag.Parse()
	if cfg.weeks == 0 {
		cfg.weeks = 2
		if *journeyKind == "pay" {
			cfg.weeks = 4
		}
	}
	if cfg.families < 1 || cfg.families > 5000 || cfg.capacity < 1 || cfg.weeks < 1 || cfg.weeks > 8 ||
		cfg.arrival < 0 || cfg.arrival > 10*time.Minute {
		return errors.New("bad arguments (see -help)")
	}
	if *child != "" {
		return runServerChild(cfg, *child, *cpuprofile)
	}
	if *journeyKind == "pay" {
		return runPay(cfg, *cpuprofile)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	switch *journeyKind {
	case "agenda":
		return runAgenda(ctx, cfg, *clients, *duration, *cpuprofile)
	case "book":
	default:
		return errors.New("-journey: pay or book")
	}

	dir, err := os.MkdirTemp("", "espacefamille-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	now := time.Now()
	reg, db, closeDemo, err := openDemo(ctx, dir, now)
	if err != nil {
		return err
	}
	defer closeDemo()
	fams, ids, err := setup(ctx, db, cfg)
	if err != nil {
		return err
	}
	base, stop, err := serve(ctx, reg)
	if err != nil {
		return err
	}
	defer stop()

	from, to := bookingWindow(now, cfg.weeks)
	arrival := "all at the same instant"
	if cfg.arrival > 0 {
		arrival = "arriving at random over " + cfg.arrival.String()
	}
	fmt.Printf("%d families (%s) book REPAS CLASSIQUE ENFANT from %s to %s (capacity %d per day), on %s\n",
		cfg.families, arrival, from.FR(), to.FR(), cfg.capacity, base)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	stats := newStats()
	var wg sync.WaitGroup
	added := make([]int, len(fams))
	offsets := arrivals(cfg)
	cpu0 := processCPU()
	start := time.Now()
	for i, fam := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(time.Until(start.Add(offsets[i]))):
			case <-ctx.Done():
				stats.fail(ctx.Err())
				return
			}
			n, err := journey(ctx, base, fam, ids, from, to, stats)
			if err != nil {
				stats.fail(err)
			}
			added[i] = n
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	stats.report(elapsed, cpu, cfg.families)
	return verify(ctx, db, cfg, ids, added, stats)
}

// arrivals returns when each family starts, from the start of the run:
// all at 0 (the burst), or uniform random instants over the window, that
// is a Poisson process of rate families/window given its count.
func arrivals(cfg config) []time.Duration {
	out := make([]time.Duration, cfg.families)
	if cfg.arrival <= 0 {
		return out
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 0x5eed))
	for i := range out {
		out[i] = time.Duration(rng.Int64N(int64(cfg.arrival)))
	}
	return out
}

// ids are the commune's identifiers the journeys need.
type ids struct{ regie, meal int64 }

// setup adds the families (one child each), switches the cantine to
// post-paid and sets the capacity of the booked meal.
func setup(ctx context.Context, db *tenants.DB, cfg config) ([]int64, ids, error) {
	var out []int64
	var id ids
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT regie_id, id FROM prestations WHERE name = 'REPAS CLASSIQUE ENFANT'`).Scan(&id.regie, &id.meal); err != nil {
			return err
		}
		regie, err := booking.LoadRegie(ctx, tx, id.regie)
		if err != nil {
			return err
		}
		regie.Mode = booking.ModePostpaid
		if _, err := booking.SaveRegie(ctx, tx, regie, time.Now()); err != nil {
			return err
		}
		if err := setCapacity(ctx, tx, id.meal, cfg.capacity); err != nil {
			return err
		}
		for i := range cfg.families {
			fam, _, err := seedFamily(ctx, tx, fmt.Sprintf("FAMILLE L%04d", i), "", time.Now())
			if err != nil {
				return err
			}
			out = append(out, fam)
		}
		return nil
	})
	return out, id, err
}

// setCapacity sets the capacity of the booked meal.
func setCapacity(ctx context.Context, tx *sql.Tx, meal int64, capacity int) error {
	p, err := booking.LoadPrestation(ctx, tx, meal)
	if err != nil {
		return err
	}
	in := p.Input()
	in.Capacity = capacity
	return booking.UpdatePrestation(ctx, tx, meal, in)
}

// serve runs the booking pages on loopback with the stand-in log-in.
func serve(ctx context.Context, reg *tenants.Registry) (string, func(), error) {
	s, err := web.New(ctx, web.Config{Registry: reg, Logger: quiet})
	if err != nil {
		return "", nil, err
	}
	s.Commune().Use(func(c *fiber.Ctx) error {
		if id, err := strconv.ParseInt(c.Get("X-Load-Family"), 10, 64); err == nil && c.IsFromLocal() {
			web.SetUser(c, &web.UserView{AccountID: id, FamilyID: id})
		}
		return c.Next()
	})
	booking.Routes(s, booking.Config{})
	s.Finish()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() { _ = s.App.Listener(ln) }()
	return "http://" + ln.Addr().String() + "/" + demo.Slug, func() { _ = s.App.ShutdownWithTimeout(5 * time.Second) }, nil
}

// bookingWindow starts on the Monday after next (beyond every deadline).
func bookingWindow(now time.Time, weeks int) (calendar.Date, calendar.Date) {
	from := calendar.Today(now).Monday().AddDays(14)
	return from, from.AddDays(7*weeks - 3)
}

var (
	csrfRE  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	addedRE = regexp.MustCompile(`(\d+) demandes? ajoutées?`)
	moreRE  = regexp.MustCompile(`Non validée : et (\d+) autres demandes`)
)

// journey is one family: agenda, period, "Valider", then the agenda it
// redirects to (four requests). It returns how many demandes the period
// added.
func journey(ctx context.Context, base string, fam int64, id ids, from, to calendar.Date, st *stats) (int, error) {
	jar, _ := cookiejar.New(nil)
	// Redirects are not followed: "Valider" is timed alone, and the
	// agenda its 303 leads to is timed as an agenda request.
	client := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var location string
	header := http.Header{"X-Load-Family": {strconv.FormatInt(fam, 10)}}
	do := func(step, method, target string, form url.Values) (body string, err error) {
		body, location, err = timedRequest(ctx, client, st, step, method, target, form, header)
		return body, err
	}
	regie := strconv.FormatInt(id.regie, 10)
	page, err := do("agenda", "GET", base+"/famille/reservations?regie="+regie+"&semaine="+from.String(), nil)
	if err != nil {
		return 0, err
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		return 0, errors.New("agenda: no form token")
	}
	child := regexp.MustCompile(`name="enfant" value="(\d+)"`).FindStringSubmatch(page)
	if child == nil {
		return 0, errors.New("agenda: no child")
	}
	page, err = do("period", "POST", base+"/famille/reservations/periode", url.Values{"_csrf": {m[1]}, "regie": {regie}, "enfant": {child[1]},
		"du": {from.FR()}, "au": {to.FR()}, "jours_" + strconv.FormatInt(id.meal, 10): {"1", "2", "4", "5"}, "enfants": {child[1]}})
	if err != nil {
		return 0, err
	}
	n := 0
	if a := addedRE.FindStringSubmatch(page); a != nil {
		n, _ = strconv.Atoi(a[1])
	}
	if _, err = do("validate", "POST", base+"/famille/reservations/valider", url.Values{"_csrf": {m[1]}, "regie": {regie}, "enfant": {child[1]}}); err != nil {
		return n, err
	}
	if location == "" {
		return n, errors.New("validate: no redirect")
	}
	// The agenda after "Valider" shows what was refused (flash messages).
	root, _ := url.Parse(base)
	next, err := root.Parse(location)
	if err != nil {
		return n, fmt.Errorf("validate: redirect %q: %w", location, err)
	}
	if page, err = do("agenda", "GET", next.String(), nil); err != nil {
		return n, err
	}
	// Lines refused at validation are listed (five, then "et N autres").
	r := strings.Count(page, "Non validée :")
	if more := moreRE.FindStringSubmatch(page); more != nil {
		k, _ := strconv.Atoi(more[1])
		r += k - 1
	}
	st.refuse(r)
	return n, nil
}

// verify checks the database after the run.
func verify(ctx context.Context, db *tenants.DB, cfg config, id ids, added []int, st *stats) error {
	c := &checks{ctx: ctx, db: db}
	check, q := c.check, c.count
	fmt.Println("checks:")
	total := 0
	for _, n := range added {
		total += n
	}
	days := q(`SELECT COUNT(DISTINCT day) FROM reservations WHERE prestation_id = ?`, id.meal)
	validated := q(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND prestation_id = ?`, id.meal)
	check(st.failures() == 0, "%d journeys failed", st.failures())
	rejected := st.rejected()
	check(total == validated+rejected, "nothing lost: %d demandes added = %d validated + %d refused at validation (complet)", total, validated, rejected)
	check(q(`SELECT COUNT(*) FROM cart_lines`) == 0, "no demande left in a cart after Valider")
	check(validated == days*min(cfg.capacity, cfg.families), "each day holds exactly min(capacity, families) = %d reservations (%d in all)", min(cfg.capacity, cfg.families), validated)
	check(q(`SELECT COUNT(*) FROM (SELECT day FROM reservations WHERE state = 'validated' AND prestation_id = ? GROUP BY day HAVING COUNT(*) > ?)`, id.meal, cfg.capacity) == 0, "capacity %d never exceeded", cfg.capacity)
	check(q(`SELECT COUNT(*) FROM (SELECT 1 FROM reservations WHERE state = 'validated' GROUP BY child_id, prestation_id, day HAVING COUNT(*) > 1)`) == 0, "no reservation doubled")
	check(q(`SELECT COUNT(*) FROM (SELECT s.prestation_id, s.day, s.booked, (SELECT COUNT(*) FROM reservations r WHERE r.state = 'validated'
		AND r.prestation_id = s.prestation_id AND r.day = s.day AND r.site_id = s.site_id) AS n FROM slot_counts s) WHERE booked <> n`) == 0,
		"slot counts equal the reservations")
	return c.err()
}

// seedFamily registers one family with one child at the commune's first
// school, through app/families (the tables' one writer).
func seedFamily(ctx context.Context, tx *sql.Tx, name, email string, now time.Time) (family, child int64, err error) {
	var school string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM schools ORDER BY id LIMIT 1`).Scan(&school); err != nil {
		return 0, 0, fmt.Errorf("first school: %w", err)
	}
	if family, err = families.Create(ctx, tx, families.Family{Name: name, Email: email}, now); err != nil {
		return 0, 0, err
	}
	ch, _, err := families.SaveChild(ctx, tx, families.Child{FamilyID: family, FirstName: "Enfant", LastName: name,
		BirthDate: "2018-05-01", SchoolName: school}, now)
	return family, ch.ID, err
}

// checks prints the database checks after a run and collects the failed
// ones.
type checks struct {
	ctx      context.Context
	db       *tenants.DB
	problems []string
}

// check prints one check, "ok" or "FAIL", and records a failure.
func (c *checks) check(ok bool, format string, args ...any) {
	status := "ok  "
	if !ok {
		status = "FAIL"
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
	fmt.Printf("  %s "+format+"\n", append([]any{status}, args...)...)
}

// count runs a query returning one number; a failing query is a problem.
func (c *checks) count(query string, args ...any) int {
	var n int
	if err := c.db.Reader().QueryRowContext(c.ctx, query, args...).Scan(&n); err != nil {
		c.problems = append(c.problems, err.Error())
	}
	return n
}

// err is nil when every check passed.
func (c *checks) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return fmt.Errorf("%d check(s) failed: %s", len(c.problems), strings.Join(c.problems, "; "))
}

// quiet is the logger of the server under load: its logs would only
// cost CPU.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openDemo opens a registry in dir with the demo commune (created at now
// when new) and acquires it; closeDemo releases both.
func openDemo(ctx context.Context, dir string, now time.Time) (reg *tenants.Registry, db *tenants.DB, closeDemo func(), err error) {
	if reg, err = tenants.Open(ctx, tenants.Options{DataDir: dir, MaxOpen: 4, Logger: quiet}); err != nil {
		return nil, nil, nil, err
	}
	if _, err := demo.Ensure(ctx, reg, now); err != nil {
		reg.Close()
		return nil, nil, nil, err
	}
	db, release, err := reg.Acquire(ctx, demo.Slug)
	if err != nil {
		reg.Close()
		return nil, nil, nil, err
	}
	return reg, db, func() { release(); reg.Close() }, nil
}
