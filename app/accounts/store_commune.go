package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session lengths: a session ends after idleTimeout without a request, and
// in any case maxSessionAge after log-in. last_seen_at is written at most
// once per touchEvery, so that reading pages costs no write.
const (
	idleTimeout   = 30 * time.Minute
	maxSessionAge = 12 * time.Hour
	touchEvery    = time.Minute
)

// sessionRow is a session with the family its account is linked to in
// this commune (FamilyID 0: none yet).
type sessionRow struct {
	Hash       string
	AccountID  int64
	CreatedAt  time.Time
	LastSeen   time.Time
	Expires    time.Time
	FamilyID   int64
	FamilyName string
}

// live reports whether the session may still be used at now.
func (s sessionRow) live(now time.Time) bool {
	return now.Before(s.Expires) && now.Sub(s.LastSeen) < idleTimeout
}

func loadSession(ctx context.Context, db *sql.DB, hash string) (sessionRow, error) {
	s := sessionRow{Hash: hash}
	var created, seen, expires string
	err := db.QueryRowContext(ctx, `
		SELECT s.account_id, s.created_at, s.last_seen_at, s.expires_at, COALESCE(f.id, 0), COALESCE(f.name, '')
		FROM sessions s
		LEFT JOIN family_accounts fa ON fa.account_id = s.account_id
		LEFT JOIN families f ON f.id = fa.family_id
		WHERE s.token_hash = ?
		ORDER BY fa.linked_at LIMIT 1`, hash).Scan(&s.AccountID, &created, &seen, &expires, &s.FamilyID, &s.FamilyName)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("accounts: load session: %w", err)
	}
	s.CreatedAt, s.LastSeen, s.Expires = parseTS(created), parseTS(seen), parseTS(expires)
	return s, nil
}

// createSession opens a session for the account and returns its token.
// Expired sessions of the commune are purged on the way.
func createSession(ctx context.Context, tx *sql.Tx, accountID int64, now time.Time) (string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		ts(now), ts(now.Add(-idleTimeout))); err != nil {
		return "", fmt.Errorf("accounts: purge sessions: %w", err)
	}
	token, hash := newToken()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hash, accountID, ts(now), ts(now), ts(now.Add(maxSessionAge))); err != nil {
		return "", fmt.Errorf("accounts: create session: %w", err)
	}
	return token, nil
}

func deleteSession(ctx context.Context, tx *sql.Tx, hash string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("accounts: delete session: %w", err)
	}
	return nil
}

func deleteAccountSessions(ctx context.Context, tx *sql.Tx, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID); err != nil {
		return fmt.Errorf("accounts: delete sessions: %w", err)
	}
	return nil
}

// seenBatch names the sessions' pending "last seen" (tenants.WriteLater).
const seenBatch = "accounts.sessions.last_seen"

// flushSeen writes a batch of sessions' "last seen" times (token hash →
// time.Time); a session ended meanwhile is simply not there any more.
func flushSeen(ctx context.Context, tx *sql.Tx, pending map[string]any) error {
	for hash, v := range pending {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`,
			ts(v.(time.Time)), hash, ts(v.(time.Time))); err != nil {
			return fmt.Errorf("accounts: touch sessions: %w", err)
		}
	}
	return nil
}

// linkedFamily returns the family the account is linked to in this
// commune, or ErrNotFound.
func linkedFamily(ctx context.Context, q querier, accountID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT family_id FROM family_accounts WHERE account_id = ? ORDER BY linked_at LIMIT 1`, accountID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: linked family: %w", err)
	}
	return id, nil
}
