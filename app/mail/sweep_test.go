package mail_test

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// cache adds to communes the notion of a commune being open now, as the
// tenants cache has it: OpenIfOpen hands out only those, and never opens.
type cache struct {
	*communes
	open    map[string]bool
	ifOpens map[string]int // OpenIfOpen calls, open or not
}

func (c *cache) OpenIfOpen(_ context.Context, name string) (*tenants.DB, func(), bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ifOpens[name]++
	if !c.open[name] {
		return nil, nil, false
	}
	return c.dbs[name], func() {}, true
}

func (c *cache) setOpen(name string) { c.mu.Lock(); defer c.mu.Unlock(); c.open[name] = true }

func (c *cache) IfOpens(name string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.ifOpens[name] }

// The periodic sweeps never reopen a closed commune: one that is not open is
// skipped (its mail waits for a Notify, a due retry or its next opening),
// while the start-up sweep and notifications still open communes.
func TestPeriodicSweepSkipsClosedCommunes(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	c := &cache{
		communes: &communes{dbs: map[string]*tenants.DB{"malemort": openDB(t), "pernes": openDB(t)}, opens: map[string]int{}},
		open:     map[string]bool{}, ifOpens: map[string]int{},
	}
	// Mail left from before a restart, in a commune that is not open.
	enqueue(t, c.dbs["malemort"], time.Now().Add(-time.Hour), invitation("left@example.fr"))
	s := newSender(t, smtpConfig(srv), mail.Sources{Open: c.Open, OpenIfOpen: c.OpenIfOpen, Sweep: c.Names},
		mail.WithTick(20*time.Millisecond), mail.WithSweepInterval(20*time.Millisecond))
	startRun(t, s)

	// The start-up sweep opens every listed commune.
	msgs := srv.Wait(t, 1, 3*time.Second)
	if msgs[0].EnvelopeTo[0] != "left@example.fr" {
		t.Fatalf("start-up sweep delivered to %v", msgs[0].EnvelopeTo)
	}
	waitFor(t, func() bool { return c.Opens("malemort") == 1 && c.Opens("pernes") == 1 })

	// Mail committed in pernes, closed and not notified: periodic sweeps list
	// it again and again, but neither open it nor deliver its mail.
	ids := enqueue(t, c.dbs["pernes"], time.Now(), invitation("pernes@example.fr"))
	waitFor(t, func() bool { return c.IfOpens("pernes") >= 3 })
	if n := c.Opens("pernes"); n != 1 {
		t.Errorf("a closed commune was reopened by a periodic sweep: %d opens, want 1", n)
	}
	if n := c.Opens("malemort"); n != 1 {
		t.Errorf("malemort opened %d times, want 1", n)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d deliveries, want 1: a closed commune's mail went out", n)
	}
	if e := entry(t, c.dbs["pernes"], ids[0]); e.Status != mail.StatusPending || e.Attempts != 0 {
		t.Errorf("closed commune's row = %+v, want untouched pending", e)
	}

	// Once pernes is open (a request opened it), a periodic sweep drains it
	// through OpenIfOpen, still without Open.
	c.setOpen("pernes")
	msgs = srv.Wait(t, 2, 3*time.Second)
	if msgs[1].EnvelopeTo[0] != "pernes@example.fr" {
		t.Errorf("second delivery to %v", msgs[1].EnvelopeTo)
	}
	if n := c.Opens("pernes"); n != 1 {
		t.Errorf("an open commune was drained through Open: %d opens, want 1", n)
	}

	// A notified commune is opened even when closed.
	enqueue(t, c.dbs["malemort"], time.Now(), invitation("notified@example.fr"))
	s.Notify("malemort")
	msgs = srv.Wait(t, 3, 3*time.Second)
	if msgs[2].EnvelopeTo[0] != "notified@example.fr" {
		t.Errorf("third delivery to %v", msgs[2].EnvelopeTo)
	}
	if n := c.Opens("malemort"); n != 2 {
		t.Errorf("notified closed commune opened %d times, want 2", n)
	}
}
