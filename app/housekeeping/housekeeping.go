// Package housekeeping runs the periodic clean-up of rows that no longer
// serve: ended sessions, used or expired links, stale rate-limit counters.
// Each domain owns its purge (accounts.PurgeCommune, admin.PurgeExpired…);
// this package only schedules them, on the platform database, on the
// communes whose database is open at the time, and on a bounded number of
// closed communes whose registry flag (tenants.WorkHousekeeping, set when
// a session or a link is created) has fallen due, so that a node of
// 10,000 communes never opens them all for this.
package housekeeping

import (
	"context"
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
	// open commune's and on flagged ones'.
	Platform []Purge
	Commune  []Purge
	// MaxClosed bounds the closed communes a pass opens (DefaultMaxClosed
	// when zero).
	MaxClosed int
}

// DefaultMaxClosed is how many flagged closed communes a pass opens at
// most: a day of passes covers 9,600 of them.
const DefaultMaxClosed = 100

// DefaultEvery is the time between two passes.
const DefaultEvery = 15 * time.Minute

// Job is the periodic housekeeping.
type Job struct {
	cfg  Config
	loop Loop
	mu   sync.Mutex // one pass at a time
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
	if cfg.MaxClosed <= 0 {
		cfg.MaxClosed = DefaultMaxClosed
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
		reg := j.cfg.Registry
		visited := map[string]bool{}
		for _, slug := range reg.Cache().Open() {
			if ctx.Err() != nil {
				break
			}
			// Closed (evicted) since the list was taken: not reopened here;
			// its flag brings it back when due.
			db, release, ok := reg.AcquireIfOpen(ctx, slug)
			if !ok {
				continue
			}
			visited[slug] = true
			r.Communes++
			run(slug, db, j.cfg.Commune)
			release()
		}
		due, err := reg.WorkDue(ctx, tenants.WorkHousekeeping, now, j.cfg.MaxClosed)
		if err != nil && ctx.Err() == nil {
			r.Failed++
			j.cfg.Logger.Error("housekeeping: flagged communes", "err", err)
		}
		for _, slug := range due {
			if ctx.Err() != nil || visited[slug] {
				continue
			}
			db, release, err := reg.AcquireBackground(ctx, slug)
			if err != nil {
				r.Failed++
				j.cfg.Logger.Error("housekeeping", "source", slug, "err", err)
				continue
			}
			r.Communes++
			run(slug, db, j.cfg.Commune)
			// What is left (live sessions) falls due again later.
			if err := reg.SettleWork(context.WithoutCancel(ctx), db, tenants.WorkHousekeeping); err != nil {
				j.cfg.Logger.Error("housekeeping: settle", "source", slug, "err", err)
			}
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
	j.loop.Start(ctx, j.cfg.Every, func(ctx context.Context) error {
		_, err := j.RunOnce(ctx)
		return err
	})
}

// Stop ends the job: a pass in progress stops after the purge it is
// running (each purge is one transaction, which is let finish), and Stop
// waits for it, or for ctx.
func (j *Job) Stop(ctx context.Context) error { return j.loop.Stop(ctx, "housekeeping") }
