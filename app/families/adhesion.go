package families

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/tenants"
)

// IssueCode creates a new active adhesion code for the family, inside the
// caller's write transaction, and returns it in clear (the database keeps
// its hash only). Active codes of the family with the same label are
// revoked: a re-issued code replaces the old one, while codes with other
// labels (one per guardian) stay valid. Used codes stay as history.
func IssueCode(ctx context.Context, tx tenants.Querier, familyID int64, label string) (string, error) {
	label = strings.TrimSpace(label)
	if _, err := tx.ExecContext(ctx, `UPDATE adhesion_codes SET status = 'revoked' WHERE family_id = ? AND label = ? AND status = 'active'`,
		familyID, label); err != nil {
		return "", fmt.Errorf("families: revoke codes: %w", err)
	}
	now := time.Now()
	for range 5 { // a collision of two 50-bit codes is all but impossible; retry anyway
		code := GenerateCode()
		err := insertCode(ctx, tx, familyID, code, label, now)
		if err == nil {
			return code, nil
		}
		if !tenants.IsUnique(err) {
			return "", fmt.Errorf("families: issue code: %w", err)
		}
	}
	return "", errors.New("families: issue code: no free code after 5 tries")
}

// SeedCode gives the family a known active code (the demo's printed
// memento code), in tx.
func SeedCode(ctx context.Context, tx tenants.Querier, familyID int64, code, label string, now time.Time) error {
	if err := insertCode(ctx, tx, familyID, code, label, now); err != nil {
		return fmt.Errorf("families: seed code: %w", err)
	}
	return nil
}

func insertCode(ctx context.Context, tx tenants.Querier, familyID int64, code, label string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO adhesion_codes (family_id, code_hash, label, created_at) VALUES (?, ?, ?, ?)`,
		familyID, HashCode(code), label, tenants.At(now))
	return err
}

// Adhesion failures of LinkWithCode.
var (
	ErrCodeInvalid   = errors.New("families: unknown or used adhesion code")
	ErrAlreadyLinked = errors.New("families: account already linked to this family")
	ErrOtherFamily   = errors.New("families: account already linked to another family of this commune")
)

// LinkWithCode consumes an active code and links the account to its
// family, inside the caller's BEGIN IMMEDIATE transaction: of two
// concurrent submissions of one code, exactly one links. A code of a
// family the account is already linked to is left unused
// (ErrAlreadyLinked, with that family).
func LinkWithCode(ctx context.Context, tx tenants.Querier, codeHash string, accountID int64, now time.Time) (int64, error) {
	var codeID, familyID int64
	err := tx.QueryRowContext(ctx, `SELECT id, family_id FROM adhesion_codes WHERE code_hash = ? AND status = 'active'`, codeHash).
		Scan(&codeID, &familyID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrCodeInvalid
	}
	if err != nil {
		return 0, fmt.Errorf("families: find code: %w", err)
	}
	var linked int64
	err = tx.QueryRowContext(ctx, `SELECT family_id FROM family_accounts WHERE account_id = ? LIMIT 1`, accountID).Scan(&linked)
	switch {
	case err == nil && linked == familyID:
		return familyID, ErrAlreadyLinked
	case err == nil:
		return 0, ErrOtherFamily
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("families: find link: %w", err)
	}
	at := tenants.At(now)
	res, err := tx.ExecContext(ctx, `
		UPDATE adhesion_codes SET status = 'used', account_id = ?, used_at = ?
		WHERE id = ? AND status = 'active'`, accountID, at, codeID)
	if err != nil {
		return 0, fmt.Errorf("families: use code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, ErrCodeInvalid
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO family_accounts (family_id, account_id, code_id, linked_at) VALUES (?, ?, ?, ?)`,
		familyID, accountID, codeID, at); err != nil {
		return 0, fmt.Errorf("families: link family: %w", err)
	}
	return familyID, nil
}
