package tenants

import (
	"context"
	"log/slog"
	"time"
)

// The console's figures of a commune (families, children, bookings of the
// last seven days, last activity) live in the registry, so that the list of
// every commune opens no file. They are refreshed:
//   - at most once per ActivityEvery while the commune writes, right after
//     the write transaction that finds them due (DB.Tx): a busy commune's
//     figures are at most that old;
//   - when its handle closes after writing (cache eviction, shutdown);
//   - by the daily audit of every file (families, children, bookings: the
//     seven-day count of a commune nobody writes to still goes down).
//
// Last activity is the time of the commune's last write transaction
// (a booking, a log-in, a back-office change), as this node saw it.

// ActivityEvery is how often a writing commune's figures are refreshed.
const ActivityEvery = time.Hour

// figures is what the registry keeps of a commune's content.
type figures struct {
	families, children, bookings7d int64
}

// readFigures counts a commune's families, children and the reservations
// validated in the seven days before now (an index read, migration 00033).
func readFigures(ctx context.Context, db *DB, now time.Time) (figures, bool) {
	var f figures
	err := db.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM families), (SELECT count(*) FROM children),
		(SELECT count(*) FROM reservations WHERE validated_at >= ?)`,
		FormatTime(now.Add(-7*24*time.Hour))).Scan(&f.families, &f.children, &f.bookings7d)
	return f, err == nil
}

// wrote is called by DB.Tx after each commit: it notes the time and, when
// due, refreshes the commune's figures in the registry. It holds the
// commune's writer (lock order: commune, then platform) for one read and
// one platform write, once per ActivityEvery.
func (d *DB) wrote(ctx context.Context, now time.Time) {
	d.lastWrite.Store(now.UnixNano())
	w := d.work
	if w == nil || w.deferred != nil || w.platform == nil {
		return
	}
	due := d.activityDue.Load()
	if now.UnixNano() < due || !d.activityDue.CompareAndSwap(due, now.Add(ActivityEvery).UnixNano()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	f, ok := readFigures(ctx, d, now)
	if !ok {
		return
	}
	if err := w.recordActivity(ctx, f, now, now); err != nil {
		slog.Warn("tenants: record commune figures", "path", d.path, "err", err)
	}
}

// recordActivity writes a commune's figures, read at readAt, and its last
// write at last (zero: unchanged).
func (w *workRecorder) recordActivity(ctx context.Context, f figures, readAt, last time.Time) error {
	at := FormatTime(readAt)
	lastAt := ""
	if !last.IsZero() {
		lastAt = FormatTime(last)
	}
	_, err := w.platform.W.ExecContext(ctx, `UPDATE communes SET families = ?, children = ?, bookings_7d = ?, stats_at = ?, activity_at = ?,
		last_activity_at = CASE WHEN ? > last_activity_at THEN ? ELSE last_activity_at END WHERE id = ?`,
		f.families, f.children, f.bookings7d, at, at, lastAt, lastAt, w.communeID)
	return err
}

// LastWrite is when the handle last committed a write transaction (zero:
// never since it opened).
func (d *DB) LastWrite() time.Time {
	if n := d.lastWrite.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}
