package reminder

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"espacefamille/app/housekeeping"
	"espacefamille/tenants"
)

// Config is what the job needs.
type Config struct {
	Registry *tenants.Registry
	Logger   *slog.Logger
	// AbsURL makes commune paths absolute for the emails
	// (web.CommuneURL with the node's public URL).
	AbsURL func(tenants.Commune, string) string
	// Notify wakes the mail sender for a commune that queued reminders.
	Notify func(slug string)
	Every  time.Duration    // between passes (DefaultEvery when zero)
	Now    func() time.Time // the clock (time.Now when nil)
	// MaxCommunes bounds the communes one pass opens (DefaultMaxCommunes
	// when zero); the others wait for the next pass.
	MaxCommunes int
	// Share is the largest share of one core a pass takes (DefaultShare
	// when zero; 1: no pause): after each commune it pauses in proportion
	// to what that commune took, so that a pass over hundreds of closed
	// communes (a new node's first look at each) never competes with the
	// parents' pages.
	Share float64
}

// Defaults of the job.
const (
	DefaultEvery       = 5 * time.Minute
	DefaultMaxCommunes = 200
	DefaultShare       = 0.1
)

// Job sends the cut-off reminders of the communes whose turn has come.
type Job struct {
	cfg  Config
	mu   sync.Mutex // one pass at a time
	loop housekeeping.Loop
}

// NewJob returns the job; Start runs it.
func NewJob(cfg Config) *Job {
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxCommunes <= 0 {
		cfg.MaxCommunes = DefaultMaxCommunes
	}
	if cfg.Notify == nil {
		cfg.Notify = func(string) {}
	}
	if cfg.Share <= 0 || cfg.Share > 1 {
		cfg.Share = DefaultShare
	}
	return &Job{cfg: cfg}
}

// Report is what one pass did.
type Report struct {
	Communes int // communes opened
	Reminded int // children reminded
	Failed   int // communes whose pass failed (logged; retried at the next pass)
}

// RunOnce opens the communes whose reminders the registry says are due
// (tenants.WorkReminders), and those never looked at yet (a new
// commune), at most MaxCommunes, sends what is due in each, and records
// each one's next due time. No other commune file is opened.
func (j *Job) RunOnce(ctx context.Context) (Report, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var r Report
	reg, now := j.cfg.Registry, j.cfg.Now()
	due, err := reg.WorkDue(ctx, tenants.WorkReminders, now, j.cfg.MaxCommunes)
	if err != nil {
		return r, err
	}
	if len(due) < j.cfg.MaxCommunes {
		fresh, err := reg.MissingWork(ctx, tenants.WorkReminders, j.cfg.MaxCommunes-len(due))
		if err != nil {
			return r, err
		}
		due = append(due, fresh...)
	}
	var last time.Time // when the previous commune's visit started
	for i, slug := range due {
		if i > 0 {
			_ = tenants.Pace(ctx, last, j.cfg.Share)
		}
		if ctx.Err() != nil {
			break
		}
		last = time.Now()
		r.Communes++
		res, err := j.commune(context.WithoutCancel(ctx), slug, now)
		if err != nil {
			r.Failed++
			j.cfg.Logger.Error("reminder", "commune", slug, "err", err)
			res.Next = now.Add(j.cfg.Every) // try again at the next pass
		}
		r.Reminded += res.Reminded
		if res.Emails > 0 {
			j.cfg.Notify(slug)
		}
		if err := reg.SetWork(context.WithoutCancel(ctx), slug, tenants.WorkReminders, res.Next); err != nil && !errors.Is(err, tenants.ErrNotFound) {
			j.cfg.Logger.Error("reminder: next due", "commune", slug, "err", err)
		}
	}
	if r.Reminded > 0 || r.Failed > 0 {
		j.cfg.Logger.Info("reminder", "communes", r.Communes, "reminded", r.Reminded, "failed", r.Failed)
	}
	return r, ctx.Err()
}

func (j *Job) commune(ctx context.Context, slug string, now time.Time) (Result, error) {
	reg := j.cfg.Registry
	com, err := reg.Commune(ctx, slug)
	if err != nil {
		return Result{}, err
	}
	// Opened as a background visit: the communes parents use stay open.
	db, release, err := reg.AcquireBackground(ctx, slug)
	if err != nil {
		return Result{}, err
	}
	defer release()
	return Commune(ctx, db, reg.Platform().Reader(), com, j.cfg.AbsURL, now)
}

// Start runs a pass now and then every cfg.Every, until Stop or ctx ends;
// a failed pass is logged and the next one tries again.
func (j *Job) Start(ctx context.Context) {
	j.loop.Start(ctx, j.cfg.Every, func(ctx context.Context) error {
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.cfg.Logger.Error("reminder", "err", err)
		}
		return ctx.Err()
	})
}

// Stop ends the job after the commune in progress and waits for it, or
// for ctx.
func (j *Job) Stop(ctx context.Context) error { return j.loop.Stop(ctx, "reminder") }
