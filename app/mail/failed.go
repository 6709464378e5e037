package mail

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The emails the sender gave up on, for the back office: how many, which,
// and sending one again after the address was corrected.

// CountFailed counts the outbox rows the sender gave up on.
func CountFailed(ctx context.Context, q Querier) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'failed'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mail: count failed: %w", err)
	}
	return n, nil
}

// ListFailed returns up to limit failed rows, newest first.
func ListFailed(ctx context.Context, q Querier, limit int) ([]Entry, error) {
	return list(ctx, q, `SELECT `+entryColumns+` FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT ?`, limit)
}

// Retry queues a failed row again, due now, with a fresh count of
// attempts; ErrNotFound when there is no failed row with that id.
func Retry(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (Entry, error) {
	e, err := Get(ctx, tx, id)
	if err != nil {
		return e, err
	}
	if e.Status != StatusFailed {
		return e, ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'failed'`,
		formatTime(now), id); err != nil {
		return e, fmt.Errorf("mail: retry %d: %w", id, err)
	}
	return e, nil
}
