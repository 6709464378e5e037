package admin

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

type familiesData struct {
	base
	Filter   FamilyFilter
	Families []FamilyRow
	More     bool
	PrevURL  string
	NextURL  string
}

func (f FamilyFilter) pageURL(page int) string {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.State != "" {
		v.Set("etat", f.State)
	}
	v.Set("page", strconv.Itoa(page))
	return "/admin/familles?" + v.Encode()
}

func (a *Admin) listFamilies(c *fiber.Ctx) error {
	page, _ := strconv.Atoi(c.Query("page"))
	f := FamilyFilter{Query: c.Query("q"), State: c.Query("etat"), Page: max(page, 1)}
	if len(f.Query) > 100 {
		f.Query = f.Query[:100]
	}
	list, more, err := listFamilies(c.UserContext(), db(c).R, f)
	if err != nil {
		return err
	}
	d := familiesData{base: baseOf(c, "familles"), Filter: f, Families: list, More: more}
	if f.Page > 1 {
		d.PrevURL = f.pageURL(f.Page - 1)
	}
	if more {
		d.NextURL = f.pageURL(f.Page + 1)
	}
	return web.Render(c, "admin/familles", "Familles", d)
}

type familyFormData struct {
	base
	Family Family
	Form   FamilyForm
	Errors formErrors
}

func familyFormOf(c *fiber.Ctx) FamilyForm {
	return FamilyForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone"),
		Address: c.FormValue("address"), PostalCode: c.FormValue("postal_code"), City: c.FormValue("city"),
		ExternalRef: c.FormValue("external_ref"), QF: c.FormValue("qf"), QFFrom: c.FormValue("qf_from"), QFUntil: c.FormValue("qf_until")}
}

func formOfFamily(f Family) FamilyForm {
	ff := FamilyForm{Name: f.Name, Email: f.Email, Phone: f.Phone, Address: f.Address, PostalCode: f.PostalCode, City: f.City,
		ExternalRef: f.ExternalRef, QFFrom: web.FormatDate(f.QFFrom), QFUntil: web.FormatDate(f.QFUntil)}
	if f.HasQF {
		ff.QF = strconv.FormatInt(f.QF, 10)
	}
	return ff
}

func (a *Admin) newFamily(c *fiber.Ctx) error {
	return web.Render(c, "admin/famille-form", "Nouvelle famille", familyFormData{base: baseOf(c, "familles")})
}

func (a *Admin) createFamily(c *fiber.Ctx) error {
	form := familyFormOf(c)
	fam, errs := form.Validate()
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/famille-form", "Nouvelle famille",
			familyFormData{base: baseOf(c, "familles"), Form: form, Errors: errs})
	}
	var id int64
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := refFree(ctx, tx, fam.ExternalRef, 0); err != nil {
			return err
		}
		var err error
		if id, err = insertFamily(ctx, tx, fam, now); err != nil {
			return err
		}
		fam.ID = id
		return audit(ctx, tx, currentStaff(c), "create", "family", id, nil, fam, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Famille créée.")
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}

// refFree refuses an external reference already used by another family.
func refFree(ctx context.Context, q querier, ref string, self int64) error {
	if ref == "" {
		return nil
	}
	other, err := familyByRef(ctx, q, ref)
	if errors.Is(err, ErrNotFound) || err == nil && other.ID == self {
		return nil
	}
	if err != nil {
		return err
	}
	return errInvalid("La référence « " + ref + " » est déjà celle de la famille " + other.Name + ".")
}

type familyData struct {
	base
	Family    Family
	Guardians []Guardian
	Children  []Child
	Codes     []CodeRow
	Accounts  []LinkedAccount
}

func (a *Admin) showFamily(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx, q := c.UserContext(), db(c).R
	d := familyData{base: baseOf(c, "familles")}
	if d.Family, err = familyByID(ctx, q, id); errors.Is(err, ErrNotFound) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	if d.Guardians, err = guardians(ctx, q, id); err != nil {
		return err
	}
	if d.Children, err = familyChildren(ctx, q, id); err != nil {
		return err
	}
	if d.Codes, err = familyCodes(ctx, q, id); err != nil {
		return err
	}
	if d.Accounts, err = linkedAccounts(ctx, q, id); err != nil {
		return err
	}
	accountIdentity(ctx, a.srv.Registry.Platform().R, d.Accounts)
	return web.Render(c, "admin/famille", d.Family.Name, d)
}

