package families

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"espacefamille/tenants"
)

// importPlan is a parsed file's valid lines grouped by family (groupRows's
// keys), in the order of their first line, and the preview's row views.
type importPlan struct {
	rows   []ImportRow
	groups [][]int
	views  []RowView
}

func newImportPlan(file *ImportFile) *importPlan {
	p := &importPlan{rows: file.Rows, views: make([]RowView, len(file.Rows))}
	at := map[string]int{}
	for i := range p.rows {
		r := &p.rows[i]
		p.views[i] = RowView{Line: r.Line, Family: r.Family.Name, Errors: append([]string(nil), r.Errors...),
			Notes: append([]string(nil), r.Notes...)}
		if r.HasChild {
			p.views[i].Child = r.Child.FirstName + " " + r.Child.LastName
		}
		if !r.OK() {
			continue
		}
		g, ok := at[r.key]
		if !ok {
			g = len(p.groups)
			at[r.key] = g
			p.groups = append(p.groups, nil)
		}
		p.groups[g] = append(p.groups[g], i)
	}
	return p
}

// summary completes an apply's counts with the lines read and those the
// parse refused (apply counts the lines it refuses itself).
func (p *importPlan) summary(sum Summary) Summary {
	sum.Rows = len(p.rows)
	sum.Invalid += countInvalid(p)
	sum.Noted = 0
	for _, v := range p.views {
		if len(v.Notes) > 0 {
			sum.Noted++
		}
	}
	return sum
}

func countInvalid(p *importPlan) int {
	n := 0
	for i := range p.rows {
		if !p.rows[i].OK() {
			n++
		}
	}
	return n
}

// AuditFunc records one change of an import in the caller's journal, in
// the import's transaction (action "import_create" or "import_update" of
// a family).
type AuditFunc func(ctx context.Context, tx *sql.Tx, action string, familyID int64, before, after any, now time.Time) error

// importStep is one apply call's context. The preview (tx nil) writes
// nothing but goes through exactly the same decisions as the import: what
// it would create enters the index under a provisional negative
// identifier, so that later lines match it as they will match the real
// row, and the preview's counts are what confirming does.
type importStep struct {
	tx    tenants.Querier
	raw   *sql.Tx
	ix    *importIndex
	audit AuditFunc
	now   time.Time
	step  func(errMsg string) // one line done; nil in the preview
}

// provisional returns the next provisional identifier of the preview.
func (ix *importIndex) provisional() int64 {
	ix.fake--
	return ix.fake
}

