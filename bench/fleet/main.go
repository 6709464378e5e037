// Command fleet measures a node holding many communes (issue 16): it
// creates N communes in-process (one template file, migrated one version
// short of the binary's schema, copied N times and registered in one
// platform transaction), then times, with the real binary:
//
//   - `commune migrate --all` one version up, then again with nothing to do;
//   - `commune list`;
//   - `serve` from its start to full speed: how long until the home pages
//     of the communes answer as fast as they do once warm, and the CPU the
//     server spent meanwhile (a share of the communes has mail waiting
//     from "before the restart", which the start-up sweep must send);
//   - home-page throughput on a few communes (all in the handle cache) and
//     spread evenly over all N (nearly every request opens a file).
//
// Example (the server pinned to one core, as in the figures):
//
//	go run ./bench/fleet -n 1000
//	go run ./bench/fleet -n 10000 -dir /work/fleet-data -keep=false
//
// 10,000 communes take about 4 GB of disk: check `df -h` first.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"espacefamille/app/mail"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"

	"espacefamille/migrations"
	"espacefamille/tenants"
)

type config struct {
	n          int
	dir        string
	keep       bool
	clients    int
	window     time.Duration
	hot        int
	cacheSize  string
	cpu        string
	mailShare  int // one commune in mailShare has mail waiting
	skipCreate bool
	nofile     int // serve's file-descriptor limit (0: inherited)
	jobs       int // migrate --jobs (0: the command's default)
	noServe    bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 1000, "number of communes (1–20000)")
	flag.StringVar(&cfg.dir, "dir", "", "data directory (default: a temporary one)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the data directory")
	flag.BoolVar(&cfg.skipCreate, "reuse", false, "reuse the communes already in -dir (skip creation and migration)")
	flag.IntVar(&cfg.clients, "clients", 8, "concurrent HTTP clients")
	flag.DurationVar(&cfg.window, "window", 5*time.Second, "length of each throughput measurement")
	flag.IntVar(&cfg.hot, "hot", 100, "communes of the hot set")
	flag.StringVar(&cfg.cacheSize, "cache-size", "256", "serve's --cache-size (auto: sized from the machine)")
	flag.StringVar(&cfg.cpu, "cpu", "1", "CPU list the server is pinned to with taskset (empty: not pinned)")
	flag.IntVar(&cfg.mailShare, "mail-every", 100, "one commune in this many has a mail waiting at start-up (0: none)")
	flag.IntVar(&cfg.nofile, "nofile", 0, "file-descriptor limit of serve, set with prlimit (0: inherited); -cache-size auto sizes from it")
	flag.IntVar(&cfg.jobs, "jobs", 0, "communes migrated at once by migrate --all (0: its default)")
	flag.BoolVar(&cfg.noServe, "no-serve", false, "stop after creation, migrate --all and list (no server)")
	flag.Parse()
	if cfg.n < 1 || cfg.n > 20000 || cfg.clients < 1 || cfg.hot < 1 {
		fmt.Fprintln(os.Stderr, "fleet: bad arguments (see -help)")
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx := context.Background()
	if cfg.dir == "" {
		d, err := os.MkdirTemp("", "fleet-*")
		if err != nil {
			return err
		}
		cfg.dir = d
	}
	if !cfg.keep {
		defer os.RemoveAll(cfg.dir)
	}
	bin := filepath.Join(cfg.dir, "espacefamille")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/espacefamille").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	data := filepath.Join(cfg.dir, "data")
	if !cfg.skipCreate {
		start := time.Now()
		if err := create(ctx, data, cfg.n, cfg.mailShare); err != nil {
			return err
		}
		report("create %d communes in-process (template copied, one version behind)", time.Since(start), cfg.n)
		migrate := []string{"commune", "migrate", "--all", "--data", data, "--jobs", strconv.Itoa(cfg.jobs)}
		d, cpu, out, err := timedCPU(bin, migrate...)
		if err != nil {
			return fmt.Errorf("migrate: %v\n%s", err, tail(out))
		}
		report("commune migrate --all, one version up: %s (CPU %.1fs, %.2f ms per commune)", d, lastLine(out),
			cpu.Seconds(), float64(cpu)/1e6/float64(cfg.n))
		d, out, err = timed(bin, migrate...)
		if err != nil {
			return fmt.Errorf("migrate: %v\n%s", err, tail(out))
		}
		report("commune migrate --all, nothing to do: %s", d, lastLine(out))
	}
	d, out, err := timed(bin, "commune", "list", "--data", data)
	if err != nil {
		return fmt.Errorf("list: %v\n%s", err, tail(out))
	}
	report("commune list: %s", d, lastLine(out))
	if cfg.noServe {
		return nil
	}
	return serveBench(cfg, bin, data)
}