// familyParam is the family the page's :id names; an identifier that is
// malformed or names no family is web.ErrNotFound.
func familyParam(c *fiber.Ctx) (Family, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return Family{}, err
	}
	fam, err := familyByID(c.UserContext(), db(c).R, id)
	if err != nil {
		return Family{}, web.ErrNotFound
	}
	return fam, nil
}

func (a *Admin) editFamily(c *fiber.Ctx) error {
	fam, err := familyParam(c)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/famille-form", "Modifier la famille", familyFormData{base: baseOf(c, "familles"), Family: fam, Form: formOfFamily(fam)})
}

func (a *Admin) updateFamily(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	form := familyFormOf(c)
	fam, errs := form.Validate()
	fam.ID = id
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/famille-form", "Modifier la famille",
			familyFormData{base: baseOf(c, "familles"), Family: fam, Form: form, Errors: errs})
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := familyByID(ctx, tx, id)
		if err != nil {
			return web.ErrNotFound
		}
		if err := refFree(ctx, tx, fam.ExternalRef, id); err != nil {
			return err
		}
		fam.InvitedAt = before.InvitedAt
		if err := updateFamily(ctx, tx, fam); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "family", id, before, fam, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Famille enregistrée.")
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}

// saveGuardian adds a guardian, or updates one when the form names it.
func (a *Admin) saveGuardian(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	g := Guardian{FamilyID: id, Civility: formValue(c, "civility"), Email: formValue(c, "email"), Phone: cleanText(c.FormValue("phone"))}
	g.ID, _ = strconv.ParseInt(c.FormValue("guardian_id"), 10, 64)
	errs := formErrors{}
	g.LastName = checkName(errs, "last_name", c.FormValue("last_name"), 100, "Le nom du responsable est obligatoire.")
	if first := strings.TrimSpace(c.FormValue("first_name")); first != "" {
		g.FirstName = checkName(errs, "first_name", first, 100, "")
	}
	if len(g.Phone) > 40 {
		errs.add("phone", "Le numéro de téléphone est trop long.")
	}
	for _, f := range []string{"last_name", "first_name", "phone"} {
		if msg, ok := errs[f]; ok {
			return errInvalid(msg)
		}
	}
	if g.Civility != "" && g.Civility != "M" && g.Civility != "Mme" {
		return errInvalid("Civilité invalide.")
	}
	if g.Email != "" {
		fam, errs := FamilyForm{Name: "x", Email: g.Email}.Validate()
		if len(errs) > 0 {
			return errInvalid("L'adresse email du responsable n'est pas valide.")
		}
		g.Email = fam.Email
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if _, err := familyByID(ctx, tx, id); err != nil {
			return web.ErrNotFound
		}
		return saveGuardianTx(ctx, tx, currentStaff(c), g, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Responsable enregistré.")
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}

func saveGuardianTx(ctx context.Context, tx *sql.Tx, who *Staff, g Guardian, now time.Time) error {
	if g.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO guardians (family_id, civility, last_name, first_name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, g.FamilyID, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, ts(now))
		if err != nil {
			return err
		}
		g.ID, _ = res.LastInsertId()
		return audit(ctx, tx, who, "create", "guardian", g.ID, nil, g, now)
	}
	var before Guardian
	err := tx.QueryRowContext(ctx, `SELECT id, family_id, civility, last_name, first_name, email, phone FROM guardians
		WHERE id = ? AND family_id = ?`, g.ID, g.FamilyID).Scan(&before.ID, &before.FamilyID, &before.Civility,
		&before.LastName, &before.FirstName, &before.Email, &before.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE guardians SET civility = ?, last_name = ?, first_name = ?, email = ?, phone = ?
		WHERE id = ? AND family_id = ?`, g.Civility, g.LastName, g.FirstName, g.Email, g.Phone, g.ID, g.FamilyID); err != nil {
		return err
	}
	return audit(ctx, tx, who, "update", "guardian", g.ID, before, g, now)
}

func (a *Admin) deleteGuardian(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	gid, err := idParam(c, "gid")
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM guardians WHERE id = ? AND family_id = ?`, gid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return web.ErrNotFound
		}
		return audit(ctx, tx, currentStaff(c), "delete", "guardian", gid, map[string]int64{"family_id": id}, nil, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Responsable retiré.")
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}
