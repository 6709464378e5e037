package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
)

// payJourney is a parent's whole journey at the deadline, nine requests
// timed one by one (redirects are not followed inside a timing):
var paySteps = []string{
	"home",       // GET /famille: the page a log-in lands on (a real session)
	"agenda",     // GET Mes réservations, the window's first week
	"periodform", // GET the Vue Période form
	"period",     // POST the Vue Période: four weeks of Monday, Tuesday, Thursday, Friday
	"validate",   // POST "Valider" (/famille/paiement): the order, then the simulator's page
	"choice",     // only when some days could not be held: GET the page listing them
	"choose",     // and POST "Payer le reste"
	"payform",    // GET the simulator's card page
	"card",       // POST the test card 4242…
	"return",     // GET the return page (303 to the receipt once paid)
	"receipt",    // GET "Le résumé de votre paiement"
}

// payOutcome is what one family's journey saw.
type payOutcome struct {
	added    int    // demandes the Vue Période added
	ref      string // the order paid ("" if none)
	receipt  int    // meals listed on the receipt page
	refusedV bool   // "Valider" sent back to the agenda (nothing to pay)
	credited bool   // paid, but the return page says the payment became an avoir
	// fullAtPeriod: the Vue Période added nothing (every day complet)
	fullAtPeriod bool
	partial      bool // "Valider" listed days it could not hold, then the rest was paid
}

// runPay starts the server process, runs the journeys and checks the
// database once the server has stopped.
func runPay(cfg config, profile string) error {
	dir, err := os.MkdirTemp("", "espacefamille-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-server-child", dir, "-families", strconv.Itoa(cfg.families), "-capacity", strconv.Itoa(cfg.capacity),
		"-weeks", strconv.Itoa(cfg.weeks)}
	if profile != "" {
		abs, err := filepath.Abs(profile)
		if err != nil {
			return err
		}
		args = append(args, "-cpuprofile", abs)
	}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		return cmd.Wait()
	}
	defer stop()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		return fmt.Errorf("server process: %q %v", line, err)
	}
	// The run's timeout starts once the server is ready (setting up a
	// thousand accounts and sessions takes a while on a busy machine).
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	var info setupInfo
	b, err := os.ReadFile(filepath.Join(dir, "setup.json"))
	if err == nil {
		err = json.Unmarshal(b, &info)
	}
	if err != nil {
		return fmt.Errorf("server set-up: %w", err)
	}
	from, _ := calendar.ParseISO(info.From)
	to, _ := calendar.ParseISO(info.To)
	arrival := "all at the same instant"
	if cfg.arrival > 0 {
		arrival = "arriving at random over " + cfg.arrival.String()
	}
	fmt.Printf("%d families (%s) book and pay %d × REPAS CLASSIQUE ENFANT from %s to %s (capacity %d per day), server pid %d on %s\n",
		cfg.families, arrival, info.Meals, from.FR(), to.FR(), cfg.capacity, cmd.Process.Pid, info.Base)
	fmt.Printf("load average before the run: %s\n", loadAverage())

	tr := &http.Transport{MaxIdleConns: 0, MaxIdleConnsPerHost: cfg.families + 10, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	stats := newStats()
	outcomes := make([]payOutcome, len(info.Families))
	offsets := arrivals(cfg)
	_ = cmd.Process.Signal(syscall.SIGUSR1) // start the server's profile
	cpu0 := procCPU(cmd.Process.Pid)
	start := time.Now()
	var wg sync.WaitGroup
	for i, fam := range info.Families {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(time.Until(start.Add(offsets[i]))):
			case <-ctx.Done():
				stats.fail(ctx.Err())
				return
			}
			o, err := payJourney(ctx, tr, info, fam, stats)
			if err != nil {
				stats.fail(fmt.Errorf("family %d: %w", fam.ID, err))
			}
			outcomes[i] = o
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), procCPU(cmd.Process.Pid)-cpu0
	fmt.Printf("load average after the run: %s\n", loadAverage())
	stats.reportSteps(paySteps, elapsed)
	fmt.Printf("server process CPU: %s, %s per family (read from /proc/%d/stat, 10 ms ticks)\n",
		cpu.Round(time.Millisecond), (cpu / time.Duration(cfg.families)).Round(10*time.Microsecond), cmd.Process.Pid)
	stats.printErrors()
	tr.CloseIdleConnections()
	if err := stop(); err != nil {
		return fmt.Errorf("server process: %w", err)
	}
	if err := printWriter(dir, cfg.families); err != nil {
		return err
	}
	return verifyPay(context.Background(), filepath.Join(dir, "communes", "malemort-du-comtat.db"), cfg, info, outcomes, stats)
}

var (
	paidLineRE = regexp.MustCompile(`<li>[^<]* : REPAS CLASSIQUE ENFANT le \d\d/\d\d/\d{4}`)
	idopRE     = regexp.MustCompile(`/paiement/simulateur/([A-Za-z0-9_-]+)`)
)

