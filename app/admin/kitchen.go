package admin

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// KitchenLine is the count of one prestation at one site on one day.
type KitchenLine struct {
	Day        calendar.Date
	Site       string
	Prestation string
	Count      int
	PAI        int
	HomeBasket int
	Names      []string
}

// kitchenNumbers counts the validated reservations of each day, per site
// (the child's school at booking) and prestation. A forfait counts on the
// days its prestation is offered.
func kitchenNumbers(ctx context.Context, q tenants.Querier, days []calendar.Date) ([]KitchenLine, error) {
	schools := map[int64]string{0: "Sans école"}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var id int64
		var n string
		err := row.Scan(&id, &n)
		schools[id] = n
		return err
	}, `SELECT id, name FROM schools`)
	if err != nil {
		return nil, fmt.Errorf("admin: kitchen schools: %w", err)
	}
	prestations := map[int64]booking.Prestation{}
	type flags struct{ pai, basket bool }
	children := map[int64]flags{}
	var out []KitchenLine
	for _, day := range days {
		list, err := booking.ReservationsOn(ctx, q, day)
		if err != nil {
			return nil, err
		}
		lines := map[string]*KitchenLine{}
		for _, r := range list {
			p, ok := prestations[r.PrestationID]
			if !ok {
				if p, err = booking.LoadPrestation(ctx, q, r.PrestationID); err != nil {
					return nil, err
				}
				prestations[r.PrestationID] = p
			}
			if p.IsForfait() && !p.Weekdays.Has(day.Weekday()) {
				continue
			}
			f, ok := children[r.ChildID]
			if !ok {
				if err := q.QueryRowContext(ctx, `SELECT pai, home_basket FROM children WHERE id = ?`, r.ChildID).Scan(&f.pai, &f.basket); err != nil {
					return nil, fmt.Errorf("admin: kitchen child %d: %w", r.ChildID, err)
				}
				children[r.ChildID] = f
			}
			key := fmt.Sprintf("%d|%d", r.SiteID, r.PrestationID)
			l := lines[key]
			if l == nil {
				l = &KitchenLine{Day: day, Site: schools[r.SiteID], Prestation: p.Name}
				lines[key] = l
			}
			l.Count++
			if f.pai {
				l.PAI++
			}
			if f.basket {
				l.HomeBasket++
			}
			l.Names = append(l.Names, r.ChildName)
		}
		var dayLines []KitchenLine
		for _, l := range lines {
			sort.Strings(l.Names)
			dayLines = append(dayLines, *l)
		}
		sort.Slice(dayLines, func(i, j int) bool {
			if dayLines[i].Site != dayLines[j].Site {
				return dayLines[i].Site < dayLines[j].Site
			}
			return dayLines[i].Prestation < dayLines[j].Prestation
		})
		out = append(out, dayLines...)
	}
	return out, nil
}

// kitchenDays reads ?jour=JJ/MM/AAAA (default: the next open weekday)
// and ?semaine=1 (the five days from that day's Monday).
func (a *Admin) kitchenDays(c *fiber.Ctx) (calendar.Date, bool, []calendar.Date, error) {
	day := calendar.Today(a.now()).AddDays(1)
	for day.IsWeekend() {
		day = day.AddDays(1)
	}
	if v := strings.TrimSpace(c.Query("jour")); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return day, false, nil, errInvalid("La date doit être au format JJ/MM/AAAA.")
		}
		day = d
	}
	week := c.Query("semaine") == "1"
	if !week {
		return day, false, []calendar.Date{day}, nil
	}
	mon := day.Monday()
	return day, true, []calendar.Date{mon, mon.AddDays(1), mon.AddDays(2), mon.AddDays(3), mon.AddDays(4)}, nil
}

type kitchenData struct {
	base
	Day        calendar.Date
	Week       bool
	Names      bool
	Lines      []KitchenLine
	Total      int
	CSVQuery   string
	NamesQuery string
}

func (a *Admin) showKitchen(c *fiber.Ctx) error {
	day, week, days, err := a.kitchenDays(c)
	if err != nil {
		return err
	}
	lines, err := kitchenNumbers(c.UserContext(), db(c).Reader(), days)
	if err != nil {
		return err
	}
	d := kitchenData{base: baseOf(c, "cuisine"), Day: day, Week: week, Names: c.Query("noms") == "1", Lines: lines}
	for _, l := range lines {
		d.Total += l.Count
	}
	q := "jour=" + day.FR()
	if week {
		q += "&semaine=1"
	}
	d.CSVQuery, d.NamesQuery = q, q+"&noms=1"
	return web.Render(c, "admin/cuisine", "Effectifs cuisine", d)
}

// kitchenCSV is the caterer's file: ';' separated, UTF-8 with BOM.
func (a *Admin) kitchenCSV(c *fiber.Ctx) error {
	day, _, days, err := a.kitchenDays(c)
	if err != nil {
		return err
	}
	lines, err := kitchenNumbers(c.UserContext(), db(c).Reader(), days)
	if err != nil {
		return err
	}
	return web.SendCSV(c, "effectifs-"+day.String()+".csv",
		[]string{"Date", "École", "Prestation", "Nombre", "dont PAI", "dont panier repas"}, len(lines), func(i int) []string {
			l := lines[i]
			return []string{l.Day.FR(), l.Site, l.Prestation, strconv.Itoa(l.Count), strconv.Itoa(l.PAI), strconv.Itoa(l.HomeBasket)}
		})
}
