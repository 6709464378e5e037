package mail_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// communes is a tiny stand-in for the tenants registry: named databases,
// counting how often each is opened.
type communes struct {
	mu    sync.Mutex
	dbs   map[string]*tenants.DB
	opens map[string]int
}

func (c *communes) Open(_ context.Context, name string) (*tenants.DB, func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, ok := c.dbs[name]
	if !ok {
		return nil, nil, errors.New("no such commune")
	}
	c.opens[name]++
	return db, func() {}, nil
}

func (c *communes) Names(context.Context) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for n := range c.dbs {
		names = append(names, n)
	}
	return names, nil
}

func (c *communes) Opens(name string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.opens[name] }

func startRun(t *testing.T, s *mail.Sender) {
	t.Helper()
	ran := make(chan error, 1)
	go func() { ran <- s.Run(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestRunPicksUpNotifyQuickly(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	c := &communes{dbs: map[string]*tenants.DB{"malemort": openDB(t), "pernes": openDB(t)}, opens: map[string]int{}}
	// Ticks and sweeps far apart: only Notify can explain a prompt delivery.
	s := newSender(t, smtpConfig(srv), mail.Sources{Open: c.Open},
		mail.WithTick(time.Hour), mail.WithSweepInterval(time.Hour))
	startRun(t, s)

	enqueue(t, c.dbs["malemort"], time.Now(), invitation("a@example.fr"))
	start := time.Now()
	s.Notify("malemort")
	msgs := srv.Wait(t, 1, 3*time.Second)
	if d := time.Since(start); d > time.Second {
		t.Errorf("delivery took %v after Notify", d)
	}
	if msgs[0].EnvelopeTo[0] != "a@example.fr" {
		t.Errorf("delivered to %v", msgs[0].EnvelopeTo)
	}
	if n := c.Opens("pernes"); n != 0 {
		t.Errorf("a commune that was not notified was opened %d times", n)
	}
}

func TestRunSweepsAtStartAndDrainsPlatformOnTick(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	platform := openDB(t)
	c := &communes{dbs: map[string]*tenants.DB{"malemort": openDB(t)}, opens: map[string]int{}}
	// Mail left from before a restart: one pending, one stuck in 'sending'.
	ids := enqueue(t, c.dbs["malemort"], time.Now().Add(-time.Hour), invitation("left@example.fr"), invitation("stuck@example.fr"))
	if _, err := c.dbs["malemort"].W.Exec(`UPDATE outbox SET status='sending' WHERE id=?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	s := newSender(t, smtpConfig(srv), mail.Sources{Platform: mail.Source{Name: "platform", DB: platform}, Open: c.Open, Sweep: c.Names},
		mail.WithTick(50*time.Millisecond), mail.WithSweepInterval(time.Hour))
	startRun(t, s)
	srv.Wait(t, 2, 3*time.Second)

	// The platform is drained on a tick, without a Notify.
	enqueue(t, platform, time.Now(), invitation("account@example.fr"))
	msgs := srv.Wait(t, 3, 3*time.Second)
	if msgs[2].EnvelopeTo[0] != "account@example.fr" {
		t.Errorf("third delivery to %v", msgs[2].EnvelopeTo)
	}
}

func TestRunRetriesWhenServerComesBack(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	srv.Stop()
	clk := newClock()
	c := &communes{dbs: map[string]*tenants.DB{"malemort": openDB(t)}, opens: map[string]int{}}
	s := newSender(t, smtpConfig(srv), mail.Sources{Open: c.Open},
		mail.WithClock(clk.Now), mail.WithTick(20*time.Millisecond), mail.WithSweepInterval(time.Hour))
	startRun(t, s)
	ids := enqueue(t, c.dbs["malemort"], clk.Now(), invitation("a@example.fr"), invitation("b@example.fr"))
	s.Notify("malemort")
	waitFor(t, func() bool { return entry(t, c.dbs["malemort"], ids[0]).Attempts == 1 })

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Minute) // past the row back-off and the sender's pause
	msgs := srv.Wait(t, 2, 3*time.Second)
	time.Sleep(100 * time.Millisecond) // a few more ticks: nothing more may arrive
	if n := len(srv.Messages()); n != 2 || len(msgs) != 2 {
		t.Fatalf("%d deliveries, want 2", n)
	}
	for _, id := range ids {
		waitFor(t, func() bool { return entry(t, c.dbs["malemort"], id).Status == mail.StatusSent })
	}
}

func TestStopWaitsForTheBatchInFlight(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	tr := &slowTransport{release: make(chan struct{}), started: make(chan struct{}, 1)}
	s := newSender(t, mail.Config{}, mail.Sources{Open: func(context.Context, string) (*tenants.DB, func(), error) { return db, nil, nil }},
		mail.WithTransport(tr), mail.WithTick(time.Hour), mail.WithSweepInterval(time.Hour))
	ran := make(chan error, 1)
	go func() { ran <- s.Run(context.Background()) }()
	ids := enqueue(t, db, time.Now(), invitation("a@example.fr"))
	s.Notify("malemort")
	<-tr.started

	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a batch was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(tr.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusSent {
		t.Errorf("row after Stop = %+v, want sent", e)
	}
}

type slowTransport struct {
	release chan struct{}
	started chan struct{}
	calls   atomic.Int32
}

func (s *slowTransport) Send(ctx context.Context, batch []mail.Outgoing) ([]error, error) {
	s.calls.Add(1)
	s.started <- struct{}{}
	<-s.release
	if ctx.Err() != nil {
		return nil, ctx.Err() // the sender must not cancel a claimed batch
	}
	return make([]error, len(batch)), nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 3s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
