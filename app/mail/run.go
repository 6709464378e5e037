package mail

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"espacefamille/tenants"
)

// Run drains outboxes until ctx is cancelled or Stop is called: the platform
// on every tick, notified sources at once, sources whose retries fall due, and
// a sweep of Sources.Sweep at start-up and every sweep interval (periodic
// sweeps open through Sources.OpenIfOpen when it is set). A batch in
// flight is always finished and settled before Run returns.
func (s *Sender) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("mail: sender already running")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.running, s.cancel, s.done = true, cancel, done
	s.mu.Unlock()
	defer func() {
		cancel()
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
		close(done)
	}()

	tick := time.NewTicker(s.tick)
	defer tick.Stop()
	sweep := time.NewTicker(s.sweepEvery)
	defer sweep.Stop()

	backlog := s.sweepList(ctx, nil, false) // start-up: what a crash or a restart left behind
	for ctx.Err() == nil {
		if !s.paused() {
			s.drainPlatform(ctx)
			s.drainDue(ctx)
			backlog = s.drainBacklog(ctx, backlog)
		}
		if len(backlog) > 0 && !s.paused() {
			select { // keep sweeping, but let notifications and ticks in
			case <-sweep.C:
				backlog = s.sweepList(ctx, backlog, true)
			default:
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-tick.C:
		case <-sweep.C:
			backlog = s.sweepList(ctx, backlog, true)
		}
	}
	return nil
}

// Stop asks Run to return and waits until it has (the batch in flight is
// finished and settled), or until ctx is done.
func (s *Sender) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.cancel()
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sender) drainPlatform(ctx context.Context) {
	if s.src.Platform.DB == nil {
		return
	}
	if _, _, err := s.drain(ctx, s.src.Platform, batchesPerDrain); err != nil && ctx.Err() == nil {
		s.log.Error("mail: drain failed", "source", s.src.Platform.Name, "error", err)
	}
}

// drainDue drains every source whose due time has come, earliest first.
func (s *Sender) drainDue(ctx context.Context) {
	now := s.now()
	type item struct {
		name string
		at   time.Time
	}
	var items []item
	s.mu.Lock()
	for name, at := range s.due {
		if !at.After(now) {
			items = append(items, item{name, at})
			delete(s.due, name)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.at.UnixNano(), b.at.UnixNano()) })
	for i, it := range items {
		if ctx.Err() != nil || s.paused() {
			for _, rest := range items[i:] { // keep them for later
				s.schedule(rest.name, rest.at)
			}
			return
		}
		s.drainNamed(ctx, it.name, false)
	}
}

// swept is a source listed by a sweep, waiting in the backlog.
type swept struct {
	name   string
	ifOpen bool // listed by a periodic sweep: drained only if open now (Sources.OpenIfOpen)
}

// drainBacklog drains a few swept sources and returns the rest.
func (s *Sender) drainBacklog(ctx context.Context, backlog []swept) []swept {
	n := min(len(backlog), sweepChunk)
	for i := range n {
		if ctx.Err() != nil || s.paused() {
			return backlog[i:]
		}
		s.drainNamed(ctx, backlog[i].name, backlog[i].ifOpen)
	}
	return backlog[n:]
}

// drainNamed opens a source by name for one drain and schedules its next
// look. With ifOpen and a Sources.OpenIfOpen, a source that is not open now
// is skipped rather than opened.
func (s *Sender) drainNamed(ctx context.Context, name string, ifOpen bool) {
	if name == s.src.Platform.Name && s.src.Platform.DB != nil {
		s.drainPlatform(ctx)
		return
	}
	var (
		db      *tenants.DB
		release func()
	)
	switch {
	case ifOpen && s.src.OpenIfOpen != nil:
		var ok bool
		if db, release, ok = s.src.OpenIfOpen(ctx, name); !ok {
			return // closed since the sweep listed it: let it stay closed
		}
	case s.src.Open == nil:
		s.log.Error("mail: cannot open source: Sources.Open is nil", "source", name)
		return
	default:
		var err error
		if db, release, err = s.src.Open(ctx, name); err != nil {
			if tenants.IsNotOwner(err) {
				return // another node owns the commune: its sender sends
			}
			if ctx.Err() == nil {
				s.log.Error("mail: cannot open source", "source", name, "error", err)
			}
			return
		}
	}
	if release != nil {
		defer release()
	}
	_, next, err := s.drain(ctx, Source{Name: name, DB: db}, batchesPerDrain)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("mail: drain failed", "source", name, "error", err)
			s.schedule(name, s.now().Add(s.tick*15)) // try again later; the sweep is the net
		}
		return
	}
	if !next.IsZero() {
		s.schedule(name, next)
		if !next.After(s.now()) { // more is due already (a large backlog): come back at once
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// schedule keeps the earliest due time of a source.
func (s *Sender) schedule(name string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.due[name]; !ok || at.Before(cur) {
		s.due[name] = at
	}
}

// sweepList appends the swept source names not already in backlog;
// periodic marks those of a periodic sweep (not the start-up one).
func (s *Sender) sweepList(ctx context.Context, backlog []swept, periodic bool) []swept {
	if s.src.Sweep == nil {
		return backlog
	}
	names, err := s.src.Sweep(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("mail: sweep failed", "error", err)
		}
		return backlog
	}
	seen := make(map[string]bool, len(backlog))
	for _, b := range backlog {
		seen[b.name] = true
	}
	for _, n := range names {
		if !seen[n] && n != s.src.Platform.Name {
			seen[n] = true
			backlog = append(backlog, swept{name: n, ifOpen: periodic})
		}
	}
	return backlog
}
