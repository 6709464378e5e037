package tenants

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/litestream"
)

// Errors of a restore from the replica; nothing was changed.
var (
	// ErrNotInReplica: the replica holds no copy of the commune (or file).
	ErrNotInReplica = errors.New("the replica holds no copy of it")
	// ErrOutsideReplica: the moment asked is outside the history the
	// replica retains (ReplicaRange).
	ErrOutsideReplica = errors.New("the moment asked is outside the history the replica retains")
)

// ReplicaRange is the history the replica holds of one file.
type ReplicaRange struct {
	From, To time.Time // first and last moments a restore can reach
}

// Range returns the history the replica holds of the commune slug;
// ErrNotInReplica when it holds none.
func (rep *Replicator) Range(ctx context.Context, slug string) (ReplicaRange, error) {
	return rep.rangeOf(ctx, replicaName(slug))
}

func (rep *Replicator) rangeOf(ctx context.Context, name string) (ReplicaRange, error) {
	client, err := rep.client(name)
	if err != nil {
		return ReplicaRange{}, err
	}
	from, to, err := litestream.NewReplicaWithClient(nil, client).TimeBounds(ctx)
	if err != nil {
		return ReplicaRange{}, fmt.Errorf("replica %s: %w", name, err)
	}
	if from.IsZero() && to.IsZero() {
		return ReplicaRange{}, fmt.Errorf("%w (%s)", ErrNotInReplica, name)
	}
	return ReplicaRange{From: from, To: to}, nil
}

// ReplicaRestore tunes Registry.RestoreFromReplica.
type ReplicaRestore struct {
	// At is the moment to go back to (zero: the replica's latest state).
	// The restored state is the last one shipped before At: writes of
	// the last sync interval before At may be missing.
	At time.Time
	// Settle is how long to wait after suspending the commune, so that
	// the nodes serving it see the suspension (their resolve cache).
	Settle time.Duration
	// Progress is told of each step (nil: silent).
	Progress func(step string)
}

// ReplicaRestored reports a restore from the replica.
type ReplicaRestored struct {
	Commune Commune
	Range   ReplicaRange // the history the replica held
	Files   int          // files of the replica put together
	Bytes   int64        // their size
	Before  string       // copy of the data before the restore ("": none)
}

// RestoreFromReplica puts the commune slug back as the replica holds it at
// opt.At, in place: the commune is suspended meanwhile (and reopened
// after, when it was active), its current data is copied to
// <data>/before-restore/ first, and the file restored passes
// PRAGMA integrity_check before it replaces anything (RestoreCommune). A
// commune deleted from the registry is registered again.
func (r *Registry) RestoreFromReplica(ctx context.Context, rep *Replicator, slug string, opt ReplicaRestore) (ReplicaRestored, error) {
	var out ReplicaRestored
	progress := opt.progress()
	if err := ValidateSlug(slug); err != nil {
		return out, err
	}
	p, err := rep.plan(ctx, replicaName(slug), opt.At, &out)
	if err != nil {
		return out, err
	}
	c, err := r.Commune(ctx, slug)
	switch {
	case err == nil && c.Status == StatusActive:
		if err := r.SetStatus(ctx, slug, StatusSuspended); err != nil {
			return out, err
		}
		// Whatever happens next, the commune opens again.
		defer func() {
			if err := r.SetStatus(context.WithoutCancel(ctx), slug, StatusActive); err != nil {
				r.log.Error("tenants: resume after restore", "commune", slug, "err", err)
			}
		}()
		progress(fmt.Sprintf("commune %s suspended (its pages answer 503 during the restore)", slug))
		if opt.Settle > 0 {
			progress(fmt.Sprintf("waiting %s for the serving nodes to see the suspension", opt.Settle))
			select {
			case <-time.After(opt.Settle):
			case <-ctx.Done():
				return out, ctx.Err()
			}
		}
	case err != nil && !errors.Is(err, ErrNotFound):
		return out, err
	}
	tmp, err := r.download(ctx, p, slug, out, progress)
	defer removeDBFiles(tmp)
	if err != nil {
		return out, err
	}
	out.Commune, out.Before, err = r.RestoreCommune(ctx, slug, tmp, "")
	if err != nil {
		return out, err
	}
	progress(fmt.Sprintf("commune %s restored", slug))
	return out, nil
}

