package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/menus"
)

// demoMenus are the canteen's meals the demo publishes, in turn, on the
// days meals are served: "course|dish|allergens" as a caterer's file
// writes them.
var demoMenus = [][]string{
	{"entree|Carottes râpées vinaigrette|moutarde", "plat|Poisson pané|poissons, gluten, œufs", "accompagnement|Riz pilaf|", "laitage|Yaourt nature|lait", "dessert|Pomme bio|"},
	{"entree|Salade de lentilles|moutarde, céleri", "plat|Poulet rôti|", "accompagnement|Haricots verts|", "laitage|Emmental|lait", "dessert|Compote de poires|"},
	{"entree|Concombre à la crème|lait", "plat|Lasagnes à la bolognaise|gluten, lait, œufs, céleri", "accompagnement|Salade verte|", "dessert|Clémentines|"},
	{"entree|Betteraves persillées|", "plat|Omelette aux fines herbes|œufs", "accompagnement|Purée de pommes de terre|lait", "laitage|Petit suisse|lait", "dessert|Gâteau aux amandes|gluten, œufs, lait, fruits à coque"},
}

// seedMenus publishes a menu for each meal day of the four weeks the
// agenda shows from today's week, so the agenda and the "Menus" page show
// a menu of the week (issue 14).
func seedMenus(ctx context.Context, tx *sql.Tx, today calendar.Date, now time.Time) error {
	meals := calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
	var days []menus.Day
	n := 0
	for d := today.Monday(); d.Before(today.Monday().AddDays(28)); d = d.AddDays(1) {
		if !meals.Has(d.Weekday()) {
			continue
		}
		day := menus.Day{Date: d}
		for _, line := range demoMenus[n%len(demoMenus)] {
			f := strings.SplitN(line, "|", 3)
			c, ok := menus.ParseCourse(f[0])
			set, err := menus.ParseAllergens(f[2])
			if !ok || err != nil {
				return fmt.Errorf("demo seed: menu line %q: %v", line, err)
			}
			day.Dishes = append(day.Dishes, menus.Dish{Course: c, Name: f[1], Allergens: set})
		}
		days = append(days, day)
		n++
	}
	if err := menus.SaveDays(ctx, tx, days, now); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	return nil
}
