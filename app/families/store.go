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

// ListRow is one line of the families list.
type ListRow struct {
	ID       int64
	Name     string
	Email    string
	Children string
	Linked   int
	Invited  bool
}

// State is the family's adhesion state in French.
func (r ListRow) State() string {
	switch {
	case r.Linked > 0:
		return fmt.Sprintf("Compte lié (%d)", r.Linked)
	case r.Invited:
		return "Invitée, pas encore liée"
	}
	return "Non invitée"
}

// Filter narrows the families list.
type Filter struct {
	Query string // name, child, email
	State string // "liee", "invitee", "non-invitee" or ""
	Page  int
}

const familiesPage = 50

// PageSize is how many families one page of the list shows.
const PageSize = familiesPage

// List returns one page of the families that f selects, by name, and
// whether more follow.
func List(ctx context.Context, q tenants.Querier, f Filter) ([]ListRow, bool, error) {
	where := []string{"1 = 1"}
	var args []any
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s)) + "%"
		where = append(where, `(lower(f.name) LIKE ? ESCAPE '\' OR lower(f.email) LIKE ? ESCAPE '\' OR lower(COALESCE(f.external_ref, '')) LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM children ch WHERE ch.family_id = f.id AND lower(ch.first_name || ' ' || ch.last_name) LIKE ? ESCAPE '\')
			OR EXISTS (SELECT 1 FROM guardians g WHERE g.family_id = f.id AND (lower(g.email) LIKE ? ESCAPE '\' OR lower(g.first_name || ' ' || g.last_name) LIKE ? ESCAPE '\')))`)
		for range 6 {
			args = append(args, like)
		}
	}
	linked := `EXISTS (SELECT 1 FROM family_accounts fa WHERE fa.family_id = f.id)`
	switch f.State {
	case "liee":
		where = append(where, linked)
	case "invitee":
		where = append(where, "NOT "+linked+" AND f.invited_at IS NOT NULL")
	case "non-invitee":
		where = append(where, "NOT "+linked+" AND f.invited_at IS NULL")
	}
	page := max(f.Page, 1)
	args = append(args, familiesPage+1, (page-1)*familiesPage)
	out, err := tenants.All(ctx, q, func(row tenants.Row) (ListRow, error) {
		var r ListRow
		err := row.Scan(&r.ID, &r.Name, &r.Email, &r.Children, &r.Linked, &r.Invited)
		return r, err
	}, `
		SELECT f.id, f.name, f.email,
			COALESCE((SELECT group_concat(ch.first_name || ' ' || ch.last_name, ', ') FROM children ch WHERE ch.family_id = f.id), ''),
			(SELECT count(*) FROM family_accounts fa WHERE fa.family_id = f.id),
			f.invited_at IS NOT NULL
		FROM families f WHERE `+strings.Join(where, " AND ")+`
		ORDER BY f.name COLLATE NOCASE, f.id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, false, fmt.Errorf("families: list: %w", err)
	}
	more := len(out) > familiesPage
	if more {
		out = out[:familiesPage]
	}
	return out, more, nil
}

const familyColumns = `id, name, email, phone, address, postal_code, city, COALESCE(external_ref, ''),
	qf_value IS NOT NULL, COALESCE(qf_value, 0), COALESCE(qf_valid_from, ''), COALESCE(qf_valid_until, ''), COALESCE(invited_at, '')`

func scanFamily(row tenants.Row) (Family, error) {
	var f Family
	err := row.Scan(&f.ID, &f.Name, &f.Email, &f.Phone, &f.Address, &f.PostalCode, &f.City, &f.ExternalRef,
		&f.HasQF, &f.QF, &f.QFFrom, &f.QFUntil, &f.InvitedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// Load returns the family id, or ErrNotFound.
func Load(ctx context.Context, q tenants.Querier, id int64) (Family, error) {
	return scanFamily(q.QueryRowContext(ctx, `SELECT `+familyColumns+` FROM families WHERE id = ?`, id))
}

func qfArg(f Family) any {
	if !f.HasQF {
		return nil
	}
	return f.QF
}

func insertFamily(ctx context.Context, tx tenants.Querier, f Family, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO families (name, email, phone, address, postal_code, city, external_ref,
			qf_value, qf_valid_from, qf_valid_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Name, f.Email, f.Phone, f.Address, f.PostalCode, f.City, nullable(f.ExternalRef), qfArg(f), nullable(f.QFFrom), nullable(f.QFUntil), tenants.At(now))
	if err != nil {
		return 0, fmt.Errorf("families: create family: %w", err)
	}
	return res.LastInsertId()
}

func updateFamily(ctx context.Context, tx tenants.Querier, f Family) error {
	_, err := tx.ExecContext(ctx, `UPDATE families SET name = ?, email = ?, phone = ?, address = ?, postal_code = ?, city = ?,
			external_ref = ?, qf_value = ?, qf_valid_from = ?, qf_valid_until = ? WHERE id = ?`,
		f.Name, f.Email, f.Phone, f.Address, f.PostalCode, f.City, nullable(f.ExternalRef), qfArg(f), nullable(f.QFFrom), nullable(f.QFUntil), f.ID)
	if err != nil {
		return fmt.Errorf("families: update family %d: %w", f.ID, err)
	}
	return nil
}

// ByRef returns the family whose external reference is ref, or ErrNotFound.
func ByRef(ctx context.Context, q tenants.Querier, ref string) (Family, error) {
	return scanFamily(q.QueryRowContext(ctx, `SELECT `+familyColumns+` FROM families WHERE external_ref = ?`, ref))
}

// Guardians lists the family's guardians in the order they were added.
func Guardians(ctx context.Context, q tenants.Querier, familyID int64) ([]Guardian, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Guardian, error) {
		var g Guardian
		err := row.Scan(&g.ID, &g.FamilyID, &g.Civility, &g.LastName, &g.FirstName, &g.Email, &g.Phone)
		return g, err
	}, `SELECT id, family_id, civility, last_name, first_name, email, phone FROM guardians WHERE family_id = ? ORDER BY id`, familyID)
	if err != nil {
		return nil, fmt.Errorf("families: guardians: %w", err)
	}
	return out, nil
}

const childColumns = `ch.id, ch.family_id, ch.first_name, ch.last_name, ch.birth_date, COALESCE(ch.school_id, 0),
	COALESCE(s.name, ''), ch.class_name, ch.pai, ch.home_basket, ch.diet`

func scanChild(row tenants.Row) (Child, error) {
	var ch Child
	err := row.Scan(&ch.ID, &ch.FamilyID, &ch.FirstName, &ch.LastName, &ch.BirthDate, &ch.SchoolID, &ch.SchoolName,
		&ch.ClassName, &ch.PAI, &ch.HomeBasket, &ch.Diet)
	if errors.Is(err, sql.ErrNoRows) {
		return ch, ErrNotFound
	}
	return ch, err
}

// Children lists the family's children, eldest first.
func Children(ctx context.Context, q tenants.Querier, familyID int64) ([]Child, error) {
	out, err := tenants.All(ctx, q, scanChild, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.family_id = ? ORDER BY ch.birth_date, ch.first_name, ch.id`, familyID)
	if err != nil {
		return nil, fmt.Errorf("families: children: %w", err)
	}
	return out, nil
}