// RestorePlatformFromReplica puts the platform database back as the
// replica holds it at opt.At (RestorePlatform: integrity check, copy of
// the current one to <data>/before-restore/, in-place replacement).
func (r *Registry) RestorePlatformFromReplica(ctx context.Context, rep *Replicator, opt ReplicaRestore) (ReplicaRestored, error) {
	var out ReplicaRestored
	if r.platform.dialect == Postgres {
		return out, ErrPlatformOnPostgres
	}
	progress := opt.progress()
	p, err := rep.plan(ctx, "platform", opt.At, &out)
	if err != nil {
		return out, err
	}
	tmp, err := r.download(ctx, p, "platform", out, progress)
	defer removeDBFiles(tmp)
	if err != nil {
		return out, err
	}
	if out.Before, err = r.RestorePlatform(ctx, tmp); err != nil {
		return out, err
	}
	progress("platform database restored")
	return out, nil
}

func (o ReplicaRestore) progress() func(string) {
	if o.Progress == nil {
		return func(string) {}
	}
	return o.Progress
}

// replicaPlan is a restore the replica can serve: the files to put
// together, up to the moment at (zero: the latest state).
type replicaPlan struct {
	name   string
	client litestream.ReplicaClient
	at     time.Time
}

// plan checks that the replica holds the file name at the moment at and
// fills out's range, file count and size.
func (rep *Replicator) plan(ctx context.Context, name string, at time.Time, out *ReplicaRestored) (replicaPlan, error) {
	if rep == nil {
		return replicaPlan{}, errors.New("tenants: no replica configured (ESPACEFAMILLE_REPLICA_URL)")
	}
	rg, err := rep.rangeOf(ctx, name)
	if err != nil {
		return replicaPlan{}, err
	}
	out.Range = rg
	switch {
	case at.IsZero():
	case at.Before(rg.From) || at.After(time.Now()):
		return replicaPlan{}, fmt.Errorf("%w: %s is not between %s and now", ErrOutsideReplica,
			at.Format(time.DateTime), rg.From.In(at.Location()).Format(time.DateTime))
	}
	// A moment after the replica's last change stays that moment, not
	// "the latest": the node may ship newer changes meanwhile (a restore
	// to the past ships the restored file), which the moment excludes.
	client, err := rep.client(name)
	if err != nil {
		return replicaPlan{}, err
	}
	files, err := litestream.CalcRestorePlan(ctx, client, 0, at, rep.log)
	if err != nil {
		return replicaPlan{}, fmt.Errorf("%w: %v", ErrOutsideReplica, err)
	}
	for _, f := range files {
		out.Files++
		out.Bytes += f.Size
	}
	return replicaPlan{name: name, client: client, at: at}, nil
}

// download assembles the plan's file under <data>/restore/ and returns
// its path (remove it after use, also on error).
func (r *Registry) download(ctx context.Context, p replicaPlan, prefix string, out ReplicaRestored, progress func(string)) (string, error) {
	dir := filepath.Join(r.dir, "restore")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("tenants: restore directory: %w", err)
	}
	tmp := filepath.Join(dir, prefix+"-"+time.Now().UTC().Format(backupStamp)+".db")
	progress(fmt.Sprintf("downloading %d file(s) of the replica (%s)", out.Files, HumanBytes(out.Bytes)))
	ropt := litestream.NewRestoreOptions()
	ropt.OutputPath, ropt.Timestamp = tmp, p.at
	if err := litestream.NewReplicaWithClient(nil, p.client).Restore(ctx, ropt); err != nil {
		return tmp, fmt.Errorf("tenants: restore %s from the replica: %w", p.name, err)
	}
	progress("integrity check, copy of the current data, replacement")
	return tmp, nil
}

// HumanBytes writes a size for people ("12.3 MiB").
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
