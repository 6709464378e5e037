package admin

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/menus"
	"espacefamille/app/web"
)

// The back office's menus (issue 14): the week's menus, a day's form with
// the 14 allergens per dish, the caterer's CSV (preview, then confirm),
// and whether families see them. menus owns the dishes; the setting is
// written through booking, the settings' writer.

type menusData struct {
	base
	menus.WeekPage
	Enabled bool
	Error   string
}

// weekParam reads ?semaine=AAAA-MM-JJ (default: this week), as a Monday.
func (a *Admin) weekParam(c *fiber.Ctx) (calendar.Date, error) {
	w := calendar.Today(a.now())
	if s := c.Query("semaine"); s != "" {
		var err error
		if w, err = calendar.ParseISO(s); err != nil {
			return w, web.NewError(fiber.StatusBadRequest, "Semaine invalide.")
		}
	}
	return w.Monday(), nil
}

func (a *Admin) showMenus(c *fiber.Ctx) error {
	week, err := a.weekParam(c)
	if err != nil {
		return err
	}
	return a.renderMenus(c, fiber.StatusOK, week, "")
}

func (a *Admin) renderMenus(c *fiber.Ctx, status int, week calendar.Date, msg string) error {
	ctx, q := c.UserContext(), db(c).Reader()
	days, err := menus.Week(ctx, q, week)
	if err != nil {
		return err
	}
	on, err := menus.Enabled(ctx, q)
	if err != nil {
		return err
	}
	d := menusData{base: baseOf(c, "menus"), WeekPage: menus.NewWeekPage("/admin/menus", week, menus.Views(days, false)),
		Enabled: on, Error: msg}
	d.EditDays = d.IsAdmin()
	return web.RenderStatus(c, status, "admin/menus", "Menus", d)
}

// dishRows is how many dish lines a day's form offers.
const dishRows = 8

type menuDayData struct {
	base
	Day       menus.Day
	Rows      []dishRow
	Courses   []menus.Course
	Allergens []menus.Allergen
	Error     string
}

// dishRow is one line of a day's form: its index, its number for people
// (from 1) and its dish.
type dishRow struct {
	I, N int
	menus.Dish
}

func dayParam(c *fiber.Ctx) (calendar.Date, error) {
	d, err := calendar.ParseISO(c.Params("day"))
	if err != nil {
		return d, web.ErrNotFound
	}
	return d, nil
}

func (a *Admin) editMenuDay(c *fiber.Ctx) error {
	day, err := dayParam(c)
	if err != nil {
		return err
	}
	got, err := menus.Range(c.UserContext(), db(c).Reader(), day, day)
	if err != nil {
		return err
	}
	d := menus.Day{Date: day}
	if len(got) == 1 {
		d = got[0]
	}
	return a.renderMenuDay(c, fiber.StatusOK, d, "")
}

func (a *Admin) renderMenuDay(c *fiber.Ctx, status int, d menus.Day, msg string) error {
	rows := make([]dishRow, max(dishRows, len(d.Dishes)))
	for i := range rows {
		rows[i].I, rows[i].N = i, i+1
		if i < len(d.Dishes) {
			rows[i].Dish = d.Dishes[i]
		}
	}
	return web.RenderStatus(c, status, "admin/menu-jour", "Menu du "+d.Date.FR(),
		menuDayData{base: baseOf(c, "menus"), Day: d, Rows: rows, Courses: menus.Courses, Allergens: menus.All(), Error: msg})
}

// saveMenuDay replaces a day's menu by the form's dishes (lines left
// without a name are dropped).
func (a *Admin) saveMenuDay(c *fiber.Ctx) error {
	day, err := dayParam(c)
	if err != nil {
		return err
	}
	d := menus.Day{Date: day}
	for i := range menus.MaxDishes {
		p := "plat-" + strconv.Itoa(i) + "-"
		x := menus.Dish{Day: day, Course: menus.Course(c.FormValue(p + "repas")), Name: c.FormValue(p + "nom")}
		for _, al := range menus.All() {
			if c.FormValue(p+al.Field()) != "" {
				x.Allergens = x.Allergens.With(al)
			}
		}
		if x.Name == "" && x.Allergens == 0 {
			continue
		}
		d.Dishes = append(d.Dishes, x)
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := menus.Range(ctx, tx, day, day)
		if err != nil {
			return err
		}
		if err := menus.SaveDays(ctx, tx, []menus.Day{d}, now); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "menu", day.String(), before, d, now)
	})
	if errors.Is(err, menus.ErrInvalid) {
		return a.renderMenuDay(c, fiber.StatusUnprocessableEntity, d, "Menu non enregistré : "+menus.Message(err)+".")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Menu du "+day.FR()+" enregistré.")
	return web.RedirectTo(c, "/admin/menus?semaine="+day.Monday().String())
}

type menusImportData struct {
	base
	Filename string
	Import   *menus.Import
	Content  string // the file as UTF-8, posted again to confirm
	Error    string
}

// previewMenus parses the caterer's file and shows what confirming would
// publish, line errors included; nothing is written.
func (a *Admin) previewMenus(c *fiber.Ctx) error {
	fh, err := c.FormFile("fichier")
	if err != nil {
		return a.renderMenus(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(), "Choisissez le fichier CSV du prestataire.")
	}
	data, err := readUpload(fh, menus.MaxFileBytes+1)
	if err != nil {
		return err
	}
	imp, err := menus.ParseCSV(data)
	var fe *menus.FileError
	if errors.As(err, &fe) {
		return a.renderMenus(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(), fe.Message)
	}
	if err != nil {
		return err
	}
	return web.Render(c, "admin/menus-import", "Importer les menus",
		menusImportData{base: baseOf(c, "menus"), Filename: fh.Filename, Import: imp, Content: families.DecodeCSV(data)})
}

// confirmMenus publishes a previewed file: it is read again (the form
// carries it) and written in one transaction, only when no line is in
// error.
func (a *Admin) confirmMenus(c *fiber.Ctx) error {
	imp, err := menus.ParseCSV([]byte(c.FormValue("contenu")))
	var fe *menus.FileError
	switch {
	case errors.As(err, &fe):
		return a.renderMenus(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(), fe.Message)
	case err != nil:
		return err
	case len(imp.Errors) > 0:
		return a.renderMenus(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(),
			"Le fichier contient des lignes en erreur : corrigez-le puis chargez-le à nouveau. Rien n'a été importé.")
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := menus.SaveDays(ctx, tx, imp.Days, now); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "import", "menu", strconv.Itoa(len(imp.Days))+" jours", nil, imp.Days, now)
	})
	if errors.Is(err, menus.ErrInvalid) {
		return a.renderMenus(c, fiber.StatusUnprocessableEntity, calendar.Today(a.now()).Monday(), "Import refusé : "+menus.Message(err)+".")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", strconv.Itoa(imp.Dishes)+" plats publiés sur "+strconv.Itoa(len(imp.Days))+" jour(s).")
	return web.RedirectTo(c, "/admin/menus?semaine="+imp.Days[0].Date.Monday().String())
}

// saveMenuSettings shows or hides the menus to families.
func (a *Admin) saveMenuSettings(c *fiber.Ctx) error {
	v := "0"
	if c.FormValue("menus") == "1" {
		v = "1"
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := booking.SetSetting(ctx, tx, menus.SettingEnabled, v); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", menus.SettingEnabled, nil, map[string]string{"value": v}, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Paramètres des menus enregistrés.")
	return web.RedirectTo(c, "/admin/menus")
}
