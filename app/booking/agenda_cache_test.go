package booking_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
	"unsafe"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/menus"
)

// sameFragment reports whether two agendas print their first week from
// the same memory: the second came from the cache.
func sameFragment(a, b booking.Agenda) bool {
	x, y := string(a.Weeks[0].HTML), string(b.Weeks[0].HTML)
	return len(x) > 0 && unsafe.StringData(x) == unsafe.StringData(y)
}

// Issue 10: the agenda's weeks are rendered once and kept while nothing
// they show can have changed; every change a parent could see drops them.
func TestAgendaCacheKeepsWeeksUntilSomethingTheyShowChanges(t *testing.T) {
	t.Parallel()
	const week, thursday = "2026-11-30", "03/12/2026"
	for _, tc := range []struct {
		name   string
		change func(f *fixture)
		want   string // the Thursday meal's cell state after the change ("": unchanged, from the cache)
	}{
		{name: "the same page again is the cached one", want: ""},
		{name: "a click puts the day in the cart", want: "pending", change: func(f *fixture) {
			f.click(f.classique, "2026-12-03")
		}},
		{name: "another family pays for the last place", want: "closed full", change: func(f *fixture) {
			other, kids := f.addFamily("FAMILLE AUTRE", 1)
			if err := f.toggle(other, f.cantine, kids[0], f.classique, "2026-12-03"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.checkout(other, f.cantine, "AUTRE-1"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "the mairie closes the day (calendar)", want: "closed closure", change: func(f *fixture) {
			f.exec(`INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-03', 'Grève', '2026-11-23')`)
		}},
		{name: "the mairie closes the meal only (partial closure)", want: "closed closure", change: func(f *fixture) {
			f.exec(`INSERT INTO partial_closures (id, day, reason, created_at) VALUES (1, '2026-12-03', 'Grève cantine', '2026-11-23')`)
			f.exec(`INSERT INTO partial_closure_prestations (closure_id, prestation_id) VALUES (1, ?)`, f.classique)
		}},
		{name: "the mairie renames the meal (configuration)", want: "renamed", change: func(f *fixture) {
			f.exec(`UPDATE prestations SET name = 'REPAS DU JOUR' WHERE id = ?`, f.classique)
		}},
		{name: "the booking deadline passes", want: "closed deadline", change: func(f *fixture) {
			f.Clock.Set(time.Date(2026, time.December, 1, 10, 1, 0, 0, calendar.Paris()))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.exec(`UPDATE prestations SET capacity = 1 WHERE id = ?`, f.classique)
			ctx := context.Background()
			agenda := func() booking.Agenda {
				a, err := booking.AgendaOf(ctx, f.db, f.fam, f.cantine, f.fille, calendar.DateOf(2026, time.November, 30), f.Clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			first := agenda()
			if got := cellState(t, string(first.Weeks[0].HTML), "REPAS CLASSIQUE ENFANT", thursday); got != "bookable" {
				t.Fatalf("before: %s, want bookable", got)
			}
			if tc.change != nil {
				tc.change(f)
			}
			again := agenda()
			switch tc.want {
			case "":
				if !sameFragment(first, again) {
					t.Fatal("the week was built again although nothing changed")
				}
			case "renamed":
				if sameFragment(first, again) || cellState(t, string(again.Weeks[0].HTML), "REPAS DU JOUR", thursday) != "bookable" {
					t.Fatal("the renamed meal is not shown")
				}
			default:
				if sameFragment(first, again) {
					t.Fatal("the cached week was shown after the change")
				}
				if got := cellState(t, string(again.Weeks[0].HTML), "REPAS CLASSIQUE ENFANT", thursday); got != tc.want {
					t.Fatalf("after the change: %s, want %s", got, tc.want)
				}
			}
			// The page prints the same fragment.
			page := f.client(f.fam).get(f.agendaPath(f.cantine, f.fille, week))
			if want := string(again.Weeks[0].HTML); !strings.Contains(page, want) {
				t.Fatalf("the page does not print the week's fragment:\n%s", page)
			}
		})
	}
}

// The menus under the agenda's weeks are kept in memory (agendaMenus):
// a dish the mairie adds to a week already seen shows at the next view
// (migration 00091 moves the configuration version with every dish).
func TestAgendaShowsAMenuEditedAfterItWasSeen(t *testing.T) {
	f := newFixture(t)
	c := f.client(f.fam)
	path := f.agendaPath(f.cantine, f.fille, "2026-11-23")
	const dish = "Gratin de blettes du marché"
	if body := c.get(path); strings.Contains(body, dish) {
		t.Fatal("the dish shows before it was added")
	}
	day := calendar.DateOf(2026, time.November, 26)
	f.Tx(slug, func(tx *sql.Tx) error {
		return menus.SaveDays(context.Background(), tx, []menus.Day{{Date: day, Dishes: []menus.Dish{
			{Day: day, Course: menus.Main, Name: dish}}}}, f.Clock.Now())
	})
	if body := c.get(path); !strings.Contains(body, dish) {
		t.Error("the agenda still shows the week's menus as they were before the dish was added")
	}
}

// The week's menus are rendered once per configuration version and kept
// as HTML: a child with a PAI sees its allergens flagged, a sibling
// without one viewing the same weeks right after sees them plainly, and
// the other way round (the kept HTML is per PAI highlighting).
func TestAgendaMenusKeptAsHTMLFollowEachChildsPAI(t *testing.T) {
	f := newFixture(t)
	day := calendar.DateOf(2026, time.November, 26)
	f.Tx(slug, func(tx *sql.Tx) error {
		return menus.SaveDays(context.Background(), tx, []menus.Day{{Date: day, Dishes: []menus.Dish{
			{Day: day, Course: menus.Main, Name: "Lasagnes", Allergens: menus.Set(0).With(menus.Gluten)}}}}, f.Clock.Now())
	})
	f.exec(`UPDATE children SET pai = 1 WHERE id = ?`, f.fille)
	c := f.client(f.fam)
	flagged := "⚠ Allergènes : " + menus.Set(0).With(menus.Gluten).Names()
	plain := "(allergènes : " + menus.Set(0).With(menus.Gluten).Names() + ")"
	for i, child := range []int64{f.fille, f.garcon, f.fille, f.garcon} {
		body := c.get(f.agendaPath(f.cantine, child, "2026-11-23"))
		if !strings.Contains(body, `<details class="menu-agenda">`) || !strings.Contains(body, "Lasagnes") {
			t.Fatalf("view %d: the week's menus are not under the agenda", i)
		}
		pai := child == f.fille
		if strings.Contains(body, flagged) != pai || strings.Contains(body, plain) == pai ||
			strings.Contains(body, "allergènes signalés (PAI)") != pai {
			t.Errorf("view %d (PAI %v): the menus do not follow the child's PAI", i, pai)
		}
	}
}