// create makes n communes in data: a template at the schema's version
// minus one, copied n times, registered in one platform transaction.
func create(ctx context.Context, data string, n, mailShare int) error {
	tdir, err := os.MkdirTemp("", "fleet-template-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tdir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	treg, err := tenants.Open(ctx, tenants.Options{DataDir: tdir, MaxOpen: 1, Logger: quiet})
	if err != nil {
		return err
	}
	if _, err := treg.CreateCommune(ctx, tenants.NewCommune{Slug: "template", Name: "Commune modèle"}, nil); err != nil {
		return err
	}
	tpl := treg.CommunePath("template")
	treg.Close()
	latest, err := tenants.CommuneSchema.Latest()
	if err != nil {
		return err
	}
	if err := downgrade(ctx, tpl, latest-1); err != nil {
		return err
	}
	src, err := os.ReadFile(tpl)
	if err != nil {
		return err
	}
	withMail, err := mailCopy(ctx, tpl, src)
	if err != nil {
		return err
	}
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 1, Logger: quiet})
	if err != nil {
		return err
	}
	defer reg.Close()
	files := make([]tenants.ExistingFile, n)
	for i := range n {
		slug := fmt.Sprintf("commune-%05d", i)
		body := src
		if mailShare > 0 && i%mailShare == 0 {
			body = withMail
		}
		if err := os.WriteFile(reg.CommunePath(slug), body, 0o600); err != nil {
			return err
		}
		// Registered at the version the file holds, with no stamp: as an
		// upgrade finds communes created before the registry kept figures.
		// `commune migrate --all` records them.
		files[i] = tenants.ExistingFile{Slug: slug, Name: "Commune " + slug[8:], SchemaVersion: latest - 1, SizeBytes: int64(len(body))}
	}
	return reg.RegisterFiles(ctx, files, time.Now())
}

