package auth

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/tenants"
)

// Limit is a rate limit: at most Max attempts of a key within Window;
// the attempt after them holds the key for Hold.
type Limit struct {
	Max    int
	Window time.Duration
	Hold   time.Duration
}

// Key is one counter an attempt is charged to ("login:email:…") and its
// limit.
type Key struct {
	Name  string
	Limit Limit
}

// Throttle counts attempts in a table of the shape
//
//	key TEXT PRIMARY KEY, failures INTEGER, window_start TEXT, locked_until TEXT
//
// (the platform's throttles, a commune's staff_login_failures). An attempt
// is counted before the password or code is checked, in one statement per
// key, so that concurrent attempts cannot all read the same count: of 20
// simultaneous wrong passwords against a limit of 10, exactly 10 are
// checked and 10 refused. A success then forgets the attempt.
type Throttle struct{ table string }

// NewThrottle returns the throttle over table (a constant of the caller).
func NewThrottle(table string) Throttle { return Throttle{table: table} }

// Attempt is the verdict on one attempt over its keys.
type Attempt struct {
	// Allowed: every key was under its limit; the caller may check the
	// password or code.
	Allowed bool
	// Until is, when not allowed, the end of the latest hold.
	Until time.Time
	// Last: the attempt used the last one a key allowed; if it fails, the
	// next attempt is refused.
	Last bool
	keys []Key
}

// Begin counts one attempt against each key, inside tx, and says whether
// it may go on. A key whose window is over, or whose hold has ended,
// starts counting again; the attempt after Max holds the key for Hold
// (held attempts are counted too, but do not extend the hold).
func (t Throttle) Begin(ctx context.Context, tx *sql.Tx, now time.Time, keys ...Key) (Attempt, error) {
	a := Attempt{Allowed: true, keys: keys}
	for _, k := range keys {
		// SQLite and PostgreSQL evaluate every SET expression over the row
		// as it was: "held" and "stale" below are read before anything
		// changes. The row's columns are named with the table's name
		// (PostgreSQL finds a bare name ambiguous beside "excluded").
		row := t.table + "."
		held := `COALESCE(` + row + `locked_until, '') > :now`
		stale := `(` + row + `window_start < :window_start OR COALESCE(` + row + `locked_until, '') <> '')`
		var failures int
		var until string
		err := tx.QueryRowContext(ctx, `
			INSERT INTO `+t.table+` (key, failures, window_start, locked_until) VALUES (:key, 1, :now, '')
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN `+held+` THEN `+row+`failures + 1 WHEN `+stale+` THEN 1 ELSE `+row+`failures + 1 END,
				window_start = CASE WHEN `+held+` THEN `+row+`window_start WHEN `+stale+` THEN :now ELSE `+row+`window_start END,
				locked_until = CASE WHEN `+held+` THEN `+row+`locked_until
					WHEN NOT `+stale+` AND `+row+`failures + 1 > :max THEN :hold ELSE '' END
			RETURNING failures, COALESCE(locked_until, '')`,
			sql.Named("key", k.Name), sql.Named("now", tenants.FormatTime(now)), sql.Named("window_start", tenants.FormatTime(now.Add(-k.Limit.Window))),
			sql.Named("max", k.Limit.Max), sql.Named("hold", tenants.FormatTime(now.Add(k.Limit.Hold)))).Scan(&failures, &until)
		if err != nil {
			return Attempt{}, fmt.Errorf("auth: throttle %s: %w", k.Name, err)
		}
		if failures > k.Limit.Max {
			a.Allowed = false
			if u, err := tenants.ParseTime(until); err == nil && u.After(a.Until) {
				a.Until = u
			}
		}
		a.Last = a.Last || failures == k.Limit.Max
	}
	if !a.Allowed {
		a.Last = false
	}
	return a, nil
}

// Succeeded forgets a successful attempt, inside tx: the first key (the
// identifier or account) starts again from zero; the others (a client
// address shared by a household) only get this attempt back, unless they
// are held.
func (t Throttle) Succeeded(ctx context.Context, tx *sql.Tx, now time.Time, a Attempt) error {
	for i, k := range a.keys {
		q := `UPDATE ` + t.table + ` SET failures = failures - 1 WHERE key = ? AND failures > 0 AND COALESCE(locked_until, '') <= ?`
		if i == 0 {
			q = `DELETE FROM ` + t.table + ` WHERE key = ? AND COALESCE(locked_until, '') <= ?`
		}
		if _, err := tx.ExecContext(ctx, q, k.Name, tenants.FormatTime(now)); err != nil {
			return fmt.Errorf("auth: throttle %s: %w", k.Name, err)
		}
	}
	return nil
}

// Purge deletes the counters that no longer hold anything: no hold, and
// a window that started more than keep ago. It returns how many.
func (t Throttle) Purge(ctx context.Context, tx *sql.Tx, now time.Time, keep time.Duration) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE COALESCE(locked_until, '') < ? AND window_start < ?`,
		tenants.FormatTime(now), tenants.FormatTime(now.Add(-keep)))
	if err != nil {
		return 0, fmt.Errorf("auth: purge %s: %w", t.table, err)
	}
	return res.RowsAffected()
}
