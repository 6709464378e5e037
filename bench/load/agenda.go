package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"espacefamille/app/accounts"
)

// runAgenda measures the agenda page alone with real sessions: the server
// process runs on one core (GOMAXPROCS=1, and pinned to CPU 0 with
// taskset when it is installed), -clients keep requests in flight for
// -duration, each as one of the families, over the window's four weeks.
// It prints requests/s and the server's CPU per request, whose inverse is
// the page's rate on one core whatever else the machine is doing.
func runAgenda(ctx context.Context, cfg config, clients int, duration time.Duration, profile string) error {
	dir, err := os.MkdirTemp("", "espacefamille-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"-server-child", dir, "-families", strconv.Itoa(cfg.families), "-capacity", strconv.Itoa(cfg.capacity), "-weeks", strconv.Itoa(cfg.weeks)}
	if profile != "" {
		abs, err := filepath.Abs(profile)
		if err != nil {
			return err
		}
		args = append(args, "-cpuprofile", abs)
	}
	name := self
	if tp, err := exec.LookPath("taskset"); err == nil {
		name, args = tp, append([]string{"-c", "0", self}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		return fmt.Errorf("server process: %q %v", line, err)
	}
	var info setupInfo
	b, err := os.ReadFile(filepath.Join(dir, "setup.json"))
	if err == nil {
		err = json.Unmarshal(b, &info)
	}
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients + 10}
	defer tr.CloseIdleConnections()
	root, _ := url.Parse(info.Base)
	get := func(client *http.Client, fam familyInfo) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/famille/reservations?regie=%d&enfant=%d&semaine=%s", info.Base, info.Regie, fam.Child, info.From), nil)
		req.Header.Set("Accept", "text/html")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("agenda: HTTP %d", resp.StatusCode)
		}
		return nil
	}
	newClient := func(fam familyInfo) *http.Client {
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(root, []*http.Cookie{{Name: accounts.SessionCookie, Value: fam.Token, Path: "/"}})
		return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}
	}
	// Warm-up: every family's page once (sessions, statements, caches).
	for _, fam := range info.Families {
		if err := get(newClient(fam), fam); err != nil {
			return err
		}
	}
	fmt.Printf("agenda page, %d families, %d clients for %s, server on one core (pid %d); load average %s\n",
		len(info.Families), clients, duration, cmd.Process.Pid, loadAverage())
	_ = cmd.Process.Signal(syscall.SIGUSR1)
	var n, errs atomic.Int64
	cpu0 := procCPU(cmd.Process.Pid)
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := i; time.Now().Before(deadline); k += clients {
				fam := info.Families[k%len(info.Families)]
				if err := get(newClient(fam), fam); err != nil {
					errs.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), procCPU(cmd.Process.Pid)-cpu0
	per := cpu / time.Duration(max(n.Load(), 1))
	fmt.Printf("%d pages in %s: %.0f requests/s; server CPU %s, %s per page (%.0f pages/s per core of CPU); %d errors; load average %s\n",
		n.Load(), elapsed.Round(time.Millisecond), float64(n.Load())/elapsed.Seconds(), cpu.Round(10*time.Millisecond),
		per.Round(time.Microsecond), float64(time.Second)/float64(max(per, 1)), errs.Load(), loadAverage())
	if errs.Load() > 0 {
		return fmt.Errorf("%d errors", errs.Load())
	}
	return nil
}
