package admin

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/absences"
	"espacefamille/tenants"
)

// PurgeExpired deletes the commune's staff sessions that can no longer be
// used (past maxSession or idle), invitation links used or expired more
// than a day ago, and log-in failure counters whose window and lock are
// over. Run by the periodic housekeeping job (app.Housekeeping); it
// returns the number of rows deleted.
func PurgeExpired(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	// "Last seen" times still in memory are written first: an active
	// session must not look idle to the purge.
	if err := db.FlushLater(ctx); err != nil {
		return 0, fmt.Errorf("admin: purge: %w", err)
	}
	var n int64
	old := tenants.FormatTime(now.Add(-24 * time.Hour))
	stmts := []struct {
		query string
		args  []any
	}{
		{`DELETE FROM staff_sessions WHERE expires_at < ? OR last_seen_at < ?`, []any{tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout))}},
		{`DELETE FROM staff_tokens WHERE expires_at < ? OR (used_at IS NOT NULL AND used_at < ?)`, []any{old, old}},
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, s := range stmts {
			res, err := tx.ExecContext(ctx, s.query, s.args...)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		m, err := staffThrottle.Purge(ctx, tx, now, loginLimit.Window)
		n += m
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("admin: purge sessions and tokens: %w", err)
	}
	return n, nil
}

// EndAllSessions ends every staff session of the commune (it is being
// archived).
func EndAllSessions(ctx context.Context, db *tenants.DB) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions`); err != nil {
			return fmt.Errorf("admin: end staff sessions: %w", err)
		}
		return nil
	})
}

// PurgeCertificates is the housekeeping's RGPD purge of the medical
// certificates kept past the commune's retention
// (absences.PurgeCertificates), audited in the same transaction under
// "système".
func PurgeCertificates(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = absences.PurgeCertificates(ctx, tx, now); err != nil || n == 0 {
			return err
		}
		rule, err := absences.LoadRule(ctx, tx)
		if err != nil {
			return err
		}
		return audit(ctx, tx, nil, "purge", "absence_certificates", "", nil,
			map[string]any{"deleted": n, "retention_months": rule.CertificateMonths}, now)
	})
	return n, err
}
