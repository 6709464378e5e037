package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/auth"
	"espacefamille/app/web"
	"espacefamille/tenants"
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

func loadSession(ctx context.Context, db tenants.Querier, hash string) (sessionRow, error) {
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
	s.CreatedAt, s.LastSeen, s.Expires = tenants.StoredTime(created), tenants.StoredTime(seen), tenants.StoredTime(expires)
	return s, nil
}

// createSession opens a session for the account and returns its token.
// Expired sessions of the commune are purged on the way.
func createSession(ctx context.Context, tx *sql.Tx, accountID int64, now time.Time) (string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout))); err != nil {
		return "", fmt.Errorf("accounts: purge sessions: %w", err)
	}
	token, hash := auth.NewToken()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hash, accountID, tenants.FormatTime(now), tenants.FormatTime(now), tenants.FormatTime(now.Add(maxSessionAge))); err != nil {
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
			tenants.FormatTime(v.(time.Time)), hash, tenants.FormatTime(v.(time.Time))); err != nil {
			return fmt.Errorf("accounts: touch sessions: %w", err)
		}
	}
	return nil
}

// Adhesion failures.
var (
	errCodeInvalid   = errors.New("accounts: unknown or used adhesion code")
	errAlreadyLinked = errors.New("accounts: account already linked to this family")
	errOtherFamily   = errors.New("accounts: account already linked to another family of this commune")
)

// linkWithCode consumes an active code and links the account to its
// family, inside the caller's BEGIN IMMEDIATE transaction: of two
// concurrent submissions of one code, exactly one links. A code of a
// family the account is already linked to is left unused.
func linkWithCode(ctx context.Context, tx *sql.Tx, codeHash string, accountID int64, now time.Time) (int64, error) {
	var codeID, familyID int64
	err := tx.QueryRowContext(ctx, `SELECT id, family_id FROM adhesion_codes WHERE code_hash = ? AND status = 'active'`, codeHash).
		Scan(&codeID, &familyID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errCodeInvalid
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: find code: %w", err)
	}
	var linked int64
	err = tx.QueryRowContext(ctx, `SELECT family_id FROM family_accounts WHERE account_id = ? LIMIT 1`, accountID).Scan(&linked)
	switch {
	case err == nil && linked == familyID:
		return familyID, errAlreadyLinked
	case err == nil:
		return 0, errOtherFamily
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("accounts: find link: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE adhesion_codes SET status = 'used', account_id = ?, used_at = ?
		WHERE id = ? AND status = 'active'`, accountID, tenants.FormatTime(now), codeID)
	if err != nil {
		return 0, fmt.Errorf("accounts: use code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, errCodeInvalid
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO family_accounts (family_id, account_id, code_id, linked_at) VALUES (?, ?, ?, ?)`,
		familyID, accountID, codeID, tenants.FormatTime(now)); err != nil {
		return 0, fmt.Errorf("accounts: link family: %w", err)
	}
	return familyID, nil
}

// linkedFamily returns the family the account is linked to in this
// commune, or ErrNotFound.
func linkedFamily(ctx context.Context, q tenants.Querier, accountID int64) (int64, error) {
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

// Family is a family as its space shows it.
type Family struct {
	ID       int64
	Name     string
	Children []Child
}

// Child is one child of a family.
type Child struct {
	ID         int64
	FamilyID   int64
	FirstName  string
	LastName   string
	BirthDate  string // civil date YYYY-MM-DD
	ClassName  string // "" reads "Sans classe"
	SchoolName string
}

// Class is the child's class, or "Sans classe".
func (c Child) Class() string {
	if c.ClassName == "" {
		return "Sans classe"
	}
	return c.ClassName
}

// Label is the child as the memento shows it:
// "Fille FAMILLE X (28/11/2017 - Sans classe)".
func (c Child) Label() string {
	return c.FirstName + " " + c.LastName + " (" + web.FormatDate(c.BirthDate) + " - " + c.Class() + ")"
}

// LoadFamily returns a family with its children, or ErrNotFound.
func LoadFamily(ctx context.Context, q tenants.Querier, familyID int64) (Family, error) {
	f := Family{ID: familyID}
	err := q.QueryRowContext(ctx, `SELECT name FROM families WHERE id = ?`, familyID).Scan(&f.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("accounts: load family %d: %w", familyID, err)
	}
	f.Children, err = children(ctx, q, `c.family_id = ?`, familyID)
	return f, err
}

// FamilyChild returns a child only if it belongs to familyID: an
// identifier typed in a URL never reaches another family's child.
func FamilyChild(ctx context.Context, q tenants.Querier, familyID, childID int64) (Child, error) {
	list, err := children(ctx, q, `c.family_id = ? AND c.id = ?`, familyID, childID)
	if err != nil {
		return Child{}, err
	}
	if len(list) == 0 {
		return Child{}, ErrNotFound
	}
	return list[0], nil
}

func children(ctx context.Context, q tenants.Querier, where string, args ...any) ([]Child, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT c.id, c.family_id, c.first_name, c.last_name, c.birth_date, c.class_name, COALESCE(s.name, '')
		FROM children c LEFT JOIN schools s ON s.id = c.school_id
		WHERE `+where+` ORDER BY c.birth_date, c.first_name, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: children: %w", err)
	}
	defer rows.Close()
	var out []Child
	for rows.Next() {
		var c Child
		if err := rows.Scan(&c.ID, &c.FamilyID, &c.FirstName, &c.LastName, &c.BirthDate, &c.ClassName, &c.SchoolName); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
