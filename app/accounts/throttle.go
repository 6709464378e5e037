package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// limit is a rate limit: max failures within window lock the key for hold.
type limit struct {
	max    int
	window time.Duration
	hold   time.Duration
}

// The limits. Codes: 5 wrong tries hold the account and the address for 15
// minutes (issue 3). Log-in: the address is held after 10 failures on one
// identifier, and a client address after 30 (a household behind one
// router, a typo-prone parent). Reset emails: at most 5 an hour.
var (
	codeLimit      = limit{max: 5, window: 15 * time.Minute, hold: 15 * time.Minute}
	loginLimit     = limit{max: 10, window: 15 * time.Minute, hold: 15 * time.Minute}
	loginIPLimit   = limit{max: 30, window: 15 * time.Minute, hold: 15 * time.Minute}
	resetMailLimit = limit{max: 5, window: time.Hour, hold: time.Hour}
)

// lockedUntil returns the latest hold among keys, or the zero time.
func lockedUntil(ctx context.Context, q querier, now time.Time, keys ...string) (time.Time, error) {
	var until time.Time
	for _, k := range keys {
		var s string
		err := q.QueryRowContext(ctx, `SELECT locked_until FROM throttles WHERE key = ?`, k).Scan(&s)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("accounts: throttle %s: %w", k, err)
		}
		if t := parseTS(s); t.After(now) && t.After(until) {
			until = t
		}
	}
	return until, nil
}

// recordFailure counts one failure against key, inside tx, and locks the
// key when the limit is reached. It reports whether the key is now locked.
func recordFailure(ctx context.Context, tx *sql.Tx, key string, l limit, now time.Time) (bool, error) {
	var failures int
	var start, locked string
	err := tx.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM throttles WHERE key = ?`, key).
		Scan(&failures, &start, &locked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("accounts: throttle %s: %w", key, err)
	}
	if errors.Is(err, sql.ErrNoRows) || now.Sub(parseTS(start)) > l.window {
		failures, start = 0, ts(now)
	}
	failures++
	lockedNow := failures >= l.max
	if lockedNow {
		failures, start, locked = 0, ts(now), ts(now.Add(l.hold))
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO throttles (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
			locked_until = excluded.locked_until`, key, failures, start, locked)
	if err != nil {
		return false, fmt.Errorf("accounts: throttle %s: %w", key, err)
	}
	return lockedNow, nil
}

// clearFailures forgets the failures of key (after a success).
func clearFailures(ctx context.Context, tx *sql.Tx, key string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE key = ? AND locked_until < ?`, key, ts(now)); err != nil {
		return fmt.Errorf("accounts: throttle %s: %w", key, err)
	}
	return nil
}

// purgeThrottles drops rows that no longer hold anything (at log-in, and
// periodically: PurgePlatform) and returns how many.
func purgeThrottles(ctx context.Context, tx *sql.Tx, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE locked_until < ? AND window_start < ?`,
		ts(now), ts(now.Add(-2*time.Hour)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Throttle keys.
func keyLoginEmail(email string) string { return "login:email:" + email }
func keyLoginIP(ip string) string       { return "login:ip:" + ip }
func keyCodeAccount(id int64) string    { return fmt.Sprintf("code:account:%d", id) }
func keyCodeIP(ip string) string        { return "code:ip:" + ip }
func keyResetMail(email string) string  { return "reset:email:" + email }
