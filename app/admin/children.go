package admin

import (
	"context"
	"database/sql"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/families"
	"espacefamille/app/web"
)

type childFormData struct {
	base
	Family  families.Family
	Child   families.Child
	Form    families.ChildForm
	Schools []string
	Errors  formErrors
}

func childFormOf(c *fiber.Ctx) families.ChildForm {
	return families.ChildForm{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), BirthDate: c.FormValue("birth_date"),
		School: c.FormValue("school"), ClassName: c.FormValue("class_name"), Diet: c.FormValue("diet"),
		PAI: checked(c, "pai"), HomeBasket: checked(c, "home_basket")}
}

func (a *Admin) childPage(c *fiber.Ctx, status int, d childFormData) error {
	var err error
	if d.Schools, err = families.SchoolNames(c.UserContext(), db(c).Reader()); err != nil {
		return err
	}
	d.base = baseOf(c, "familles")
	title := "Nouvel enfant"
	if d.Child.ID != 0 {
		title = "Modifier l'enfant"
	}
	return web.RenderStatus(c, status, "admin/enfant-form", title, d)
}

func (a *Admin) newChild(c *fiber.Ctx) error {
	fam, err := familyParam(c)
	if err != nil {
		return err
	}
	return a.childPage(c, fiber.StatusOK, childFormData{Family: fam, Form: families.ChildForm{LastName: fam.Name}})
}

func (a *Admin) editChild(c *fiber.Ctx) error {
	id, cid, err := idParams(c, "id", "cid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	fam, err := families.Load(ctx, db(c).Reader(), id)
	if err != nil {
		return err
	}
	ch, err := families.FamilyChild(ctx, db(c).Reader(), id, cid)
	if err != nil {
		return err
	}
	form := families.ChildForm{FirstName: ch.FirstName, LastName: ch.LastName, BirthDate: web.FormatDate(ch.BirthDate), School: ch.SchoolName,
		ClassName: ch.ClassName, Diet: ch.Diet, PAI: ch.PAI, HomeBasket: ch.HomeBasket}
	return a.childPage(c, fiber.StatusOK, childFormData{Family: fam, Child: ch, Form: form})
}

func (a *Admin) createChild(c *fiber.Ctx) error { return a.saveChild(c, 0) }

func (a *Admin) updateChild(c *fiber.Ctx) error {
	cid, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	return a.saveChild(c, cid)
}

func (a *Admin) saveChild(c *fiber.Ctx, childID int64) error {
	fam, err := familyParam(c)
	if err != nil {
		return err
	}
	id := fam.ID
	form := childFormOf(c)
	ch, errs := form.Validate()
	ch.ID, ch.FamilyID = childID, id
	if len(errs) > 0 {
		return a.childPage(c, fiber.StatusUnprocessableEntity, childFormData{Family: fam, Child: ch, Form: form, Errors: formErrors(errs)})
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		saved, before, err := families.SaveChild(ctx, tx, ch, now)
		if err != nil {
			return err
		}
		return auditSaved(ctx, tx, currentStaff(c), "child", saved.ID, before, saved, now)
	})
	if err != nil {
		return err
	}
	return backToFamily(c, id, "Enfant enregistré.")
}
