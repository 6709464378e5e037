package admin

import (
	"context"
	"fmt"
	"strings"
	"time"
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

// summary counts the lines read and those in error, after apply.
func (p *importPlan) summary(sum ImportSummary) ImportSummary {
	sum.Rows, sum.Invalid = len(p.rows), 0
	for _, v := range p.views {
		if len(v.Errors) > 0 {
			sum.Invalid++
		}
	}
	return sum
}

// importStep is one apply call's context: with tx nil it is the preview,
// which only reads the index. tx is a write transaction through the
// commune's statement cache (tenants.DB.InTx): an import runs the same few
// statements tens of thousands of times.
type importStep struct {
	tx  querier
	ix  *importIndex
	who *Staff
	now time.Time
	j   *job
}

// apply matches (and, with a transaction, writes) the groups from..to-1
// and returns what they did.
func (p *importPlan) apply(ctx context.Context, st importStep, from, to int) (ImportSummary, error) {
	var sum ImportSummary
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
// lines.
func (p *importPlan) applyGroup(ctx context.Context, st importStep, idx []int, sum *ImportSummary) error {
	old, namesake := st.ix.match(p.rows, idx)
	fam := p.rows[idx[0]].fam
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
			if err := audit(ctx, st.tx, st.who, "import_update", "family", fam.ID, *old, fam, st.now); err != nil {
				return err
			}
			st.ix.setFamily(fam)
		}
	} else {
		if namesake != 0 {
			v := &p.views[idx[0]]
			v.Notes = append(v.Notes, fmt.Sprintf("une famille du même nom existe déjà (n° %d), sans la même référence ni le même email : "+
				"une nouvelle famille est créée. S'il s'agit de la même, indiquez sa référence (ou son email) dans le fichier.", namesake))
		}
		sum.NewFamilies++
		if st.tx != nil {
			var err error
			if fam.ID, err = insertFamily(ctx, st.tx, fam, st.now); err != nil {
				return err
			}
			if err := audit(ctx, st.tx, st.who, "import_create", "family", fam.ID, nil, fam, st.now); err != nil {
				return err
			}
			st.ix.addFamily(fam)
		}
	}
	known := append([]Guardian(nil), st.ix.guardians[fam.ID]...)
	for n, i := range idx {
		r := &p.rows[i]
		actions := []string{}
		if n == 0 {
			actions = append(actions, famAction)
		}
		if r.Guardian.LastName != "" {
			a, err := importGuardian(ctx, st.tx, &known, fam.ID, r.Guardian, st.now)
			if err != nil {
				return err
			}
			if a != "" {
				sum.NewGuardians++
				actions = append(actions, a)
			}
		}
		if r.HasChild {
			a, msg, err := importChild(ctx, st, fam.ID, r.ch)
			if err != nil {
				return err
			}
			if msg != "" {
				p.views[i].Errors = append(p.views[i].Errors, msg)
				if st.j != nil {
					st.j.step(fmt.Sprintf("Ligne %d : %s", r.Line, msg))
				}
				continue
			}
			if a == "enfant ajouté" {
				sum.NewChildren++
			} else {
				sum.UpdatedChildren++
			}
			actions = append(actions, a)
		}
		p.views[i].Action = strings.Join(actions, " ; ")
		if st.j != nil {
			st.j.step("")
		}
	}
	if st.tx != nil {
		st.ix.guardians[fam.ID] = known
	}
	return nil
}

// importGuardian adds the line's guardian unless the family already has
// one of that name (whose email and phone are then updated).
func importGuardian(ctx context.Context, tx querier, known *[]Guardian, familyID int64, g Guardian, now time.Time) (string, error) {
	g.FamilyID = familyID
	for k, old := range *known {
		if foldText(old.LastName) == foldText(g.LastName) && foldText(old.FirstName) == foldText(g.FirstName) {
			if tx != nil && (g.Email != "" || g.Phone != "" || g.Civility != "") {
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
				if _, err := tx.ExecContext(ctx, `UPDATE guardians SET civility = ?, email = ?, phone = ? WHERE id = ?`,
					g.Civility, g.Email, g.Phone, old.ID); err != nil {
					return "", err
				}
				(*known)[k] = g
			}
			return "", nil
		}
	}
	if tx != nil {
		res, err := tx.ExecContext(ctx, `INSERT INTO guardians (family_id, civility, last_name, first_name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, familyID, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, ts(now))
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

// importChild adds or updates a child of the family. msg is a French
// problem that makes the line be skipped.
func importChild(ctx context.Context, st importStep, familyID int64, ch Child) (action, msg string, err error) {
	ch.FamilyID = familyID
	old, found := st.ix.children[childKey(ch.FirstName, ch.LastName, ch.BirthDate)]
	switch {
	case found && old.familyID != familyID:
		return "", fmt.Sprintf("cet enfant est déjà inscrit dans une autre famille (n° %d)", old.familyID), nil
	case found:
		action, ch.ID = "enfant mis à jour", old.id
	default:
		action = "enfant ajouté"
	}
	if st.tx == nil {
		return action, "", nil
	}
	if ch.SchoolID, err = st.ix.school(ctx, st.tx, ch.SchoolName); err != nil {
		return "", "", err
	}
	if found {
		return action, "", updateChild(ctx, st.tx, ch)
	}
	if ch.ID, err = insertChild(ctx, st.tx, ch, st.now); err != nil {
		return "", "", err
	}
	st.ix.addChild(ch)
	return action, "", nil
}
