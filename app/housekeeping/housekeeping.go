// Package housekeeping runs the periodic clean-up of rows that no longer
// serve: ended sessions, used or expired links, stale rate-limit counters.
// Each domain owns its purge (accounts.PurgeCommune, admin.PurgeExpired…);
// this package only schedules them, on the platform database and on the
// communes whose database is open at the time, so that a node of 10,000
// communes never opens them all for this. A commune that stays closed has
// nobody logging in, and its rows are purged the next time it is open
// during a pass.
package housekeeping

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"espacefamille/tenants"
)

// Purge deletes what is stale in one database and returns how many rows.
type Purge func(ctx context.Context, db *tenants.DB, now time.Time) (int64, error)

// Config is what the job runs, where and how often.
type Config struct {
	Registry *tenants.Registry
	Logger   *slog.Logger
	// Every is the time between two passes (DefaultEvery when zero).
	Every time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Platform purges run on the platform database, Commune purges on each
	// open commune's.
	Platform []Purge
	Commune  []Purge
}

// DefaultEvery is the time between two passes.
const DefaultEvery = 15 * time.Minute

// Job is the periodic housekeeping.
type Job struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex // one pass at a time
}

// New returns a job; Start runs it.
func New(cfg Config) *Job {
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Job{cfg: cfg}
}

// Report is what one pass did.
type Report struct {
	Communes int   // communes visited
	Deleted  int64 // rows deleted, all databases together
	Failed   int   // purges that failed (logged)
}

// RunOnce makes one pass: the platform database, then every commune open
// now. A failing purge is logged and the pass goes on; the error returned
// is the context's, when it ended the pass.
func (j *Job) RunOnce(ctx context.Context) (Report, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var r Report
	now := j.cfg.Now()
	run := func(source string, db *tenants.DB, purges []Purge) {
		for _, p := range purges {
			if ctx.Err() != nil {
				return
			}
			// A purge started finishes even if Stop comes meanwhile.
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			n, err := p(pctx, db, now)
			cancel()
			if err != nil {
				r.Failed++
				j.cfg.Logger.Error("housekeeping", "source", source, "err", err)
				continue
			}
			r.Deleted += n
		}
	}
	if len(j.cfg.Platform) > 0 {
		run("platform", j.cfg.Registry.Platform(), j.cfg.Platform)
	}
	if len(j.cfg.Commune) > 0 {
		for _, slug := range j.cfg.Registry.Cache().Open() {
			if ctx.Err() != nil {
				break
			}
			// Closed (evicted) since the list was taken: not reopened,
			// its next visitor's pass will purge it.
			db, release, ok := j.cfg.Registry.AcquireIfOpen(ctx, slug)
			if !ok {
				continue
			}
			r.Communes++
			run(slug, db, j.cfg.Commune)
			release()
		}
	}
	if r.Deleted > 0 || r.Failed > 0 {
		j.cfg.Logger.Info("housekeeping", "communes", r.Communes, "deleted", r.Deleted, "failed", r.Failed)
	}
	return r, ctx.Err()
}

// Start runs a pass now and then every cfg.Every, until Stop or until ctx
// ends.
func (j *Job) Start(ctx context.Context) {
	ctx, j.cancel = context.WithCancel(ctx)
	j.done = make(chan struct{})
	go func() {
		defer close(j.done)
		t := time.NewTicker(j.cfg.Every)
		defer t.Stop()
		for {
			if _, err := j.RunOnce(ctx); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the job: a pass in progress stops after the purge it is
// running (each purge is one transaction, which is let finish), and Stop
// waits for it, or for ctx.
func (j *Job) Stop(ctx context.Context) error {
	if j.cancel == nil {
		return nil
	}
	j.cancel()
	select {
	case <-j.done:
		return nil
	case <-ctx.Done():
		return errors.New("housekeeping: stop: " + ctx.Err().Error())
	}
}
