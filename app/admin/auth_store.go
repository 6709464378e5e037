package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/auth"
	"espacefamille/tenants"
)

// Staff roles.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// Session lifetimes: a staff session ends after idleTimeout without a
// request, and in any case maxSession after log-in.
const (
	idleTimeout = 60 * time.Minute
	maxSession  = 12 * time.Hour
	// touchEvery bounds writes: last_seen_at is refreshed at most this often.
	touchEvery = time.Minute
	inviteTTL  = 7 * 24 * time.Hour // inviteValidFor says it in the email
)

// loginLimit: 5 log-in attempts in 15 minutes for one email or one
// address; the next is refused and holds it for 15 minutes.
var loginLimit = auth.Limit{Max: 5, Window: 15 * time.Minute, Hold: 15 * time.Minute}

// ErrNotFound is returned when a row does not exist in the commune.
var ErrNotFound = tenants.NotFound("admin: not found")

// Staff is a member of the commune's staff.
type Staff struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	Disabled     bool
	HasPassword  bool
	CreatedAt    string
	passwordHash string
}

// RoleLabel is the role in French.
func (s Staff) RoleLabel() string {
	if s.Role == RoleAdmin {
		return "Administrateur"
	}
	return "Agent"
}

// Actor is how the audit log names the member.
func (s Staff) Actor() string { return fmt.Sprintf("%s (n° %d)", s.Email, s.ID) }

const staffColumns = `id, email, name, role, disabled, password_hash, created_at`

func scanStaff(row interface{ Scan(...any) error }) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.Disabled, &s.passwordHash, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.HasPassword = s.passwordHash != ""
	return s, err
}

func staffByEmail(ctx context.Context, q tenants.Querier, email string) (Staff, error) {
	return scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = ?`, email))
}

func staffByID(ctx context.Context, q tenants.Querier, id int64) (Staff, error) {
	return scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
}

func staffList(ctx context.Context, q tenants.Querier) ([]Staff, error) {
	out, err := tenants.All(ctx, q, scanStaff, `SELECT `+staffColumns+` FROM staff ORDER BY disabled, name, email`)
	if err != nil {
		return nil, fmt.Errorf("admin: staff list: %w", err)
	}
	return out, nil
}

// createSession opens a session for the member and returns its token.
func createSession(ctx context.Context, tx *sql.Tx, staffID int64, now time.Time) (string, error) {
	token, hash := auth.NewToken()
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, hash, staffID, tenants.FormatTime(now), tenants.FormatTime(now), tenants.FormatTime(now.Add(maxSession)))
	if err != nil {
		return "", fmt.Errorf("admin: create session: %w", err)
	}
	// Old sessions are purged here rather than by a background job.
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE expires_at < ? OR last_seen_at < ?`,
		tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout))); err != nil {
		return "", fmt.Errorf("admin: purge sessions: %w", err)
	}
	return token, nil
}

// sessionStaff returns the live session's member and when it was last seen
// (the later of the stored time and seen, a time not yet written). A
// session stored under the old form of its token's hash is rewritten to
// the current one (auth.FindToken), so nobody is logged out by the change.
func sessionStaff(ctx context.Context, db *tenants.DB, token string, now, pending time.Time) (Staff, time.Time, error) {
	q := db.Reader()
	var lastSeen, expires tenants.Time
	var staffID int64
	legacy, err := auth.FindToken(token, func(hash string) error {
		return q.QueryRowContext(ctx, `SELECT staff_id, last_seen_at, expires_at FROM staff_sessions WHERE token_hash = ?`,
			hash).Scan(&staffID, &lastSeen, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, time.Time{}, ErrNotFound
	}
	if err != nil {
		return Staff{}, time.Time{}, fmt.Errorf("admin: session: %w", err)
	}
	seen := lastSeen.Time
	if pending.After(seen) {
		seen = pending
	}
	if now.After(expires.Time) || now.Sub(seen) > idleTimeout {
		return Staff{}, time.Time{}, ErrNotFound
	}
	s, err := staffByID(ctx, q, staffID)
	if err != nil || s.Disabled {
		return Staff{}, time.Time{}, ErrNotFound
	}
	if legacy {
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return auth.UpgradeToken(ctx, tx, "staff_sessions", token) }); err != nil {
			return Staff{}, time.Time{}, err
		}
	}
	return s, seen, nil
}

