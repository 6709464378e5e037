package families

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// invalid is a French refusal shown on a 422 page.
func invalid(msg string) error { return web.NewError(fiber.StatusUnprocessableEntity, msg) }

// refFree refuses an external reference already used by another family.
func refFree(ctx context.Context, q tenants.Querier, ref string, self int64) error {
	if ref == "" {
		return nil
	}
	other, err := ByRef(ctx, q, ref)
	if errors.Is(err, ErrNotFound) || err == nil && other.ID == self {
		return nil
	}
	if err != nil {
		return err
	}
	return invalid("La référence « " + ref + " » est déjà celle de la famille " + other.Name + ".")
}

// Create registers a validated family in tx and returns its identifier;
// an external reference already used is refused with a French message.
func Create(ctx context.Context, tx tenants.Querier, f Family, now time.Time) (int64, error) {
	if err := refFree(ctx, tx, f.ExternalRef, 0); err != nil {
		return 0, err
	}
	return insertFamily(ctx, tx, f, now)
}

// Update saves a validated family's fields in tx (its invitation date is
// kept) and returns the family as it was, or ErrNotFound.
func Update(ctx context.Context, tx tenants.Querier, f Family) (before Family, err error) {
	if before, err = Load(ctx, tx, f.ID); err != nil {
		return before, err
	}
	if err := refFree(ctx, tx, f.ExternalRef, f.ID); err != nil {
		return before, err
	}
	return before, updateFamily(ctx, tx, f)
}

func guardianInFamily(ctx context.Context, q tenants.Querier, familyID, id int64) (Guardian, error) {
	var g Guardian
	err := q.QueryRowContext(ctx, `SELECT id, family_id, civility, last_name, first_name, email, phone FROM guardians
		WHERE id = ? AND family_id = ?`, id, familyID).Scan(&g.ID, &g.FamilyID, &g.Civility,
		&g.LastName, &g.FirstName, &g.Email, &g.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// SaveGuardian adds g to its family (g.ID 0) or updates the family's
// guardian g.ID, in tx. It returns g with its identifier and, for an
// update, the guardian as it was; ErrNotFound when the family or the
// guardian does not exist.
func SaveGuardian(ctx context.Context, tx tenants.Querier, g Guardian, now time.Time) (saved Guardian, before *Guardian, err error) {
	if _, err := Load(ctx, tx, g.FamilyID); err != nil {
		return g, nil, err
	}
	if g.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO guardians (family_id, civility, last_name, first_name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, g.FamilyID, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, tenants.At(now))
		if err != nil {
			return g, nil, fmt.Errorf("families: add guardian: %w", err)
		}
		g.ID, err = res.LastInsertId()
		return g, nil, err
	}
	old, err := guardianInFamily(ctx, tx, g.FamilyID, g.ID)
	if err != nil {
		return g, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE guardians SET civility = ?, last_name = ?, first_name = ?, email = ?, phone = ?
		WHERE id = ? AND family_id = ?`, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, g.ID, g.FamilyID); err != nil {
		return g, nil, fmt.Errorf("families: update guardian %d: %w", g.ID, err)
	}
	return g, &old, nil
}

// DeleteGuardian removes the family's guardian id in tx, or returns
// ErrNotFound.
func DeleteGuardian(ctx context.Context, tx tenants.Querier, familyID, id int64) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM guardians WHERE id = ? AND family_id = ?`, id, familyID); err != nil {
		return fmt.Errorf("families: delete guardian %d: %w", id, err)
	}
	return nil
}

// SaveChild adds ch to its family (ch.ID 0) or updates the family's child
// ch.ID, in tx; the school is found by ch.SchoolName (accents and case
// aside, created when new). It returns ch with its identifiers and, for
// an update, the child as it was; ErrNotFound when the child is not the
// family's.
func SaveChild(ctx context.Context, tx tenants.Querier, ch Child, now time.Time) (saved Child, before *Child, err error) {
	if ch.SchoolID, err = schoolID(ctx, tx, ch.SchoolName); err != nil {
		return ch, nil, err
	}
	if ch.ID == 0 {
		ch.ID, err = insertChild(ctx, tx, ch, now)
		return ch, nil, err
	}
	old, err := FamilyChild(ctx, tx, ch.FamilyID, ch.ID)
	if err != nil {
		return ch, nil, err
	}
	return ch, &old, updateChild(ctx, tx, ch)
}

// Unlink removes the link between a parent's account and the family, in
// tx, or returns ErrNotFound.
func Unlink(ctx context.Context, tx tenants.Querier, familyID, accountID int64) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM family_accounts WHERE family_id = ? AND account_id = ?`, familyID, accountID); err != nil {
		return fmt.Errorf("families: unlink account: %w", err)
	}
	return nil
}

// MarkInvited records that the family's invitation was sent at now.
func MarkInvited(ctx context.Context, tx tenants.Querier, familyID int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE families SET invited_at = ? WHERE id = ?`, tenants.At(now), familyID); err != nil {
		return fmt.Errorf("families: mark invited: %w", err)
	}
	return nil
}

// SetPAI sets the PAI flag of the family's child in tx (the child's
// record, once the mairie validates it), or returns ErrNotFound.
func SetPAI(ctx context.Context, tx tenants.Querier, familyID, childID int64, pai bool) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `UPDATE children SET pai = ? WHERE id = ? AND family_id = ?`, pai, childID, familyID); err != nil {
		return fmt.Errorf("families: set pai %d: %w", childID, err)
	}
	return nil
}