// apply matches (and, with a transaction, writes) the groups from..to-1
// and returns what they did.
func (p *importPlan) apply(ctx context.Context, st importStep, from, to int) (Summary, error) {
	var sum Summary
	for _, idx := range p.groups[from:to] {
		if err := p.applyGroup(ctx, st, idx, &sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// mergeFamily applies the file's values onto an existing family: empty
// cells keep what the commune already has.
func mergeFamily(old, in Family) Family {
	m := old
	m.Name = in.Name
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&m.Email, in.Email)
	set(&m.Phone, in.Phone)
	set(&m.Address, in.Address)
	set(&m.PostalCode, in.PostalCode)
	set(&m.City, in.City)
	set(&m.ExternalRef, in.ExternalRef)
	if in.HasQF {
		m.HasQF, m.QF, m.QFFrom, m.QFUntil = true, in.QF, in.QFFrom, in.QFUntil
	}
	return m
}

// applyGroup matches (and, with a transaction, writes) one family and its
// lines. A line whose child is already registered in another family is
// refused before anything is written, guardian included; a family none
// of whose lines remains is not written at all: what the preview counts
// as refused is exactly what the import leaves out.
func (p *importPlan) applyGroup(ctx context.Context, st importStep, idx []int, sum *Summary) error {
	old, namesake := st.ix.match(p.rows, idx)
	var famID int64
	if old != nil {
		famID = old.ID
	}
	keep := make([]int, 0, len(idx))
	for _, i := range idx {
		r := &p.rows[i]
		if r.HasChild {
			if c, found := st.ix.children[childKey(r.ch.FirstName, r.ch.LastName, r.ch.BirthDate)]; found && c.familyID != famID {
				msg := fmt.Sprintf("cet enfant est déjà inscrit dans une autre famille (n° %d)", c.familyID)
				p.views[i].Errors = append(p.views[i].Errors, msg)
				sum.Invalid++
				if st.step != nil {
					st.step(fmt.Sprintf("Ligne %d : %s", r.Line, msg))
				}
				continue
			}
		}
		keep = append(keep, i)
	}
	if len(keep) == 0 {
		return nil
	}
	fam := p.rows[keep[0]].fam
	famAction := "famille créée"
	if old != nil {
		fam = mergeFamily(*old, fam)
		fam.ID = old.ID
		if other, taken := st.ix.byRef[fam.ExternalRef]; taken && other != fam.ID {
			fam.ExternalRef = old.ExternalRef // the file's reference is another family's
		}
		famAction = "famille mise à jour"
		sum.UpdatedFamilies++
		if st.tx != nil {
			if err := updateFamily(ctx, st.tx, fam); err != nil {
				return err
			}
			if err := st.audit(ctx, st.raw, "import_update", fam.ID, *old, fam, st.now); err != nil {
				return err
			}
		}
		st.ix.setFamily(fam)
	} else {
		if namesake != 0 {
			v := &p.views[keep[0]]
			v.Notes = append(v.Notes, fmt.Sprintf("une famille du même nom existe déjà (n° %d), sans la même référence ni le même email : "+
				"une nouvelle famille est créée. S'il s'agit de la même, indiquez sa référence (ou son email) dans le fichier.", namesake))
		}
		sum.NewFamilies++
		if st.tx != nil {
			var err error
			if fam.ID, err = insertFamily(ctx, st.tx, fam, st.now); err != nil {
				return err
			}
			if err := st.audit(ctx, st.raw, "import_create", fam.ID, nil, fam, st.now); err != nil {
				return err
			}
		} else {
			fam.ID = st.ix.provisional()
		}
		st.ix.addFamily(fam)
	}
	known := append([]Guardian(nil), st.ix.guardians[fam.ID]...)
	for n, i := range keep {
		r := &p.rows[i]
		actions := []string{}
		if n == 0 {
			actions = append(actions, famAction)
		}
		if r.Guardian.LastName != "" {
			a, err := importGuardian(ctx, st, &known, fam.ID, r.Guardian)
			if err != nil {
				return err
			}
			if a != "" {
				sum.NewGuardians++
				actions = append(actions, a)
			}
		}
		if r.HasChild {
			a, err := importChild(ctx, st, fam.ID, r.ch)
			if err != nil {
				return err
			}
			if a == "enfant ajouté" {
				sum.NewChildren++
			} else {
				sum.UpdatedChildren++
			}
			actions = append(actions, a)
		}
		p.views[i].Action = strings.Join(actions, " ; ")
		if st.step != nil {
			st.step("")
		}
	}
	st.ix.guardians[fam.ID] = known
	return nil
}

// importGuardian adds the line's guardian unless the family already has
// one of that name (whose email and phone are then updated).
func importGuardian(ctx context.Context, st importStep, known *[]Guardian, familyID int64, g Guardian) (string, error) {
	tx := st.tx
	g.FamilyID = familyID
	for k, old := range *known {
		if FoldText(old.LastName) == FoldText(g.LastName) && FoldText(old.FirstName) == FoldText(g.FirstName) {
			if g.Email != "" || g.Phone != "" || g.Civility != "" {
				if g.Email == "" {
					g.Email = old.Email
				}
				if g.Phone == "" {
					g.Phone = old.Phone
				}
				if g.Civility == "" {
					g.Civility = old.Civility
				}
				g.ID = old.ID
				if tx != nil {
					if _, err := tx.ExecContext(ctx, `UPDATE guardians SET civility = ?, email = ?, phone = ? WHERE id = ?`,
						g.Civility, g.Email, g.Phone, old.ID); err != nil {
						return "", err
					}
				}
				(*known)[k] = g
			}
			return "", nil
		}
	}
	if tx != nil {
		res, err := tx.ExecContext(ctx, `INSERT INTO guardians (family_id, civility, last_name, first_name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, familyID, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, tenants.At(st.now))
		if err != nil {
			return "", err
		}
		if g.ID, err = res.LastInsertId(); err != nil {
			return "", err
		}
	}
	*known = append(*known, g)
	return "responsable ajouté", nil
}

// importChild adds or updates a child of the family (applyGroup has
// refused the children of other families).
func importChild(ctx context.Context, st importStep, familyID int64, ch Child) (action string, err error) {
	ch.FamilyID = familyID
	old, found := st.ix.children[childKey(ch.FirstName, ch.LastName, ch.BirthDate)]
	action = "enfant ajouté"
	if found {
		action, ch.ID = "enfant mis à jour", old.id
	}
	if st.tx == nil {
		if !found {
			ch.ID = st.ix.provisional()
			st.ix.addChild(ch)
		}
		return action, nil
	}
	if ch.SchoolID, err = st.ix.school(ctx, st.tx, ch.SchoolName); err != nil {
		return "", err
	}
	if found {
		return action, updateChild(ctx, st.tx, ch)
	}
	if ch.ID, err = insertChild(ctx, st.tx, ch, st.now); err != nil {
		return "", err
	}
	st.ix.addChild(ch)
	return action, nil
}
