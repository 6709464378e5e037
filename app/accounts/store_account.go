package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/auth"
	"espacefamille/tenants"
)

// emailChangeTTL is how long the link sent to a new address works.
const emailChangeTTL = 24 * time.Hour

// EmailChange is a pending change of an account's log-in address.
type EmailChange struct {
	AccountID int64
	NewEmail  string
}

// emailTaken reports whether another account than accountID logs in with
// email.
func emailTaken(ctx context.Context, q tenants.Querier, email string, accountID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE email = ? AND id <> ?`, email, accountID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("accounts: email taken: %w", err)
	}
	return n > 0, nil
}

// insertEmailChange records a change request and returns the link's token
// (the database keeps only its hash, auth.HashToken). Earlier pending
// requests of the account die: only the latest link works.
func insertEmailChange(ctx context.Context, tx *sql.Tx, accountID int64, newEmail string, now time.Time) (string, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE email_changes SET used_at = ? WHERE account_id = ? AND used_at IS NULL`,
		tenants.FormatTime(now), accountID); err != nil {
		return "", fmt.Errorf("accounts: end earlier email changes: %w", err)
	}
	token, hash := auth.NewToken()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO email_changes (token_hash, account_id, new_email, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		hash, accountID, newEmail, tenants.FormatTime(now.Add(emailChangeTTL)), tenants.FormatTime(now))
	if err != nil {
		return "", fmt.Errorf("accounts: insert email change: %w", err)
	}
	return token, nil
}

// pendingEmailChange reads a usable change link without using it, or
// ErrNotFound (unknown, malformed, expired or used).
func pendingEmailChange(ctx context.Context, q tenants.Querier, token string, now time.Time) (EmailChange, error) {
	var ch EmailChange
	if !auth.ValidToken(token) {
		return ch, ErrNotFound
	}
	err := q.QueryRowContext(ctx, `
		SELECT account_id, new_email FROM email_changes WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		auth.HashToken(token), tenants.FormatTime(now)).Scan(&ch.AccountID, &ch.NewEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, ErrNotFound
	}
	if err != nil {
		return ch, fmt.Errorf("accounts: email change: %w", err)
	}
	return ch, nil
}

// useEmailChange uses the link once, atomically, and returns its change;
// ErrNotFound when it is not (or no longer) usable.
func useEmailChange(ctx context.Context, tx *sql.Tx, token string, now time.Time) (EmailChange, error) {
	var ch EmailChange
	if !auth.ValidToken(token) {
		return ch, ErrNotFound
	}
	err := tx.QueryRowContext(ctx, `
		UPDATE email_changes SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING account_id, new_email`, tenants.FormatTime(now), auth.HashToken(token), tenants.FormatTime(now)).Scan(&ch.AccountID, &ch.NewEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, ErrNotFound
	}
	if err != nil {
		return ch, fmt.Errorf("accounts: use email change: %w", err)
	}
	return ch, nil
}

// setEmail replaces the account's log-in address (already proved by the
// link, so it is confirmed); errEmailTaken when another account took it
// meanwhile.
func setEmail(ctx context.Context, tx *sql.Tx, accountID int64, email string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET email = ?, email_confirmed_at = ? WHERE id = ?`, email, tenants.FormatTime(now), accountID)
	if tenants.IsUnique(err) {
		return errEmailTaken
	}
	if err != nil {
		return fmt.Errorf("accounts: set email: %w", err)
	}
	return nil
}

// setPhone stores the account's phone number (digits, as signup does).
func setPhone(ctx context.Context, tx *sql.Tx, accountID int64, phone string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET phone = ? WHERE id = ?`, phone, accountID); err != nil {
		return fmt.Errorf("accounts: set phone: %w", err)
	}
	return nil
}