// mailCopy returns the template's bytes with one pending outbox row.
func mailCopy(ctx context.Context, tpl string, src []byte) ([]byte, error) {
	path := tpl + ".mail"
	if err := os.WriteFile(path, src, 0o600); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err == nil {
		_, err = mail.Enqueue(ctx, tx, mail.Message{Kind: "bench", To: "parent@example.fr", Subject: "Mail laissé avant le redémarrage",
			Text: "Bonjour"}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

func downgrade(ctx context.Context, path string, v int64) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	sub, err := fs.Sub(migrations.Commune, "commune")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, v)
	return err
}

// serveBench starts the server and measures start-up, hot and spread
// throughput.
func serveBench(cfg config, bin, data string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{bin, "serve", "--data", data, "--addr", addr, "--cache-size", cfg.cacheSize, "--log-level", "warn"}
	if cfg.cpu != "" {
		args = append([]string{"taskset", "-c", cfg.cpu}, args...)
	}
	if cfg.nofile > 0 {
		n := strconv.Itoa(cfg.nofile)
		args = append([]string{"prlimit", "--nofile=" + n + ":" + n, "--"}, args...)
	}
	if cfg.cacheSize == "auto" {
		args = append(args, "--log-level", "info") // the cache's size is logged at start
	}
	cmd := exec.Command(args[0], args[1:]...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		var keep []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if l != "" && !strings.HasPrefix(l, "time=") || strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") ||
				strings.Contains(l, "commune cache sized") {
				keep = append(keep, l)
			}
		}
		if len(keep) > 0 {
			fmt.Println("server log (cache size, warnings and errors):\n" + tail([]byte(strings.Join(keep, "\n"))))
		}
	}()
	base := "http://" + addr
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > time.Minute {
			return errors.New("the server did not answer within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	listening := time.Since(start)
	fmt.Printf("serve: answering /healthz %.2fs after start\n", listening.Seconds())
	// Idle for two seconds: what the start-up's background work (mail
	// sweep, reconciliation, housekeeping, audit) costs, with no request.
	time.Sleep(2 * time.Second)
	fmt.Printf("serve: CPU from start to 2 s after listening, no request: %.2fs\n", procCPU(cmd.Process.Pid).Seconds())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients * 2}, Timeout: 30 * time.Second}
	hot := min(cfg.hot, cfg.n)
	slugs := func(i int) string { return fmt.Sprintf("commune-%05d", i) }

	// Then the hot set's pages, in 500 ms windows (the start-up work, if
	// any is left, competes with them); the CPU the server spends.
	var windows []float64
	cpu0 := procCPU(cmd.Process.Pid)
	for i := 0; i < 16; i++ {
		n, errs := load(client, base, cfg.clients, 500*time.Millisecond, func(k int) string { return slugs(k % hot) })
		if errs > 0 {
			return fmt.Errorf("start-up window %d: %d errors", i, errs)
		}
		windows = append(windows, float64(n)*2)
	}
	cpuStart := procCPU(cmd.Process.Pid) - cpu0
	var line []string
	for _, w := range windows {
		line = append(line, strconv.Itoa(int(w)))
	}
	fmt.Printf("serve: hot-set req/s per 500 ms window from the first request: %s (server CPU over these 8 s: %.2fs)\n",
		strings.Join(line, " "), cpuStart.Seconds())

	pid := cmd.Process.Pid
	c0 := procCPU(pid)
	n, errs := load(client, base, cfg.clients, cfg.window, func(k int) string { return slugs(k % hot) })
	fmt.Printf("home page, %d communes (hot, in the cache): %.0f req/s (%d errors), server CPU %.3f ms/request\n",
		hot, float64(n)/cfg.window.Seconds(), errs, perRequest(procCPU(pid)-c0, n))
	full := float64(n) / cfg.window.Seconds()
	for i, w := range windows {
		if w >= 0.9*full {
			fmt.Printf("serve: full speed (≥ 90%% of %.0f req/s) in the window ending %.1fs after the first request (%.1fs after start)\n",
				full, float64(i+1)*0.5, listening.Seconds()+2+float64(i+1)*0.5)
			break
		}
	}
	var next atomic.Int64
	for _, round := range []string{"first window", "second window"} {
		c0 = procCPU(pid)
		n, errs = load(client, base, cfg.clients, cfg.window, func(int) string {
			return slugs(int(next.Add(7919)) % cfg.n) // a stride prime to n: every commune in turn
		})
		// The second window shows the steady state of a cache that holds
		// many communes (with -cache-size auto).
		fmt.Printf("home page, %d communes evenly (cache %s), %s: %.0f req/s (%d errors), server CPU %.3f ms/request\n",
			cfg.n, cfg.cacheSize, round, float64(n)/cfg.window.Seconds(), errs, perRequest(procCPU(pid)-c0, n))
	}
	// Then every commune visited once (the cache holds as many as it can),
	// and the spread measured again: what a cache sized for the machine
	// gives once warm, which the windows above, at a few hundred requests
	// per second, are too short to show.
	if cfg.cacheSize != "256" {
		start := time.Now()
		var seq atomic.Int64
		var wg sync.WaitGroup
		for range cfg.clients {
			wg.Go(func() {
				for k := int(seq.Add(1)) - 1; k < cfg.n; k = int(seq.Add(1)) - 1 {
					resp, err := client.Get(base + "/" + slugs(k) + "/")
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			})
		}
		wg.Wait()
		fmt.Printf("serve: every commune visited once in %.1fs\n", time.Since(start).Seconds())
		c0 = procCPU(pid)
		n, errs = load(client, base, cfg.clients, cfg.window, func(int) string {
			return slugs(int(next.Add(7919)) % cfg.n)
		})
		fmt.Printf("home page, %d communes evenly (cache %s), after every commune was visited once: %.0f req/s (%d errors), server CPU %.3f ms/request\n",
			cfg.n, cfg.cacheSize, float64(n)/cfg.window.Seconds(), errs, perRequest(procCPU(pid)-c0, n))
		// Visiting every commune in turn is the worst case of an LRU
		// smaller than the fleet (each commune is evicted before its next
		// turn); uniformly random visits hit it in proportion to its size.
		c0 = procCPU(pid)
		n, errs = load(client, base, cfg.clients, cfg.window, func(int) string { return slugs(rand.IntN(cfg.n)) })
		fmt.Printf("home page, %d communes at random (cache %s): %.0f req/s (%d errors), server CPU %.3f ms/request\n",
			cfg.n, cfg.cacheSize, float64(n)/cfg.window.Seconds(), errs, perRequest(procCPU(pid)-c0, n))
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at the end: %s", la)
	}
	return nil
}

// perRequest is the CPU per request in milliseconds (a figure other
// programs on a shared machine inflate less than req/s).
func perRequest(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(cpu) / float64(n) / 1e6
}

// load runs clients goroutines requesting the home page of slug(k) for d
// and returns the number of successful requests and of failures.
func load(client *http.Client, base string, clients int, d time.Duration, slug func(k int) string) (int, int) {
	var ok, bad atomic.Int64
	var seq atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				k := int(seq.Add(1))
				req, _ := http.NewRequest("GET", base+"/"+slug(k)+"/", nil)
				req.Header.Set("Accept", "text/html")
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					bad.Add(1)
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	return int(ok.Load()), int(bad.Load())
}

// procCPU is the user+system CPU time of a process (Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func timed(bin string, args ...string) (time.Duration, []byte, error) {
	start := time.Now()
	out, err := exec.Command(bin, args...).CombinedOutput()
	return time.Since(start), out, err
}

// timedCPU is timed that also returns the CPU time (user and system) the
// command spent.
func timedCPU(bin string, args ...string) (time.Duration, time.Duration, []byte, error) {
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var cpu time.Duration
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return d, cpu, out.Bytes(), err
}

func report(format string, d time.Duration, args ...any) {
	fmt.Printf("%-8s "+format+"\n", append([]any{fmt.Sprintf("%.2fs", d.Seconds())}, args...)...)
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}
