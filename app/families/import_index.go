package families

import (
	"context"
	"fmt"

	"espacefamille/tenants"
)

// importIndex is what an import matches its lines against: the commune's
// families, children, guardians and schools, read once (one pass over each
// table) into maps, so that matching a line costs the same whatever the
// commune's size; a file of 3,000 children born the same day used to scan
// every child of that date for each line. The import keeps it up to date
// as it writes, and each batch first reads what others added since
// (refresh: rows whose id is above the highest seen).
type importIndex struct {
	families  map[int64]*Family
	byRef     map[string]int64
	byEmail   map[string][]int64
	byName    map[string][]int64 // folded family name
	children  map[string]childRef
	guardians map[int64][]Guardian
	schools   map[string]int64 // folded school name

	maxFamily, maxChild, maxGuardian, maxSchool int64
	fake                                        int64 // last provisional identifier of a preview
}

// childRef is a known child: its id and family.
type childRef struct{ id, familyID int64 }

func newImportIndex() *importIndex {
	return &importIndex{families: map[int64]*Family{}, byRef: map[string]int64{}, byEmail: map[string][]int64{},
		byName: map[string][]int64{}, children: map[string]childRef{}, guardians: map[int64][]Guardian{}, schools: map[string]int64{}}
}

// childKey identifies a child across imports: first name, last name (accents
// and case ignored) and birth date.
func childKey(first, last, birth string) string {
	return FoldText(first) + "|" + FoldText(last) + "|" + birth
}

// refresh reads the rows added since the last refresh (all of them the
// first time).
func (ix *importIndex) refresh(ctx context.Context, q tenants.Querier) error {
	fams, err := tenants.All(ctx, q, scanFamily, `SELECT `+familyColumns+` FROM families WHERE id > ? ORDER BY id`, ix.maxFamily)
	if err != nil {
		return fmt.Errorf("families: import index families: %w", err)
	}
	for _, f := range fams {
		ix.addFamily(f)
	}
	err = tenants.Each(ctx, q, func(row tenants.Row) error {
		var ch Child
		if err := row.Scan(&ch.ID, &ch.FamilyID, &ch.FirstName, &ch.LastName, &ch.BirthDate); err != nil {
			return err
		}
		ix.addChild(ch)
		return nil
	}, `SELECT id, family_id, first_name, last_name, birth_date FROM children WHERE id > ? ORDER BY id`, ix.maxChild)
	if err != nil {
		return fmt.Errorf("families: import index children: %w", err)
	}
	err = tenants.Each(ctx, q, func(row tenants.Row) error {
		var g Guardian
		if err := row.Scan(&g.ID, &g.FamilyID, &g.Civility, &g.LastName, &g.FirstName, &g.Email, &g.Phone); err != nil {
			return err
		}
		ix.addGuardian(g)
		return nil
	}, `SELECT id, family_id, civility, last_name, first_name, email, phone FROM guardians WHERE id > ? ORDER BY id`, ix.maxGuardian)
	if err != nil {
		return fmt.Errorf("families: import index guardians: %w", err)
	}
	err = tenants.Each(ctx, q, func(row tenants.Row) error {
		var id int64
		var name string
		if err := row.Scan(&id, &name); err != nil {
			return err
		}
		ix.addSchool(id, name)
		return nil
	}, `SELECT id, name FROM schools WHERE id > ? ORDER BY id`, ix.maxSchool)
	if err != nil {
		return fmt.Errorf("families: import index schools: %w", err)
	}
	return nil
}

func (ix *importIndex) addFamily(f Family) {
	if _, known := ix.families[f.ID]; known {
		return
	}
	ix.families[f.ID] = &f
	ix.link(&f)
	ix.maxFamily = max(ix.maxFamily, f.ID)
}

// link enters a family's reference, email and name into the lookups.
func (ix *importIndex) link(f *Family) {
	if f.ExternalRef != "" {
		ix.byRef[f.ExternalRef] = f.ID
	}
	if f.Email != "" {
		ix.byEmail[f.Email] = append(ix.byEmail[f.Email], f.ID)
	}
	name := FoldText(f.Name)
	ix.byName[name] = append(ix.byName[name], f.ID)
}

// setFamily records a family's new values (after an update).
func (ix *importIndex) setFamily(f Family) {
	old, known := ix.families[f.ID]
	if !known {
		ix.addFamily(f)
		return
	}
	if old.ExternalRef != "" && ix.byRef[old.ExternalRef] == f.ID {
		delete(ix.byRef, old.ExternalRef)
	}
	if old.Email != "" {
		ix.byEmail[old.Email] = without(ix.byEmail[old.Email], f.ID)
	}
	name := FoldText(old.Name)
	ix.byName[name] = without(ix.byName[name], f.ID)
	*old = f
	ix.link(old)
}

func without(ids []int64, id int64) []int64 {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func (ix *importIndex) addChild(ch Child) {
	ix.children[childKey(ch.FirstName, ch.LastName, ch.BirthDate)] = childRef{id: ch.ID, familyID: ch.FamilyID}
	ix.maxChild = max(ix.maxChild, ch.ID)
}

func (ix *importIndex) addGuardian(g Guardian) {
	ix.guardians[g.FamilyID] = append(ix.guardians[g.FamilyID], g)
	ix.maxGuardian = max(ix.maxGuardian, g.ID)
}

func (ix *importIndex) addSchool(id int64, name string) {
	if _, known := ix.schools[FoldText(name)]; !known {
		ix.schools[FoldText(name)] = id
	}
	ix.maxSchool = max(ix.maxSchool, id)
}

// school returns the id of the school named name (accents and case
// ignored), creating it; 0 for no school.
func (ix *importIndex) school(ctx context.Context, tx tenants.Querier, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	if id, ok := ix.schools[FoldText(name)]; ok {
		return id, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO schools (name) VALUES (?)`, name)
	if err != nil {
		return 0, fmt.Errorf("families: create school: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	ix.addSchool(id, name)
	return id, nil
}

// match finds the family a group of lines is about: by its reference;
// else by its email, when exactly one family of the commune has it and
// carries no other reference; else by one of its children (first and last
// name, birth date). A family found by its name alone is not a match: it
// is returned as namesake, for the preview to show.
func (ix *importIndex) match(rows []ImportRow, idx []int) (found *Family, namesake int64) {
	first := rows[idx[0]].fam
	sameRef := func(f *Family) bool {
		return first.ExternalRef == "" || f.ExternalRef == "" || f.ExternalRef == first.ExternalRef
	}
	if id, ok := ix.byRef[first.ExternalRef]; ok && first.ExternalRef != "" {
		return ix.families[id], 0
	}
	if first.Email != "" {
		var hit *Family
		n := 0
		for _, id := range ix.byEmail[first.Email] {
			if f := ix.families[id]; sameRef(f) {
				hit, n = f, n+1
			}
		}
		if n == 1 {
			return hit, 0
		}
	}
	for _, i := range idx {
		if !rows[i].HasChild {
			continue
		}
		if c, ok := ix.children[childKey(rows[i].ch.FirstName, rows[i].ch.LastName, rows[i].ch.BirthDate)]; ok {
			if f := ix.families[c.familyID]; f != nil && sameRef(f) {
				return f, 0
			}
		}
	}
	for _, id := range ix.byName[FoldText(first.Name)] {
		if id > 0 { // a preview's provisional family is the file's own: groupRows notes it
			return nil, id
		}
	}
	return nil, 0
}