// payJourney is one family's nine requests.
func payJourney(ctx context.Context, tr *http.Transport, info setupInfo, fam familyInfo, st *stats) (payOutcome, error) {
	var o payOutcome
	jar, _ := cookiejar.New(nil)
	root, _ := url.Parse(info.Base)
	jar.SetCookies(root, []*http.Cookie{{Name: accounts.SessionCookie, Value: fam.Token, Path: "/"}})
	client := &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var location string
	do := func(step, method, target string, form url.Values) (body string, err error) {
		if strings.HasPrefix(target, "/") {
			u, _ := root.Parse(target)
			target = u.String()
		}
		body, location, err = timedRequest(ctx, client, st, step, method, target, form, nil)
		return body, err
	}
	regie, child := strconv.FormatInt(info.Regie, 10), strconv.FormatInt(fam.Child, 10)
	if _, err := do("home", "GET", info.Base+"/famille", nil); err != nil {
		return o, err
	}
	page, err := do("agenda", "GET", info.Base+"/famille/reservations?regie="+regie+"&enfant="+child+"&semaine="+info.From, nil)
	if err != nil {
		return o, err
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		return o, errors.New("agenda: no form token")
	}
	token := html.UnescapeString(m[1])
	if _, err := do("periodform", "GET", info.Base+"/famille/reservations/periode?regie="+regie+"&enfant="+child, nil); err != nil {
		return o, err
	}
	from, _ := calendar.ParseISO(info.From)
	to, _ := calendar.ParseISO(info.To)
	page, err = do("period", "POST", info.Base+"/famille/reservations/periode", url.Values{"_csrf": {token}, "regie": {regie}, "enfant": {child},
		"du": {from.FR()}, "au": {to.FR()}, "jours_" + strconv.FormatInt(info.Meal, 10): {"1", "2", "4", "5"}, "enfants": {child}})
	if err != nil {
		return o, err
	}
	if a := addedRE.FindStringSubmatch(page); a != nil {
		o.added, _ = strconv.Atoi(a[1])
	}
	if o.added == 0 {
		// Every day already full: the Vue Période said so ("complet")
		// and added nothing; there is nothing to validate.
		o.fullAtPeriod = true
		return o, nil
	}
	if _, err := do("validate", "POST", info.Base+"/famille/paiement", url.Values{"_csrf": {token}, "regie": {regie}, "enfant": {child}}); err != nil {
		return o, err
	}
	if strings.HasSuffix(location, "/choix") {
		// Some days could not be held: the parent is told which, and
		// pays for the rest.
		choice := location
		if page, err = do("choice", "GET", choice, nil); err != nil {
			return o, err
		}
		form := url.Values{"action": {"payer"}}
		if m := csrfRE.FindStringSubmatch(page); m != nil {
			form.Set("_csrf", html.UnescapeString(m[1]))
		}
		if _, err := do("choose", "POST", choice, form); err != nil {
			return o, err
		}
		o.partial = true
	}
	idop := idopRE.FindStringSubmatch(location)
	if idop == nil {
		// Nothing left to pay (every line complet): back to the agenda.
		o.refusedV = strings.Contains(location, "/famille/reservations")
		if !o.refusedV {
			return o, fmt.Errorf("validate: redirect to %q", location)
		}
		return o, nil
	}
	payURL := location
	if page, err = do("payform", "GET", payURL, nil); err != nil {
		return o, err
	}
	form := url.Values{"numero": {"4242 4242 4242 4242"}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}
	if m := csrfRE.FindStringSubmatch(page); m != nil {
		form.Set("_csrf", html.UnescapeString(m[1]))
	}
	if _, err := do("card", "POST", payURL, form); err != nil {
		return o, err
	}
	if page, err = do("return", "GET", location, nil); err != nil {
		return o, err
	}
	if location == "" && strings.Contains(page, "Paiement reçu après expiration") {
		// Paid for places already gone: the payment became an avoir
		// (the checks count it).
		o.credited = true
		return o, nil
	}
	if !strings.Contains(location, "/famille/paiement/") || strings.Contains(location, "retour") {
		return o, fmt.Errorf("return: not sent to a receipt but to %q", location)
	}
	o.ref = location[strings.LastIndex(location, "/")+1:]
	if page, err = do("receipt", "GET", location, nil); err != nil {
		return o, err
	}
	o.receipt = len(paidLineRE.FindAllString(page, -1))
	return o, nil
}

// procCPU is the user and system CPU time of process pid.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	stt, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+stt) * 10 * time.Millisecond // USER_HZ = 100 on Linux
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// printWriter prints the server's writer accounting: write transactions
// per step, the time they held the writer and the CPU time they used
// holding it (steadier on a shared machine), per family.
func printWriter(dir string, families int) error {
	b, err := os.ReadFile(filepath.Join(dir, "writer.json"))
	if err != nil {
		return fmt.Errorf("writer accounting: %w", err)
	}
	var r writerReport
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	fmt.Printf("writer (one connection): %-10s %7s %12s %12s %14s %14s\n", "step", "tx", "held", "per family", "CPU / family", "queued (sum)")
	var held, cpu time.Duration
	var n int64
	perFamily := func(d time.Duration) time.Duration {
		return (d / time.Duration(max(families, 1))).Round(time.Microsecond)
	}
	for _, s := range r.Stats {
		if s.Label == "" {
			continue // set-up before the run
		}
		held += s.Held
		cpu += s.CPU
		n += s.Count
		fmt.Printf("                          %-10s %7d %12s %12s %14s %14s\n", s.Label, s.Count, s.Held.Round(time.Millisecond),
			perFamily(s.Held), perFamily(s.CPU), s.Wait.Round(time.Millisecond))
	}
	fmt.Printf("                          %-10s %7d %12s %12s %14s\n", "all", n, held.Round(time.Millisecond), perFamily(held), perFamily(cpu))
	return nil
}