// seenBatch names the staff sessions' pending "last seen"
// (tenants.WriteLater, keyed by token hash): a page view never waits for
// the commune's writer.
const seenBatch = "admin.staff_sessions.last_seen"

// pendingSeen is the session's "last seen" not yet written (zero if none).
func pendingSeen(db *tenants.DB, token string) time.Time {
	v, _ := db.Pending(seenBatch, auth.HashToken(token))
	t, _ := v.(time.Time)
	return t
}

// touchSession records that the session was seen at now; it is written
// with the next batch.
func touchSession(db *tenants.DB, token string, now time.Time) {
	db.WriteLater(seenBatch, auth.HashToken(token), now, flushSeen)
}

func flushSeen(ctx context.Context, tx *sql.Tx, pending map[string]any) error {
	for hash, v := range pending {
		at := tenants.FormatTime(v.(time.Time))
		if _, err := tx.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`, at, hash, at); err != nil {
			return fmt.Errorf("admin: touch sessions: %w", err)
		}
	}
	return nil
}

func deleteSession(ctx context.Context, tx *sql.Tx, token string) error {
	if err := auth.UpgradeToken(ctx, tx, "staff_sessions", token); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE token_hash = ?`, auth.HashToken(token))
	return err
}

func deleteStaffSessions(ctx context.Context, tx *sql.Tx, staffID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = ?`, staffID)
	return err
}

// setStaffPassword stores a member's new password hash.
func setStaffPassword(ctx context.Context, tx *sql.Tx, id int64, hash string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
		return fmt.Errorf("admin: set password: %w", err)
	}
	return nil
}

// setStaffRole stores a member's role and whether the account is
// disabled.
func setStaffRole(ctx context.Context, tx *sql.Tx, id int64, role string, disabled bool) error {
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET role = ?, disabled = ? WHERE id = ?`, role, disabled, id); err != nil {
		return fmt.Errorf("admin: set role: %w", err)
	}
	return nil
}

// createInviteToken issues a one-time set-password link token.
func createInviteToken(ctx context.Context, tx *sql.Tx, staffID int64, now time.Time) (string, error) {
	// A new link replaces the unused ones.
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_tokens WHERE staff_id = ? AND used_at IS NULL`, staffID); err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_tokens (token_hash, staff_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		hash, staffID, tenants.FormatTime(now.Add(inviteTTL)), tenants.FormatTime(now))
	if err != nil {
		return "", fmt.Errorf("admin: invite token: %w", err)
	}
	return token, nil
}

// inviteTokenStaff returns the member a live, unused token belongs to.
func inviteTokenStaff(ctx context.Context, q tenants.Querier, token string, now time.Time) (Staff, error) {
	if !auth.ValidToken(token) {
		return Staff{}, ErrNotFound
	}
	var staffID int64
	var expires, used tenants.Time
	_, err := auth.FindToken(token, func(hash string) error {
		return q.QueryRowContext(ctx, `SELECT staff_id, expires_at, used_at FROM staff_tokens WHERE token_hash = ?`, hash).
			Scan(&staffID, &expires, &used)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, ErrNotFound
	}
	if err != nil {
		return Staff{}, err
	}
	if !used.IsZero() || now.After(expires.Time) {
		return Staff{}, ErrNotFound
	}
	return staffByID(ctx, q, staffID)
}

// useInviteToken marks the token used; it reports false when another
// request used it first.
func useInviteToken(ctx context.Context, tx *sql.Tx, token string, now time.Time) (bool, error) {
	if err := auth.UpgradeToken(ctx, tx, "staff_tokens", token); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE staff_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at >= ?`,
		tenants.FormatTime(now), auth.HashToken(token), tenants.FormatTime(now))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
