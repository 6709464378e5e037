package families

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Shared custody (issue 14): a child stays in its family (the foyer
// principal) and may be linked to another household, the other
// guardian's own family, which then books and pays the days the custody
// calendar (app/custody) gives it. Parents' pages list and look up
// children through GuardedChildren and GuardedChild; the back office's
// child forms keep to the foyer principal (FamilyChild).

// GuardedChildren lists the children a family's guardians look after:
// its own, then those another family shares with it, eldest first.
func GuardedChildren(ctx context.Context, q tenants.Querier, familyID int64) ([]Child, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.family_id = ? OR ch.id IN (SELECT child_id FROM child_households WHERE family_id = ?)
		ORDER BY ch.birth_date, ch.first_name, ch.id`, familyID, familyID)
	if err != nil {
		return nil, fmt.Errorf("families: guarded children: %w", err)
	}
	return tenants.Collect(rows, scanChild)
}

// GuardedChild loads a child only if the family looks after it (its own
// or shared with it); ErrNotFound otherwise.
func GuardedChild(ctx context.Context, q tenants.Querier, familyID, childID int64) (Child, error) {
	return scanChild(q.QueryRowContext(ctx, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.id = ? AND (ch.family_id = ? OR EXISTS (SELECT 1 FROM child_households h WHERE h.child_id = ch.id AND h.family_id = ?))`,
		childID, familyID, familyID))
}

// Household is one of a child's households, for the custody pages.
type Household struct {
	FamilyID int64
	Name     string
	Home     bool // the child's own family (foyer principal)
}

// Households lists the child's households, the foyer principal first.
func Households(ctx context.Context, q tenants.Querier, childID int64) ([]Household, error) {
	list, err := tenants.All(ctx, q, func(row tenants.Row) (Household, error) {
		var h Household
		err := row.Scan(&h.FamilyID, &h.Name, &h.Home)
		return h, err
	}, `SELECT f.id, f.name, 1 FROM children ch JOIN families f ON f.id = ch.family_id WHERE ch.id = ?
		UNION ALL
		SELECT f.id, f.name, 0 FROM child_households h JOIN families f ON f.id = h.family_id WHERE h.child_id = ?
		ORDER BY 3 DESC, 2`, childID, childID)
	if err != nil {
		return nil, fmt.Errorf("families: households of child %d: %w", childID, err)
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return list, nil
}

// SharedHouseholds lists the households linked to a child besides its own
// family (custody.Load reads them).
func SharedHouseholds(ctx context.Context, q tenants.Querier, childID int64) ([]int64, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT family_id FROM child_households WHERE child_id = ? ORDER BY family_id`, childID)
}

// ErrSameHousehold: a family cannot be linked to its own child.
var ErrSameHousehold = errors.New("cette famille est déjà le foyer principal de l'enfant")

// ErrTooManyHouseholds: a child has at most two households.
var ErrTooManyHouseholds = errors.New("l'enfant a déjà un second foyer")

// ShareChild links the household familyID to the child (shared custody),
// in tx. Linking it again changes nothing; a child has at most one other
// household.
func ShareChild(ctx context.Context, tx tenants.Querier, childID, familyID int64, now time.Time) error {
	var home int64
	if err := tx.QueryRowContext(ctx, `SELECT family_id FROM children WHERE id = ?`, childID).Scan(&home); err != nil {
		return fmt.Errorf("families: share child %d: %w", childID, ErrNotFound)
	}
	if home == familyID {
		return ErrSameHousehold
	}
	if _, err := Load(ctx, tx, familyID); err != nil {
		return err
	}
	others, err := SharedHouseholds(ctx, tx, childID)
	if err != nil {
		return err
	}
	for _, id := range others {
		if id == familyID {
			return nil
		}
	}
	if len(others) > 0 {
		return ErrTooManyHouseholds
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO child_households (child_id, family_id, linked_at) VALUES (?, ?, ?)`,
		childID, familyID, tenants.FormatTime(now)); err != nil {
		return fmt.Errorf("families: share child %d: %w", childID, err)
	}
	return nil
}

// UnshareChild removes the link between a child and another household.
func UnshareChild(ctx context.Context, tx tenants.Querier, childID, familyID int64) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM child_households WHERE child_id = ? AND family_id = ?`, childID, familyID); err != nil {
		return fmt.Errorf("families: unshare child %d: %w", childID, err)
	}
	return nil
}

// ErrNoAddress: the other parent's household needs an address for its
// invitation.
var ErrNoAddress = errors.New("indiquez l'adresse email de l'autre parent : son invitation y est envoyée")

// AddOtherHousehold registers the other guardian's household (a family of
// its own, named "FAMILLE <NOM>", with g as its guardian and g's address)
// and links it to the child, in tx. It returns the new family's
// identifier; the caller issues its invitation.
func AddOtherHousehold(ctx context.Context, tx tenants.Querier, childID int64, g Guardian, now time.Time) (int64, error) {
	if g.Email == "" {
		return 0, ErrNoAddress
	}
	id, err := Create(ctx, tx, Family{Name: "FAMILLE " + strings.ToUpper(g.LastName), Email: strings.ToLower(g.Email)}, now)
	if err != nil {
		return 0, err
	}
	g.FamilyID = id
	if _, _, err := SaveGuardian(ctx, tx, g, now); err != nil {
		return 0, err
	}
	return id, ShareChild(ctx, tx, childID, id, now)
}

// SharedChild is a child in shared custody, for the back office's list.
type SharedChild struct {
	ChildID   int64
	ChildName string
	HomeID    int64
	HomeName  string
	OtherName string
}

// SharedChildren lists the commune's children in shared custody, by name.
func SharedChildren(ctx context.Context, q tenants.Querier) ([]SharedChild, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (SharedChild, error) {
		var s SharedChild
		err := row.Scan(&s.ChildID, &s.ChildName, &s.HomeID, &s.HomeName, &s.OtherName)
		return s, err
	}, `SELECT ch.id, ch.first_name || ' ' || ch.last_name, f.id, f.name, o.name
		FROM child_households h JOIN children ch ON ch.id = h.child_id JOIN families f ON f.id = ch.family_id JOIN families o ON o.id = h.family_id
		ORDER BY ch.last_name, ch.first_name, ch.id`)
}
