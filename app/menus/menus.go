package menus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Course is a part of the meal, in the order it is served.
type Course string

// The courses of a menu.
const (
	Starter Course = "entree"
	Main    Course = "plat"
	Side    Course = "accompagnement"
	Dairy   Course = "laitage"
	Dessert Course = "dessert"
	Snack   Course = "gouter"
)

// Courses lists the courses in the order of the meal.
var Courses = []Course{Starter, Main, Side, Dairy, Dessert, Snack}

var courseLabels = map[Course]string{Starter: "Entrée", Main: "Plat", Side: "Accompagnement",
	Dairy: "Fromage / laitage", Dessert: "Dessert", Snack: "Goûter"}

// courseAliases are how a caterer's file names the courses, folded.
var courseAliases = map[string]Course{
	"entree": Starter, "hors d'oeuvre": Starter, "plat": Main, "plat principal": Main, "viande": Main,
	"accompagnement": Side, "garniture": Side, "legume": Side, "legumes": Side, "feculent": Side,
	"laitage": Dairy, "fromage": Dairy, "fromage / laitage": Dairy, "fromage/laitage": Dairy, "produit laitier": Dairy,
	"dessert": Dessert, "gouter": Snack,
}

// Label is the course's French name, "Fromage / laitage".
func (c Course) Label() string { return courseLabels[c] }

// Valid reports whether c is one of Courses.
func (c Course) Valid() bool { _, ok := courseLabels[c]; return ok }

func (c Course) rank() int {
	for i, x := range Courses {
		if x == c {
			return i
		}
	}
	return len(Courses)
}

// ParseCourse reads a course as a caterer writes it ("Entrée", "plat
// principal", "Fromage").
func ParseCourse(s string) (Course, bool) {
	c, ok := courseAliases[fold(s)]
	return c, ok
}

// Dish is one dish of a day's menu.
type Dish struct {
	ID        int64
	Day       calendar.Date
	Course    Course
	Name      string
	Allergens Set
}

// Day is one day's menu, its dishes in the order of the meal.
type Day struct {
	Date   calendar.Date
	Dishes []Dish
}

// Allergens is every allergen of the day's dishes.
func (d Day) Allergens() Set {
	var s Set
	for _, x := range d.Dishes {
		s |= x.Allergens
	}
	return s
}

// Title is "lundi 07/12/2026".
func (d Day) Title() string { return calendar.WeekdayNamesFR[d.Date.Weekday()] + " " + d.Date.FR() }

// Limits of a day's menu.
const (
	MaxDishes   = 12
	maxNameRune = 200
)

// ErrInvalid is wrapped by the errors of a menu that cannot be saved; the
// text after it is French.
var ErrInvalid = errors.New("menu invalide")

// Message is the French part of an ErrInvalid error.
func Message(err error) string { return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+" : ") }

// checkDish cleans a dish and says in French what is wrong with it, or "".
func checkDish(d *Dish) string {
	d.Name = strings.Join(strings.Fields(d.Name), " ")
	switch {
	case d.Name == "":
		return "le nom du plat est vide"
	case utf8.RuneCountInString(d.Name) > maxNameRune:
		return fmt.Sprintf("le nom du plat dépasse %d caractères", maxNameRune)
	case !d.Course.Valid():
		return "type de plat inconnu (entrée, plat, accompagnement, fromage / laitage, dessert ou goûter)"
	case d.Allergens > maxSet:
		return "allergène inconnu"
	}
	return ""
}

// sortDishes orders a day's dishes by course, keeping the order given
// within a course.
func sortDishes(list []Dish) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Course.rank() < list[j-1].Course.rank(); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// Range reads the menus of the days from..to (both included), in date
// order; a day without a menu is absent.
func Range(ctx context.Context, q tenants.Querier, from, to calendar.Date) ([]Day, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, day, course, name, allergens FROM menu_dishes
		WHERE day BETWEEN ? AND ? ORDER BY day, position, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("menus: range: %w", err)
	}
	dishes, err := tenants.Collect(rows, func(r tenants.Row) (Dish, error) {
		var d Dish
		err := r.Scan(&d.ID, &d.Day, &d.Course, &d.Name, &d.Allergens)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("menus: range: %w", err)
	}
	var out []Day
	for _, d := range dishes {
		if n := len(out); n == 0 || !out[n-1].Date.Equal(d.Day) {
			out = append(out, Day{Date: d.Day})
		}
		out[len(out)-1].Dishes = append(out[len(out)-1].Dishes, d)
	}
	for i := range out {
		sortDishes(out[i].Dishes)
	}
	return out, nil
}

// Week is the menus of the week of monday, one Day for each day from
// Monday to Friday (empty when nothing is published), and the weekend's
// days only when they have a menu.
func Week(ctx context.Context, q tenants.Querier, monday calendar.Date) ([]Day, error) {
	monday = monday.Monday()
	got, err := Range(ctx, q, monday, monday.AddDays(6))
	if err != nil {
		return nil, err
	}
	byDay := map[calendar.Date]Day{}
	for _, d := range got {
		byDay[d.Date] = d
	}
	var out []Day
	for i := range 7 {
		day := monday.AddDays(i)
		d, ok := byDay[day]
		if !ok && i >= 5 {
			continue
		}
		d.Date = day
		out = append(out, d)
	}
	return out, nil
}

// SaveDays replaces, inside the caller's write transaction, the menus of
// the given days by their dishes (a day without dishes is emptied). Every
// dish is checked first; nothing is written when one is wrong (the error
// wraps ErrInvalid with a French message naming the day).
func SaveDays(ctx context.Context, tx *sql.Tx, days []Day, now time.Time) error {
	for i := range days {
		if len(days[i].Dishes) > MaxDishes {
			return fmt.Errorf("%w : le %s compte plus de %d plats", ErrInvalid, days[i].Date.FR(), MaxDishes)
		}
		for j := range days[i].Dishes {
			if why := checkDish(&days[i].Dishes[j]); why != "" {
				return fmt.Errorf("%w : le %s, %s", ErrInvalid, days[i].Date.FR(), why)
			}
		}
	}
	at := tenants.FormatTime(now)
	for _, d := range days {
		if _, err := tx.ExecContext(ctx, `DELETE FROM menu_dishes WHERE day = ?`, d.Date); err != nil {
			return fmt.Errorf("menus: save %s: %w", d.Date, err)
		}
		for i, x := range d.Dishes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO menu_dishes (day, course, position, name, allergens, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, d.Date, x.Course, i, x.Name, x.Allergens, at); err != nil {
				return fmt.Errorf("menus: save %s: %w", d.Date, err)
			}
		}
	}
	return nil
}

// SettingEnabled is the settings key of "menus shown to families" ("0":
// hidden; anything else, or unset: shown).
const SettingEnabled = "menus_enabled"

// Enabled reads whether the commune shows its menus to families (on by
// default).
func Enabled(ctx context.Context, q tenants.Querier) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingEnabled).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("menus: setting: %w", err)
	}
	return v != "0", nil
}

// DayView is a day's menu as a page shows it; Highlight marks its
// allergens (the child's record has a PAI).
type DayView struct {
	Day
	Highlight bool
}

// Views wraps days for a page, highlighting their allergens or not.
func Views(days []Day, highlight bool) []DayView {
	out := make([]DayView, len(days))
	for i, d := range days {
		out[i] = DayView{Day: d, Highlight: highlight}
	}
	return out
}
