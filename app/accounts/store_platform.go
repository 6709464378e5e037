package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/auth"
	"espacefamille/tenants"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = tenants.NotFound("accounts: not found")

// errEmailTaken is returned by insertAccount when the address is in use.
var errEmailTaken = errors.New("accounts: email already used")

// Account is a parent's platform-wide identity.
type Account struct {
	ID                  int64
	Email               string
	PasswordHash        string
	Civility            string
	LastName, FirstName string
	Phone, Address      string
	PostalCode, City    string
	ConsentInvoices     bool
	ConsentFamily       bool
	EmailConfirmed      bool
	PasswordChangedAt   time.Time
	CreatedAt           time.Time
}

// DisplayName is how the page header names the account ("Y FAMILLE X").
func (a Account) DisplayName() string { return strings.TrimSpace(a.FirstName + " " + a.LastName) }

const accountColumns = `id, email, password_hash, civility, last_name, first_name, phone, address, postal_code, city,
	consent_invoices, consent_family, email_confirmed_at IS NOT NULL, password_changed_at, created_at`

// scanAccount scans accountColumns, then the row's further columns into
// extra.
func scanAccount(row *sql.Row, extra ...any) (Account, error) {
	var a Account
	var changed, created string
	err := row.Scan(append([]any{&a.ID, &a.Email, &a.PasswordHash, &a.Civility, &a.LastName, &a.FirstName, &a.Phone, &a.Address,
		&a.PostalCode, &a.City, &a.ConsentInvoices, &a.ConsentFamily, &a.EmailConfirmed, &changed, &created}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("accounts: load account: %w", err)
	}
	a.PasswordChangedAt, a.CreatedAt = tenants.StoredTime(changed), tenants.StoredTime(created)
	return a, nil
}

func accountByEmail(ctx context.Context, q tenants.Querier, email string) (Account, error) {
	return scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE email = ?`, email))
}

func accountByID(ctx context.Context, q tenants.Querier, id int64) (Account, error) {
	return scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
}

// sessionAccount reads what every page of a logged-in parent needs from
// the platform, in one statement: the account and the number of communes
// it has an adhesion in.
func sessionAccount(ctx context.Context, q tenants.Querier, id int64) (Account, int, error) {
	var communes int
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+`,
		(SELECT COUNT(*) FROM memberships m WHERE m.account_id = accounts.id) FROM accounts WHERE id = ?`, id), &communes)
	return a, communes, err
}

// passwordEpoch returns when the account's password last changed: every
// session opened before it is over.
func passwordEpoch(ctx context.Context, q tenants.Querier, id int64) (time.Time, error) {
	var s string
	err := q.QueryRowContext(ctx, `SELECT password_changed_at FROM accounts WHERE id = ?`, id).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("accounts: password epoch: %w", err)
	}
	return tenants.StoredTime(s), nil
}

func insertAccount(ctx context.Context, tx *sql.Tx, s Signup, hash string, now time.Time) (int64, error) {
	phone, _ := normalizePhone(s.Phone)
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO accounts (email, password_hash, civility, last_name, first_name, phone, address, postal_code, city,
			consent_invoices, consent_family, password_changed_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (email) DO NOTHING
		RETURNING id`,
		s.Email, hash, s.Civility, s.LastName, s.FirstName, phone, s.Address, s.PostalCode, s.City,
		s.ConsentInvoices, s.ConsentFamily, tenants.FormatTime(now), tenants.FormatTime(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // the address is taken: nothing inserted
		return 0, errEmailTaken
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: insert account: %w", err)
	}
	return id, nil
}

// Token purposes.
const (
	purposeConfirm = "confirm"
	purposeReset   = "reset"
)

// tokenTTL is how long an emailed link works.
const tokenTTL = time.Hour

// insertToken creates a one-time token for the account and returns it (the
// database keeps only its hash).
func insertToken(ctx context.Context, tx *sql.Tx, accountID int64, purpose string, communeID int64, now time.Time) (string, error) {
	token, hash := auth.NewToken()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO account_tokens (token_hash, account_id, purpose, commune_id, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, accountID, purpose, communeID, tenants.FormatTime(now.Add(tokenTTL)), tenants.FormatTime(now))
	if err != nil {
		return "", fmt.Errorf("accounts: insert %s token: %w", purpose, err)
	}
	return token, nil
}

// tokenStatus tells what a link's token is worth.
type tokenStatus int

const (
	tokenInvalid tokenStatus = iota // unknown, malformed or expired
	tokenUsed                       // already used once
	tokenValid
)

// checkToken reads a token's state without using it.
func checkToken(ctx context.Context, q tenants.Querier, token, purpose string, now time.Time) (tokenStatus, int64, error) {
	if !auth.ValidToken(token) {
		return tokenInvalid, 0, nil
	}
	var accountID int64
	var expires string
	var used sql.NullString
	err := q.QueryRowContext(ctx, `SELECT account_id, expires_at, used_at FROM account_tokens WHERE token_hash = ? AND purpose = ?`,
		auth.HashToken(token), purpose).Scan(&accountID, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tokenInvalid, 0, nil
	case err != nil:
		return tokenInvalid, 0, fmt.Errorf("accounts: check token: %w", err)
	case used.Valid:
		return tokenUsed, accountID, nil
	case expires <= tenants.FormatTime(now):
		return tokenInvalid, 0, nil
	}
	return tokenValid, accountID, nil
}

// useToken marks a valid token used and returns its account, atomically:
// of two concurrent uses, exactly one succeeds.
func useToken(ctx context.Context, tx *sql.Tx, token, purpose string, now time.Time) (int64, error) {
	if !auth.ValidToken(token) {
		return 0, ErrNotFound
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		UPDATE account_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		RETURNING account_id`, tenants.FormatTime(now), auth.HashToken(token), purpose, tenants.FormatTime(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: use token: %w", err)
	}
	return id, nil
}

// recentToken reports whether a token of purpose was issued to the account
// after since (to avoid sending the same email again and again).
func recentToken(ctx context.Context, q tenants.Querier, accountID int64, purpose string, since time.Time) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_tokens WHERE account_id = ? AND purpose = ? AND created_at > ?`,
		accountID, purpose, tenants.FormatTime(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("accounts: recent token: %w", err)
	}
	return n > 0, nil
}

// CreateConfirmedAccount adds an account whose address counts as
// confirmed, with a password hash made by auth.HashPassword: an account
// provisioned by a tool (the load tool's parents), not signed up through
// the pages. The email must be free.
func CreateConfirmedAccount(ctx context.Context, tx *sql.Tx, s Signup, hash string, now time.Time) (int64, error) {
	id, err := insertAccount(ctx, tx, s, hash, now)
	if err != nil {
		return 0, err
	}
	return id, confirmEmail(ctx, tx, id, now)
}

func confirmEmail(ctx context.Context, tx *sql.Tx, accountID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET email_confirmed_at = COALESCE(email_confirmed_at, ?) WHERE id = ?`, tenants.FormatTime(now), accountID)
	if err != nil {
		return fmt.Errorf("accounts: confirm email: %w", err)
	}
	return nil
}

// setPassword stores a new password and moves the session epoch, which
// ends every session opened before now in every commune. The reset link
// proved the address, so it is confirmed too; other reset links die.
func setPassword(ctx context.Context, tx *sql.Tx, accountID int64, hash string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE accounts SET password_hash = ?, password_changed_at = ?, email_confirmed_at = COALESCE(email_confirmed_at, ?)
		WHERE id = ?`, hash, tenants.FormatTime(now), tenants.FormatTime(now), accountID); err != nil {
		return fmt.Errorf("accounts: set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE account_id = ? AND purpose = 'reset' AND used_at IS NULL`,
		tenants.FormatTime(now), accountID); err != nil {
		return fmt.Errorf("accounts: end reset links: %w", err)
	}
	return nil
}

func addMembership(ctx context.Context, tx *sql.Tx, accountID, communeID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, commune_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		accountID, communeID, tenants.FormatTime(now))
	if err != nil {
		return fmt.Errorf("accounts: add membership: %w", err)
	}
	// Joining a commune keeps an account told it was linked to none (RGPD).
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET orphaned_at = '' WHERE id = ? AND orphaned_at != ''`, accountID); err != nil {
		return fmt.Errorf("accounts: keep account: %w", err)
	}
	return nil
}

// Memberships lists the names of the communes (collectivités) the account
// has an adhesion in, in the order they were joined.
func Memberships(ctx context.Context, q tenants.Querier, accountID int64) ([]string, error) {
	out, err := tenants.Values[string](ctx, q, `
		SELECT c.name FROM memberships m JOIN communes c ON c.id = m.commune_id
		WHERE m.account_id = ? ORDER BY m.created_at, c.name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: memberships: %w", err)
	}
	return out, nil
}

// membershipSlugs lists the slugs of the communes the account has an
// adhesion in, by name.
func membershipSlugs(ctx context.Context, q tenants.Querier, accountID int64) ([]string, error) {
	out, err := tenants.Values[string](ctx, q, `
		SELECT c.slug FROM memberships m JOIN communes c ON c.id = m.commune_id
		WHERE m.account_id = ? ORDER BY c.name, c.slug`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: membership slugs: %w", err)
	}
	return out, nil
}

// AccountEmail returns the log-in address of a parent's account (for the
// copy of a receipt), or ErrNotFound.
func AccountEmail(ctx context.Context, db tenants.Querier, id int64) (string, error) {
	var email string
	err := db.QueryRowContext(ctx, `SELECT email FROM accounts WHERE id = ?`, id).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("accounts: account email %d: %w", id, err)
	}
	return email, nil
}

// Identity returns the email and the name of an account, read from the
// platform database ("" when the account no longer exists).
func Identity(ctx context.Context, platform tenants.Querier, accountID int64) (email, name string) {
	_ = platform.QueryRowContext(ctx, `SELECT email, trim(first_name || ' ' || last_name) FROM accounts WHERE id = ?`,
		accountID).Scan(&email, &name)
	return email, name
}
