package tenants

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris must resolve on machines without zoneinfo
)

// BackupReport is the outcome of one backup run.
type BackupReport struct {
	BackedUp, Unchanged int
	Failed              map[string]error // by slug, or PlatformTarget
	Pruned              int
}

// BackupChanged backs up, into dir/communes/, every commune whose file
// changed since its last good backup (the others are marked as still
// covered), and the platform database into dir/platform/; then it deletes
// the backups older than retention, keeping each one's newest. Communes
// are copied a few at a time (half the cores, two at least), beside the
// serving.
func (r *Registry) BackupChanged(ctx context.Context, dir string, retention time.Duration, now time.Time) (BackupReport, error) {
	rep := BackupReport{Failed: map[string]error{}}
	list, err := r.Communes(ctx)
	if err != nil {
		return rep, err
	}
	states, err := r.BackupStates(ctx)
	if err != nil {
		return rep, err
	}
	last := make(map[string]BackupState, len(states))
	for _, s := range states {
		last[s.Target] = s
	}
	communesDir := filepath.Join(dir, "communes")
	var mu sync.Mutex
	jobs := make(chan string)
	var wg sync.WaitGroup
	// Two at least: a copy waits on the disk about half of its time.
	for range max(2, runtime.GOMAXPROCS(0)/2) {
		wg.Go(func() {
			for slug := range jobs {
				skipped, err := r.backupIfChanged(ctx, slug, communesDir, last[slug], now)
				mu.Lock()
				switch {
				case err != nil:
					rep.Failed[slug] = err
				case skipped:
					rep.Unchanged++
				default:
					rep.BackedUp++
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range list {
		if ctx.Err() != nil {
			break
		}
		if !c.ArchivedAt.IsZero() {
			continue // its final backup is kept until PurgeArchived
		}
		jobs <- c.Slug
	}
	close(jobs)
	wg.Wait()
	// The platform database changes all day (sessions): always copied.
	// On PostgreSQL the server's own backups cover it (docs/scale-out.md).
	platformDir := filepath.Join(dir, "platform")
	if r.platform.dialect == SQLite {
		if _, err := r.BackupPlatform(ctx, platformDir, now); err != nil {
			rep.Failed[PlatformTarget] = err
		} else {
			rep.BackedUp++
		}
	}
	for _, d := range []string{communesDir, platformDir} {
		pruned, err := PruneBackups(d, retention, now)
		rep.Pruned += pruned
		if err != nil {
			r.log.Warn("prune backups", "dir", d, "err", err)
		}
	}
	return rep, ctx.Err()
}

// backupIfChanged backs slug up unless its files are as they were when its
// last good backup was taken and that backup is still on disk.
func (r *Registry) backupIfChanged(ctx context.Context, slug, dir string, last BackupState, now time.Time) (skipped bool, err error) {
	if last.Error == "" && last.Path != "" && last.stamp != "" && last.stamp == contentStamp(r.CommunePath(slug)) {
		if _, err := os.Stat(last.Path); err == nil {
			return true, r.markCovered(ctx, slug, now)
		}
	}
	_, err = r.Backup(ctx, slug, dir, now)
	return false, err
}

// BackupSchedule is the daily backup job of `serve`.
type BackupSchedule struct {
	Registry  *Registry
	Dir       string
	At        string // "HH:MM", Europe/Paris
	Retention time.Duration
	Logger    *slog.Logger
	// Done, when not nil, receives each run's report (tests, metrics).
	Done func(BackupReport, error)
	// Now and After are the clock (time.Now and time.After when nil;
	// tests replace them).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time

	stop   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// paris is the time zone of the backup hour.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return loc
}()

// ParseBackupAt checks a backup hour "HH:MM" (24-hour clock).
func ParseBackupAt(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("must be an hour HH:MM such as 02:30, got %q", s)
	}
	return t.Hour(), t.Minute(), nil
}

// NextBackup returns the first moment after now that reads hour:minute in
// Europe/Paris. On the night clocks go forward, an hour that does not
// exist runs an hour later; on the night they go back, an hour that comes
// twice runs the first time.
func NextBackup(now time.Time, hour, minute int) time.Time {
	local := now.In(paris)
	for day := 0; day < 3; day++ {
		d := local.AddDate(0, 0, day)
		at := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, paris)
		if at.After(now) {
			return at
		}
	}
	return now.Add(24 * time.Hour) // unreachable: tomorrow is always after now
}

// Start runs the job every day at At until Stop.
func (b *BackupSchedule) Start(ctx context.Context) error {
	hour, minute, err := ParseBackupAt(b.At)
	if err != nil {
		return err
	}
	if b.Logger == nil {
		b.Logger = slog.Default()
	}
	if b.Now == nil {
		b.Now = time.Now
	}
	if b.After == nil {
		b.After = time.After
	}
	b.stop = make(chan struct{})
	ctx, b.cancel = context.WithCancel(ctx)
	b.wg.Go(func() {
		for {
			now := b.Now()
			next := NextBackup(now, hour, minute)
			b.Logger.Info("next backup", "at", next.Format(time.RFC3339), "dir", b.Dir)
			select {
			case <-b.stop:
				return
			case <-b.After(next.Sub(now)):
			}
			b.RunOnce(ctx, b.Now())
		}
	})
	return nil
}

// RunOnce backs up what changed now, logs the outcome and reports it.
func (b *BackupSchedule) RunOnce(ctx context.Context, now time.Time) (BackupReport, error) {
	start := time.Now()
	rep, err := b.Registry.BackupChanged(ctx, b.Dir, b.Retention, now)
	for target, ferr := range rep.Failed {
		b.Logger.Error("backup failed", "target", target, "err", ferr)
		err = errors.Join(err, fmt.Errorf("%s: %w", target, ferr))
	}
	b.Logger.Info("backup run", "backed_up", rep.BackedUp, "unchanged", rep.Unchanged, "failed", len(rep.Failed),
		"pruned", rep.Pruned, "duration", time.Since(start).Round(time.Millisecond))
	if b.Done != nil {
		b.Done(rep, err)
	}
	return rep, err
}

// Stop ends the job; a run in progress stops at once, leaving no partial
// file (the next run takes what it missed).
func (b *BackupSchedule) Stop() {
	if b.stop != nil {
		close(b.stop)
		b.cancel()
		b.wg.Wait()
	}
}
