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
	if err := linkable(ctx, tx, familyID, accountID); errors.Is(err, ErrAlreadyLinked) {
		return familyID, err
	} else if err != nil {
		return 0, err
	}
	at := tenants.At(now)
	if err := tenants.ExecOne(ctx, tx, ErrCodeInvalid, `
		UPDATE adhesion_codes SET status = 'used', account_id = ?, used_at = ?
		WHERE id = ? AND status = 'active'`, accountID, at, codeID); err != nil {
		return 0, fmt.Errorf("families: use code: %w", err)
	}
	return familyID, insertLink(ctx, tx, familyID, accountID, codeID, at)
}

// LinkAccount links the account to the family without an adhesion code,
// in tx, under the same rule as LinkWithCode (ErrAlreadyLinked,
// ErrOtherFamily): for tools that seed a commune with families whose
// accounts already exist (bench/load); parents link with a code.
func LinkAccount(ctx context.Context, tx tenants.Querier, familyID, accountID int64, now time.Time) error {
	if err := linkable(ctx, tx, familyID, accountID); err != nil {
		return err
	}
	return insertLink(ctx, tx, familyID, accountID, nil, tenants.At(now))
}

// linkable says whether accountID may be linked to familyID: an account
// belongs to one family of a commune.
func linkable(ctx context.Context, tx tenants.Querier, familyID, accountID int64) error {
	var linked int64
	err := tx.QueryRowContext(ctx, `SELECT family_id FROM family_accounts WHERE account_id = ? LIMIT 1`, accountID).Scan(&linked)
	switch {
	case err == nil && linked == familyID:
		return ErrAlreadyLinked
	case err == nil:
		return ErrOtherFamily
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("families: find link: %w", err)
	}
	return nil
}

func insertLink(ctx context.Context, tx tenants.Querier, familyID, accountID int64, codeID any, at tenants.Time) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO family_accounts (family_id, account_id, code_id, linked_at) VALUES (?, ?, ?, ?)`,
		familyID, accountID, codeID, at); err != nil {
		return fmt.Errorf("families: link family: %w", err)
	}
	return nil
}
