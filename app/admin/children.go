package admin

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

type childFormData struct {
	base
	Family  Family
	Child   Child
	Form    ChildForm
	Schools []string
	Errors  formErrors
}

func childFormOf(c *fiber.Ctx) ChildForm {
	return ChildForm{FirstName: c.FormValue("first_name"), LastName: c.FormValue("last_name"), BirthDate: c.FormValue("birth_date"),
		School: c.FormValue("school"), ClassName: c.FormValue("class_name"), Diet: c.FormValue("diet"),
		PAI: checked(c, "pai"), HomeBasket: checked(c, "home_basket")}
}

func (a *Admin) childPage(c *fiber.Ctx, status int, d childFormData) error {
	var err error
	if d.Schools, err = schoolNames(c.UserContext(), db(c).R); err != nil {
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
	return a.childPage(c, fiber.StatusOK, childFormData{Family: fam, Form: ChildForm{LastName: fam.Name}})
}

func (a *Admin) editChild(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	fam, err := familyByID(ctx, db(c).R, id)
	if err != nil {
		return web.ErrNotFound
	}
	ch, err := familyChild(ctx, db(c).R, id, cid)
	if err != nil {
		return web.ErrNotFound
	}
	form := ChildForm{FirstName: ch.FirstName, LastName: ch.LastName, BirthDate: web.FormatDate(ch.BirthDate), School: ch.SchoolName,
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
		return a.childPage(c, fiber.StatusUnprocessableEntity, childFormData{Family: fam, Child: ch, Form: form, Errors: errs})
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var err error
		if ch.SchoolID, err = schoolID(ctx, tx, ch.SchoolName); err != nil {
			return err
		}
		if childID == 0 {
			if ch.ID, err = insertChild(ctx, tx, ch, now); err != nil {
				return err
			}
			return audit(ctx, tx, currentStaff(c), "create", "child", ch.ID, nil, ch, now)
		}
		before, err := familyChild(ctx, tx, id, childID)
		if err != nil {
			return web.ErrNotFound
		}
		if err := updateChild(ctx, tx, ch); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "child", ch.ID, before, ch, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Enfant enregistré.")
	return web.RedirectTo(c, "/admin/familles/"+strconv.FormatInt(id, 10))
}
