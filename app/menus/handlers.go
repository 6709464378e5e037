package menus

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Routes adds the families' "Menus" page. Call it after accounts.Routes.
func Routes(s *web.Server, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.Commune().Get("/famille/menus", accounts.RequireFamily, showMenus(now))
}

// WeekPage is a week of menus as the back office's and the families'
// Menus pages show it (templates/partials/menus-browse.html): the week,
// the links to the weeks before and after, its days, and whether each
// day links to its form (staff who may edit).
type WeekPage struct {
	Week       calendar.Date
	Prev, Next string
	Days       []DayView
	EditDays   bool
}

// NewWeekPage is week's page at path, the Menus page's path under the
// commune, with its days (Views).
func NewWeekPage(path string, week calendar.Date, days []DayView) WeekPage {
	return WeekPage{Week: week, Days: days,
		Prev: path + "?semaine=" + week.AddDays(-7).String(), Next: path + "?semaine=" + week.AddDays(7).String()}
}

type pageData struct {
	WeekPage
	Enabled bool
	PAI     []string // the family's children whose record has a PAI
}

// PAIChildren names the children of the list whose record has a PAI.
func PAIChildren(list []families.Child) []string {
	var out []string
	for _, c := range list {
		if c.PAI {
			out = append(out, c.FirstName)
		}
	}
	return out
}

// showMenus is the week's menus, one section per day; the allergens are
// highlighted when a child of the family has a PAI.
func showMenus(now func() time.Time) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, q := c.UserContext(), tenants.From(c).DB().Reader()
		week := calendar.Today(now())
		if s := c.Query("semaine"); s != "" {
			var err error
			if week, err = calendar.ParseISO(s); err != nil {
				return web.NewError(fiber.StatusBadRequest, "Semaine invalide.")
			}
		}
		week = week.Monday()
		d := pageData{WeekPage: NewWeekPage("/famille/menus", week, nil)}
		var err error
		if d.Enabled, err = Enabled(ctx, q); err != nil || !d.Enabled {
			web.SetTab(c, "actualites") // reached from the family page
			if err != nil {
				return err
			}
			return web.Render(c, "famille/menus", "Menus", d)
		}
		children, err := families.Children(ctx, q, web.User(c).FamilyID)
		if err != nil {
			return err
		}
		d.PAI = PAIChildren(children)
		days, err := Week(ctx, q, week)
		if err != nil {
			return err
		}
		d.Days = Views(days, len(d.PAI) > 0)
		web.SetTab(c, "actualites") // reached from the family page
		return web.Render(c, "famille/menus", "Menus", d)
	}
}

// PAINames is "Fille et Garçon".
func (d pageData) PAINames() string {
	switch n := len(d.PAI); n {
	case 0:
		return ""
	case 1:
		return d.PAI[0]
	default:
		return strings.Join(d.PAI[:n-1], ", ") + " et " + d.PAI[n-1]
	}
}

// ForAgenda is the menus the agenda shows from..to for one child: the
// days that have a menu, highlighted when pai; nothing when the commune
// does not show its menus.
func ForAgenda(ctx context.Context, q tenants.Querier, from, to calendar.Date, pai bool) ([]DayView, error) {
	on, err := Enabled(ctx, q)
	if err != nil || !on {
		return nil, err
	}
	days, err := Range(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	return Views(days, pai), nil
}
