package tenants

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"time"
)

// AuditOptions tune the background audit.
type AuditOptions struct {
	// Every is how old an audit may get before the file is read again
	// (default 24h).
	Every time.Duration
	// Share is the largest share of one core the audit may take (default
	// 0.05): after each file it sleeps (1/Share - 1) times what it took.
	Share float64
	// Idle is how long it waits when no file is due (default 1 minute).
	Idle time.Duration
}

// AuditReport is what one audited file showed.
type AuditReport struct {
	Slug     string
	Work     map[Work]string // kinds of work found, with when they fall due
	Problems string          // quick_check's findings ("" when sound)
	Err      error
}

// RunAudit is the one full sweep a node keeps: it reads every commune's
// file in turn, the least recently audited first, at a bounded rate (see
// AuditOptions.Share), until ctx ends. Each audit flags the work the file
// holds (files written before flags existed, or by an older binary),
// refreshes the registry's figures and quick-checks the file. It never
// removes a flag: only SettleWork does, under the commune's write lock.
func (r *Registry) RunAudit(ctx context.Context, opt AuditOptions) {
	if opt.Every <= 0 {
		opt.Every = 24 * time.Hour
	}
	if opt.Share <= 0 || opt.Share > 1 {
		opt.Share = 0.05
	}
	if opt.Idle <= 0 {
		opt.Idle = time.Minute
	}
	for ctx.Err() == nil {
		slug, err := r.nextAudit(ctx, time.Now().Add(-opt.Every))
		if err == nil && slug != "" {
			start := time.Now()
			rep := r.Audit(ctx, slug)
			if rep.Err != nil && ctx.Err() == nil {
				r.log.Warn("tenants: audit", "commune", slug, "err", rep.Err)
			}
			_ = Pace(ctx, start, opt.Share)
			continue
		} else if err != nil && ctx.Err() == nil {
			r.log.Error("tenants: audit: next commune", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(opt.Idle):
		}
	}
}

// nextAudit returns the active, healthy commune audited least recently,
// if that was before cutoff.
func (r *Registry) nextAudit(ctx context.Context, cutoff time.Time) (string, error) {
	var slug string
	err := r.platform.Reader().QueryRowContext(ctx, `SELECT slug FROM communes
		WHERE status = 'active' AND broken = '' AND audited_at < ? ORDER BY audited_at, slug LIMIT 1`,
		FormatTime(cutoff)).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return slug, err
}

// Audit reads one commune's file without going through the handle cache
// (the communes in use stay in it): the work it holds, its counts and
// quick_check; it records them in the registry, or marks the commune
// broken when the file is damaged.
func (r *Registry) Audit(ctx context.Context, slug string) AuditReport {
	rep := AuditReport{Slug: slug}
	c, err := r.Commune(ctx, slug)
	if err != nil {
		rep.Err = err
		return rep
	}
	path := r.CommunePath(slug)
	now := time.Now()
	reason, err := checkHeader(path)
	if err != nil {
		rep.Err = err
		return rep
	}
	if reason != "" {
		_ = r.MarkBroken(ctx, slug, reason)
		rep.Problems = reason
		return rep
	}
	st, err := os.Stat(path)
	if err != nil {
		rep.Err = err
		return rep
	}
	db, err := OpenDB(path, OpenOptions{ReadConns: 1, Lazy: true})
	if err != nil {
		rep.Err = err
		return rep
	}
	fig, _ := readFigures(ctx, db, now)
	version, verr := Version(ctx, db.Reader())
	rep.Work, err = findWork(ctx, db.Reader(), now)
	if err == nil && st.Size() <= quickCheckMax {
		rep.Problems, err = integrity(ctx, db.Reader(), "quick_check")
	}
	db.Close()
	switch {
	case IsCorrupt(err) || IsCorrupt(verr):
		rep.Problems = errors.Join(err, verr).Error()
		err = nil
	case verr != nil:
		err = verr
	}
	if rep.Problems != "" {
		_ = r.MarkBroken(ctx, slug, "quick_check : "+rep.Problems)
		return rep
	}
	if err != nil {
		rep.Err = err
		return rep
	}
	rep.Err = r.platform.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range workKinds {
			if due, ok := rep.Work[k.kind]; ok {
				if err := upsertWork(ctx, tx, c.ID, k.kind, due, true); err != nil {
					return err
				}
			}
		}
		stamp := FormatTime(now)
		_, err := tx.ExecContext(ctx, `UPDATE communes SET schema_version = ?, size_bytes = ?, families = ?, children = ?,
			bookings_7d = ?, stats_at = ?, activity_at = ?, audited_at = ? WHERE id = ?`,
			version, st.Size(), fig.families, fig.children, fig.bookings7d, stamp, stamp, stamp, c.ID)
		return err
	})
	return rep
}
