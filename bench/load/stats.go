package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// steps are the request types a journey makes, in order: the agenda
// (twice: on arrival, and after "Valider", the page its 303 leads to),
// the Vue Période, and "Valider" itself (the POST alone).
var steps = []string{"agenda", "period", "validate"}

// stats collects latencies per request type.
type stats struct {
	mu      sync.Mutex
	by      map[string][]time.Duration
	errs    []error
	refused int
}

func newStats() *stats { return &stats{by: map[string][]time.Duration{}} }

func (s *stats) add(step string, d time.Duration) {
	s.mu.Lock()
	s.by[step] = append(s.by[step], d)
	s.mu.Unlock()
}

func (s *stats) refuse(n int) {
	s.mu.Lock()
	s.refused += n
	s.mu.Unlock()
}

func (s *stats) rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *stats) fail(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

func (s *stats) failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.errs)
}

// report prints the book journey's table (reportSteps), then the CPU the
// process (server and clients together) spent per journey.
func (s *stats) report(elapsed, cpu time.Duration, families int) {
	s.reportSteps(steps, elapsed)
	if cpu > 0 && families > 0 {
		per := cpu / time.Duration(families)
		cores := runtime.GOMAXPROCS(0)
		fmt.Printf("CPU (server and clients, one process): %s, %s per journey; %d families on %d cores need at least %s of CPU time\n",
			cpu.Round(time.Millisecond), per.Round(10*time.Microsecond), families, cores,
			(per * time.Duration(families) / time.Duration(cores)).Round(time.Millisecond))
	}
	s.printErrors()
}

// reportSteps prints, per request type and overall, the count, throughput
// over the run and p50/p95/p99/max latencies.
func (s *stats) reportSteps(steps []string, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []time.Duration
	fmt.Printf("%-10s %7s %9s %9s %9s %9s %9s\n", "request", "count", "req/s", "p50", "p95", "p99", "max")
	for _, step := range steps {
		l := s.by[step]
		all = append(all, l...)
		line(step, l, elapsed)
	}
	line("all", all, elapsed)
	fmt.Printf("%d requests in %s: %.0f requests/s\n", len(all), elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds())
}

// printErrors prints the first errors of the run.
func (s *stats) printErrors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, err := range s.errs {
		if i == 5 {
			fmt.Printf("… and %d more errors\n", len(s.errs)-5)
			break
		}
		fmt.Println("error:", err)
	}
}

func line(name string, l []time.Duration, elapsed time.Duration) {
	if len(l) == 0 {
		fmt.Printf("%-10s %7d\n", name, 0)
		return
	}
	slices.Sort(l)
	p := func(q float64) string {
		return fmtDur(l[min(len(l)-1, int(q*float64(len(l))))])
	}
	fmt.Printf("%-10s %7d %9.0f %9s %9s %9s %9s\n", name, len(l), float64(len(l))/elapsed.Seconds(), p(.50), p(.95), p(.99), fmtDur(l[len(l)-1]))
}

// fmtDur rounds a latency for the table: 0.1 ms below 10 ms, else 1 ms.
func fmtDur(d time.Duration) string {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedRequest sends one request of a journey without following redirects,
// records its time under step, and returns the body and the Location
// header; any status but 200, or a 303 with a Location, is an error.
func timedRequest(ctx context.Context, client *http.Client, st *stats, step, method, target string, form url.Values,
	header http.Header) (body, location string, err error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return "", "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	t := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", step, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	st.add(step, time.Since(t))
	location = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusOK && (resp.StatusCode != http.StatusSeeOther || location == "") {
		return "", location, fmt.Errorf("%s %s: HTTP %d: %.300s", step, target, resp.StatusCode, b)
	}
	return string(b), location, nil
}
