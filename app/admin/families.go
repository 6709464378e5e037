package admin

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/families"
	"espacefamille/app/web"
)

type familiesData struct {
	base
	Filter   families.Filter
	Families []families.ListRow
	More     bool
	PrevURL  string
	NextURL  string
}

func pageURL(f families.Filter, page int) string {
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
	f := families.Filter{Query: c.Query("q"), State: c.Query("etat"), Page: max(page, 1)}
	if len(f.Query) > 100 {
		f.Query = f.Query[:100]
	}
	list, more, err := families.List(c.UserContext(), db(c).Reader(), f)
	if err != nil {
		return err
	}
	d := familiesData{base: baseOf(c, "familles"), Filter: f, Families: list, More: more}
	if f.Page > 1 {
		d.PrevURL = pageURL(f, f.Page-1)
	}
	if more {
		d.NextURL = pageURL(f, f.Page+1)
	}
	return web.Render(c, "admin/familles", "Familles", d)
}

type familyFormData struct {
	base
	Family families.Family
	Form   families.FamilyForm
	Errors formErrors
}

func familyFormOf(c *fiber.Ctx) families.FamilyForm {
	return families.FamilyForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone"),
		Address: c.FormValue("address"), PostalCode: c.FormValue("postal_code"), City: c.FormValue("city"),
		ExternalRef: c.FormValue("external_ref"), QF: c.FormValue("qf"), QFFrom: c.FormValue("qf_from"), QFUntil: c.FormValue("qf_until")}
}

func formOfFamily(f families.Family) families.FamilyForm {
	ff := families.FamilyForm{Name: f.Name, Email: f.Email, Phone: f.Phone, Address: f.Address, PostalCode: f.PostalCode, City: f.City,
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
			familyFormData{base: baseOf(c, "familles"), Form: form, Errors: formErrors(errs)})
	}
	var id int64
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var err error
		if id, err = families.Create(ctx, tx, fam, now); err != nil {
			return err
		}
		fam.ID = id
		return audit(ctx, tx, currentStaff(c), "create", "family", id, nil, fam, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Famille créée.")
}

type familyData struct {
	base
	Family    families.Family
	Guardians []families.Guardian
	Children  []families.Child
	Codes     []families.Code
	Accounts  []families.LinkedAccount
}

func (a *Admin) showFamily(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx, q := c.UserContext(), db(c).Reader()
	d := familyData{base: baseOf(c, "familles")}
	if d.Family, err = families.Load(ctx, q, id); err != nil {
		return err
	}
	if d.Guardians, err = families.Guardians(ctx, q, id); err != nil {
		return err
	}
	if d.Children, err = families.GuardedChildren(ctx, q, id); err != nil {
		return err
	}
	if d.Codes, err = families.Codes(ctx, q, id); err != nil {
		return err
	}
	if d.Accounts, err = families.LinkedAccounts(ctx, q, id); err != nil {
		return err
	}
	for i := range d.Accounts {
		d.Accounts[i].Email, d.Accounts[i].Name = accounts.Identity(ctx, a.srv.Registry.Platform().Reader(), d.Accounts[i].AccountID)
	}
	return web.Render(c, "admin/famille", d.Family.Name, d)
}

// familyParam is the family the page's :id names; an identifier that is
// malformed or names no family is a 404 (families.ErrNotFound).
func familyParam(c *fiber.Ctx) (families.Family, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return families.Family{}, err
	}
	fam, err := families.Load(c.UserContext(), db(c).Reader(), id)
	if err != nil {
		return families.Family{}, err
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
			familyFormData{base: baseOf(c, "familles"), Family: fam, Form: form, Errors: formErrors(errs)})
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := families.Update(ctx, tx, fam)
		if err != nil {
			return err
		}
		fam.InvitedAt = before.InvitedAt
		return audit(ctx, tx, currentStaff(c), "update", "family", id, before, fam, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Famille enregistrée.")
}

// saveGuardian adds a guardian, or updates one when the form names it.
func (a *Admin) saveGuardian(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	g, problem := families.GuardianForm{Civility: c.FormValue("civility"), LastName: c.FormValue("last_name"),
		FirstName: c.FormValue("first_name"), Email: c.FormValue("email"), Phone: c.FormValue("phone")}.Validate()
	if problem != "" {
		return errInvalid(problem)
	}
	g.FamilyID = id
	g.ID, _ = strconv.ParseInt(c.FormValue("guardian_id"), 10, 64)
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		saved, before, err := families.SaveGuardian(ctx, tx, g, now)
		if err != nil {
			return err
		}
		return auditSaved(ctx, tx, currentStaff(c), "guardian", saved.ID, before, saved, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Responsable enregistré.")
}

func (a *Admin) deleteGuardian(c *fiber.Ctx) error {
	id, gid, err := idParams(c, "id", "gid")
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := families.DeleteGuardian(ctx, tx, id, gid); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "delete", "guardian", gid, map[string]int64{"family_id": id}, nil, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Responsable retiré.")
}
