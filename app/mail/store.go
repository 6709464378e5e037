package mail

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"espacefamille/tenants"
)

// The sender's queries. Each is one short statement or one short write
// transaction; none is held open across SMTP I/O, and inside the write
// transaction every statement goes through the transaction (a one-connection
// writer pool would deadlock on a read through the pool).

// outboxState is what a cheap indexed read tells about a source's outbox.
type outboxState struct {
	nextPending   string // earliest next_attempt_at of a pending row, "" if none
	oldestSending string // earliest claim time of a sending row, "" if none
}

func peek(ctx context.Context, db *sql.DB) (outboxState, error) {
	var p, s sql.NullString
	err := db.QueryRowContext(ctx, `
		SELECT (SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'),
		       (SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'sending')`).Scan(&p, &s)
	if err != nil {
		return outboxState{}, fmt.Errorf("mail: peek outbox: %w", err)
	}
	return outboxState{nextPending: p.String, oldestSending: s.String}, nil
}

// recoverStuck puts back to 'pending' the rows claimed before cutoff and never
// settled (the process died mid-batch). The interrupted try counts as an attempt.
func recoverStuck(ctx context.Context, db *sql.DB, cutoff, now time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `
		UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?,
		       last_error = 'interrupted while sending (the message may have been delivered)'
		WHERE status = 'sending' AND next_attempt_at <= ?`, tenants.FormatTime(now), tenants.FormatTime(cutoff))
	if err != nil {
		return 0, fmt.Errorf("mail: recover stuck rows: %w", err)
	}
	return res.RowsAffected()
}

// claimed is an outbox row moved to 'sending' by claim.
type claimed struct {
	Outgoing
	attempts int // tries before this one
}

// claim moves up to limit due rows to 'sending' in one atomic statement,
// stamping next_attempt_at with the claim time, and returns them.
func claim(ctx context.Context, db *sql.DB, source string, now time.Time, limit int) ([]claimed, error) {
	ts := tenants.FormatTime(now)
	rows, err := db.QueryContext(ctx, `
		UPDATE outbox SET status = 'sending', next_attempt_at = ?
		WHERE id IN (SELECT id FROM outbox
		             WHERE status = 'pending' AND next_attempt_at <= ?
		             ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING id, kind, to_addr, to_name, from_name, subject, text_body, html_body, attempts, created_at, unsubscribe_url`,
		ts, ts, limit)
	if err != nil {
		return nil, fmt.Errorf("mail: claim outbox rows: %w", err)
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var (
			c       claimed
			created string
		)
		if err := rows.Scan(&c.ID, &c.Kind, &c.To, &c.ToName, &c.FromName, &c.Subject, &c.Text, &c.HTML,
			&c.attempts, &created, &c.Unsubscribe); err != nil {
			return nil, fmt.Errorf("mail: claim outbox rows: %w", err)
		}
		c.Source = source
		c.Attempt = c.attempts + 1
		if c.CreatedAt, err = tenants.ParseTime(created); err != nil {
			c.CreatedAt = now // a malformed stamp must not block the mail
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mail: claim outbox rows: %w", err)
	}
	// Rows come back in no guaranteed order; keep the queue's order for sending.
	slices.SortFunc(out, func(a, b claimed) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// outcome is how one claimed row is settled.
type outcome struct {
	id        int64
	status    string // StatusSent, StatusPending (retry) or StatusFailed
	next      time.Time
	lastError string
}

// settle writes the outcomes of a batch in one short write transaction.
func settle(ctx context.Context, db *sql.DB, now time.Time, outs []outcome) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mail: settle batch: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	for _, o := range outs {
		switch o.status {
		case StatusSent:
			_, err = tx.ExecContext(ctx, `
				UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = ''
				WHERE id = ? AND status = 'sending'`, tenants.FormatTime(now), o.id)
		case StatusPending:
			_, err = tx.ExecContext(ctx, `
				UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?
				WHERE id = ? AND status = 'sending'`, tenants.FormatTime(o.next), o.lastError, o.id)
		default:
			_, err = tx.ExecContext(ctx, `
				UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?
				WHERE id = ? AND status = 'sending'`, o.lastError, o.id)
		}
		if err != nil {
			return fmt.Errorf("mail: settle outbox row %d: %w", o.id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mail: settle batch: %w", err)
	}
	return nil
}