// LoadChild returns the child id, whatever its family (the back
// office's lookups), or ErrNotFound.
func LoadChild(ctx context.Context, q tenants.Querier, id int64) (Child, error) {
	return scanChild(q.QueryRowContext(ctx, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.id = ?`, id))
}

// FamilyChild loads a child only if it belongs to the family: an
// identifier typed in a URL never reaches another family's child.
func FamilyChild(ctx context.Context, q tenants.Querier, familyID, childID int64) (Child, error) {
	return scanChild(q.QueryRowContext(ctx, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.id = ? AND ch.family_id = ?`, childID, familyID))
}

// schoolID finds or creates the school named name; 0 for no school.
func schoolID(ctx context.Context, tx tenants.Querier, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM schools WHERE name = ? COLLATE NOCASE`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := tx.ExecContext(ctx, `INSERT INTO schools (name) VALUES (?)`, name)
		if err != nil {
			return 0, fmt.Errorf("families: create school: %w", err)
		}
		return res.LastInsertId()
	}
	return id, err
}

func schoolArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertChild(ctx context.Context, tx tenants.Querier, ch Child, now time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, class_name,
			pai, home_basket, diet, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ch.FamilyID, ch.FirstName, ch.LastName, ch.BirthDate, schoolArg(ch.SchoolID), ch.ClassName, ch.PAI, ch.HomeBasket, ch.Diet, tenants.At(now))
	if err != nil {
		return 0, fmt.Errorf("families: create child: %w", err)
	}
	return res.LastInsertId()
}

func updateChild(ctx context.Context, tx tenants.Querier, ch Child) error {
	_, err := tx.ExecContext(ctx, `UPDATE children SET first_name = ?, last_name = ?, birth_date = ?, school_id = ?, class_name = ?,
			pai = ?, home_basket = ?, diet = ? WHERE id = ? AND family_id = ?`,
		ch.FirstName, ch.LastName, ch.BirthDate, schoolArg(ch.SchoolID), ch.ClassName, ch.PAI, ch.HomeBasket, ch.Diet, ch.ID, ch.FamilyID)
	if err != nil {
		return fmt.Errorf("families: update child %d: %w", ch.ID, err)
	}
	return nil
}

// AllChildren lists the commune's children by name (at most 5,000).
func AllChildren(ctx context.Context, q tenants.Querier) ([]Child, error) {
	out, err := tenants.All(ctx, q, scanChild, `SELECT `+childColumns+` FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		ORDER BY ch.last_name, ch.first_name LIMIT 5000`)
	if err != nil {
		return nil, fmt.Errorf("families: all children: %w", err)
	}
	return out, nil
}

// SchoolNames lists the commune's schools by name.
func SchoolNames(ctx context.Context, q tenants.Querier) ([]string, error) {
	out, err := tenants.Values[string](ctx, q, `SELECT name FROM schools ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Code is an adhesion code as the back office shows it (never the code).
type Code struct {
	ID        int64
	Label     string
	Status    string
	AccountID int64
	UsedAt    string
	CreatedAt string
}

// StatusLabel is the code's state in French.
func (r Code) StatusLabel() string {
	switch r.Status {
	case "used":
		return "Utilisé"
	case "revoked":
		return "Remplacé"
	}
	return "Actif"
}

// Codes lists the family's adhesion codes, newest first.
func Codes(ctx context.Context, q tenants.Querier, familyID int64) ([]Code, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Code, error) {
		var r Code
		err := row.Scan(&r.ID, &r.Label, &r.Status, &r.AccountID, &r.UsedAt, &r.CreatedAt)
		return r, err
	}, `SELECT id, label, status, COALESCE(account_id, 0), COALESCE(used_at, ''), created_at
		FROM adhesion_codes WHERE family_id = ? ORDER BY id DESC`, familyID)
	if err != nil {
		return nil, fmt.Errorf("families: codes: %w", err)
	}
	return out, nil
}

