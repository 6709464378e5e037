package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// matchFamily finds the family a group of lines is about: by its external
// reference, else by one of its children (first and last name, birth
// date), else by name and email.
func matchFamily(ctx context.Context, q querier, rows []ImportRow, idx []int) (Family, bool, error) {
	first := rows[idx[0]].fam
	if first.ExternalRef != "" {
		f, err := familyByRef(ctx, q, first.ExternalRef)
		if err == nil {
			return f, true, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return f, false, err
		}
	}
	for _, i := range idx {
		if !rows[i].HasChild {
			continue
		}
		ch, err := childByIdentity(ctx, q, rows[i].ch.FirstName, rows[i].ch.LastName, rows[i].ch.BirthDate)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Family{}, false, err
		}
		f, err := familyByID(ctx, q, ch.FamilyID)
		if err != nil {
			return f, false, err
		}
		if first.ExternalRef == "" || f.ExternalRef == "" {
			return f, true, nil
		}
	}
	if first.ExternalRef == "" {
		f, err := scanFamily(q.QueryRowContext(ctx, `SELECT `+familyColumns+` FROM families
			WHERE name = ? COLLATE NOCASE AND email = ? ORDER BY id LIMIT 1`, first.Name, first.Email))
		if err == nil {
			return f, true, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return f, false, err
		}
	}
	return Family{}, false, nil
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

// planGroup matches (and, with tx, writes) one family and its lines.
func planGroup(ctx context.Context, q querier, tx *sql.Tx, rows []ImportRow, idx []int, views []RowView, sum *ImportSummary,
	who *Staff, now time.Time, j *job) error {
	old, found, err := matchFamily(ctx, q, rows, idx)
	if err != nil {
		return err
	}
	fam := rows[idx[0]].fam
	famAction := "famille créée"
	if found {
		fam = mergeFamily(old, fam)
		fam.ID = old.ID
		famAction = "famille mise à jour"
		sum.UpdatedFamilies++
		if tx != nil {
			if err := refFree(ctx, tx, fam.ExternalRef, fam.ID); err != nil {
				fam.ExternalRef = old.ExternalRef
			}
			if err := updateFamily(ctx, tx, fam); err != nil {
				return err
			}
			if err := audit(ctx, tx, who, "import_update", "family", fam.ID, old, fam, now); err != nil {
				return err
			}
		}
	} else {
		sum.NewFamilies++
		if tx != nil {
			if fam.ID, err = insertFamily(ctx, tx, fam, now); err != nil {
				return err
			}
			if err := audit(ctx, tx, who, "import_create", "family", fam.ID, nil, fam, now); err != nil {
				return err
			}
		}
	}
	var known []Guardian
	if found {
		if known, err = guardians(ctx, q, fam.ID); err != nil {
			return err
		}
	}
	for n, i := range idx {
		r := &rows[i]
		actions := []string{}
		if n == 0 {
			actions = append(actions, famAction)
		}
		if r.Guardian.LastName != "" {
			a, err := importGuardian(ctx, tx, &known, fam.ID, r.Guardian, now)
			if err != nil {
				return err
			}
			if a != "" {
				sum.NewGuardians++
				actions = append(actions, a)
			}
		}
		if r.HasChild {
			a, msg, err := importChild(ctx, q, tx, fam.ID, r.ch, now)
			if err != nil {
				return err
			}
			if msg != "" {
				views[i].Errors = append(views[i].Errors, msg)
				continue
			}
			if a == "enfant ajouté" {
				sum.NewChildren++
			} else {
				sum.UpdatedChildren++
			}
			actions = append(actions, a)
		}
		views[i].Action = strings.Join(actions, " ; ")
		if j != nil {
			j.step("")
		}
	}
	return nil
}

// importGuardian adds the line's guardian unless the family already has
// one of that name (whose email and phone are then updated).
func importGuardian(ctx context.Context, tx *sql.Tx, known *[]Guardian, familyID int64, g Guardian, now time.Time) (string, error) {
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
				if _, err := tx.ExecContext(ctx, `UPDATE guardians SET civility = ?, email = ?, phone = ? WHERE id = ?`,
					g.Civility, g.Email, g.Phone, old.ID); err != nil {
					return "", err
				}
				(*known)[k] = g
			}
			return "", nil
		}
	}
	*known = append(*known, g)
	if tx == nil {
		return "responsable ajouté", nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO guardians (family_id, civility, last_name, first_name, email, phone, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, familyID, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, ts(now))
	return "responsable ajouté", err
}

// importChild adds or updates a child of the family. msg is a French
// problem that makes the line be skipped.
func importChild(ctx context.Context, q querier, tx *sql.Tx, familyID int64, ch Child, now time.Time) (action, msg string, err error) {
	ch.FamilyID = familyID
	old, err := childByIdentity(ctx, q, ch.FirstName, ch.LastName, ch.BirthDate)
	switch {
	case errors.Is(err, ErrNotFound):
		if tx != nil {
			if ch.SchoolID, err = schoolID(ctx, tx, ch.SchoolName); err != nil {
				return "", "", err
			}
			if _, err = insertChild(ctx, tx, ch, now); err != nil {
				return "", "", err
			}
		}
		return "enfant ajouté", "", nil
	case err != nil:
		return "", "", err
	case old.FamilyID != familyID:
		return "", fmt.Sprintf("cet enfant est déjà inscrit dans une autre famille (n° %d)", old.FamilyID), nil
	}
	ch.ID = old.ID
	if tx != nil {
		if ch.SchoolID, err = schoolID(ctx, tx, ch.SchoolName); err != nil {
			return "", "", err
		}
		if err = updateChild(ctx, tx, ch); err != nil {
			return "", "", err
		}
	}
	return "enfant mis à jour", "", nil
}