// LinkedAccount is a parent's account linked to a family.
type LinkedAccount struct {
	AccountID int64
	Email     string
	Name      string
	LinkedAt  string
}

// LinkedAccounts lists the parents' accounts linked to the family, in the
// order they were linked; Email and Name are left for the accounts domain
// to fill.
func LinkedAccounts(ctx context.Context, q tenants.Querier, familyID int64) ([]LinkedAccount, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (LinkedAccount, error) {
		var l LinkedAccount
		err := row.Scan(&l.AccountID, &l.LinkedAt)
		return l, err
	}, `SELECT account_id, linked_at FROM family_accounts WHERE family_id = ? ORDER BY linked_at`, familyID)
	if err != nil {
		return nil, fmt.Errorf("families: linked accounts: %w", err)
	}
	return out, nil
}

// Contact returns the family's name and the address its emails go to:
// the family's email, else its first guardian's with one ("" when none),
// as stored; ErrNotFound when the family does not exist.
func Contact(ctx context.Context, q tenants.Querier, familyID int64) (name, email string, err error) {
	err = q.QueryRowContext(ctx, `SELECT f.name, COALESCE(NULLIF(f.email, ''),
			(SELECT g.email FROM guardians g WHERE g.family_id = f.id AND g.email <> '' ORDER BY g.id LIMIT 1), '')
		FROM families f WHERE f.id = ?`, familyID).Scan(&name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("families: contact of family %d: %w", familyID, err)
	}
	return name, email, nil
}

// CopySchoolRows writes schools read from another commune, with their ids
// (prestations may be reserved to some), into a new commune's creating
// transaction: the onboarding by copy (admin.CopyConfig).
func CopySchoolRows(ctx context.Context, tx tenants.Querier, columns []string, rows [][]any) error {
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO schools (`+strings.Join(columns, ", ")+`)`, "", rows); err != nil {
		return fmt.Errorf("families: copy schools: %w", err)
	}
	return nil
}
