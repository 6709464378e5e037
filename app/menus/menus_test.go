package menus_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/menus"
	"espacefamille/tenants"
)

func TestParseAllergenReadsTheNamesFamiliesAndCaterersWrite(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     menus.Allergen
		ok       bool
	}{
		{"the annex's name with its ligature", "Œufs", menus.Eggs, true},
		{"the same typed without the ligature", "oeufs", menus.Eggs, true},
		{"a singular from a caterer's file", "oeuf", menus.Eggs, true},
		{"accents and capitals do not matter", "CÉLERI", menus.Celery, true},
		{"a name of several words with extra spaces", "  fruits   à coque ", menus.Nuts, true},
		{"the long name of the regulation", "Anhydride sulfureux et sulfites", menus.Sulphites, true},
		{"lactose reads as milk", "lactose", menus.Milk, true},
		{"the last of the fourteen", "mollusques", menus.Molluscs, true},
		{"a word that is no allergen", "chocolat", 0, false},
		{"an empty word", " ", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := menus.ParseAllergen(tc.in)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Fatalf("ParseAllergen(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTheFourteenAllergensHaveTheirFrenchNames(t *testing.T) {
	all := menus.All()
	if len(all) != 14 {
		t.Fatalf("%d allergens, want the 14 of annex II", len(all))
	}
	var s menus.Set
	for _, a := range all {
		if a.Name() == "" {
			t.Fatalf("allergen %d has no name", a)
		}
		if back, ok := menus.ParseAllergen(a.Name()); !ok || back != a {
			t.Fatalf("%q does not read back as itself", a.Name())
		}
		s = s.With(a)
	}
	if got := s.Names(); !strings.HasPrefix(got, "gluten, crustacés, œufs") || !strings.HasSuffix(got, "lupin, mollusques") {
		t.Fatalf("Names = %q", got)
	}
}

func TestParseCSV(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		wantErr    string   // a *FileError's text
		wantDishes int      // dishes read
		wantRows   []string // "line: message" of the lines in error
	}{
		{name: "a caterer's week with semicolons, in any column order, courses sorted",
			file:       "Plat;Date;Repas;Allergènes\nYaourt nature;07/12/2026;Laitage;lait\nCarottes râpées;07/12/2026;Entrée;moutarde\nPoisson pané;07/12/2026;Plat;poissons, gluten, œufs\nRiz;08/12/2026;accompagnement;aucun\n",
			wantDishes: 4},
		{name: "commas, quotes and ISO dates",
			file:       "date,repas,plat,allergenes\n2026-12-07,dessert,\"Tarte aux pommes, crème\",\"gluten, lait, œufs\"\n",
			wantDishes: 1},
		{name: "every bad line is named with its number and the good ones are kept",
			file:       "date;repas;plat;allergenes\n31/02/2026;plat;Lasagnes;gluten\n07/12/2026;fromage;Comté;lait\n07/12/2026;soupe;Velouté;\n07/12/2026;plat;;gluten\n07/12/2026;plat;Lasagnes;chocolat\n;plat;Lasagnes;\n",
			wantDishes: 1,
			wantRows: []string{"2: date « 31/02/2026 » invalide", "4: repas « soupe » inconnu", "5: le nom du plat est vide",
				"6: allergène « chocolat » inconnu", "7: date manquante"}},
		{name: "a file without the course column is refused as a whole",
			file: "date;plat\n07/12/2026;Lasagnes\n", wantErr: "La colonne « repas » est introuvable"},
		{name: "an empty file", file: " \n", wantErr: "Le fichier est vide."},
		{name: "only the header", file: "date;repas;plat\n\n;;\n", wantErr: "aucun plat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := menus.ParseCSV([]byte(tc.file))
			var fe *menus.FileError
			if tc.wantErr != "" {
				if !errors.As(err, &fe) || !strings.Contains(fe.Message, tc.wantErr) {
					t.Fatalf("ParseCSV error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if imp.Dishes != tc.wantDishes {
				t.Fatalf("%d dishes, want %d (%+v)", imp.Dishes, tc.wantDishes, imp)
			}
			if len(imp.Errors) != len(tc.wantRows) {
				t.Fatalf("errors %+v, want %v", imp.Errors, tc.wantRows)
			}
			for i, want := range tc.wantRows {
				got := strconv.Itoa(imp.Errors[i].Line) + ": " + imp.Errors[i].Message
				if !strings.HasPrefix(got, want) {
					t.Errorf("error %d = %q, want %q…", i, got, want)
				}
			}
		})
	}
}

func TestParseCSVReadsExcelsWindows1252AndSortsTheMeal(t *testing.T) {
	file, err := charmap.Windows1252.NewEncoder().String("date;repas;plat;allergènes\n07/12/2026;Dessert;Crème brûlée;lait, œufs\n07/12/2026;Entrée;Céleri rémoulade;céleri, moutarde, œufs\n")
	if err != nil {
		t.Fatal(err)
	}
	imp, err := menus.ParseCSV([]byte(file))
	if err != nil || len(imp.Errors) > 0 {
		t.Fatalf("ParseCSV: %v %+v", err, imp)
	}
	d := imp.Days[0]
	if d.Dishes[0].Name != "Céleri rémoulade" || d.Dishes[1].Name != "Crème brûlée" {
		t.Fatalf("dishes %+v, want the starter first, accents kept", d.Dishes)
	}
	if got := d.Allergens().Names(); got != "œufs, lait, céleri, moutarde" {
		t.Fatalf("day's allergens %q", got)
	}
}

// FuzzParseCSV: any file is either refused with a French message or read
// into dishes that SaveDays accepts, never a panic.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("date;repas;plat;allergenes\n07/12/2026;Entrée;Carottes;moutarde\n"))
	f.Add([]byte("date,repas,plat\n\"07/12/2026\",plat,\"a,b\"\n"))
	f.Add([]byte("\xef\xbb\xbfdate;repas;plat;allergenes\n07/12/2026;dessert;Flan;lait|œufs\n"))
	f.Add([]byte("jour;type;libelle\n2026-12-07;fromage;\"Brie\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := menus.ParseCSV(data)
		if err != nil {
			var fe *menus.FileError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("error %v is not a French FileError", err)
			}
			return
		}
		n := 0
		for _, d := range imp.Days {
			if len(d.Dishes) == 0 || len(d.Dishes) > menus.MaxDishes {
				t.Fatalf("day %s has %d dishes", d.Date, len(d.Dishes))
			}
			for _, x := range d.Dishes {
				if x.Name == "" || !x.Course.Valid() || !x.Day.Equal(d.Date) {
					t.Fatalf("dish %+v kept", x)
				}
				n++
			}
		}
		if n != imp.Dishes {
			t.Fatalf("counted %d dishes, listed %d", imp.Dishes, n)
		}
		for _, e := range imp.Errors {
			if e.Message == "" {
				t.Fatal("a line in error has no message")
			}
		}
	})
}

func TestSaveDaysReplacesTheDaysOfTheFileAndNothingElse(t *testing.T) {
	ctx := context.Background()
	db := apptest.EmptyDB(t, tenants.CommuneSchema)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	mon, tue := calendar.DateOf(2026, 12, 7), calendar.DateOf(2026, 12, 8)
	save := func(days ...menus.Day) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { return menus.SaveDays(ctx, tx, days, now) })
	}
	if err := save(menus.Day{Date: mon, Dishes: []menus.Dish{{Course: menus.Main, Name: "Lasagnes", Allergens: menus.Set(0).With(menus.Gluten)}}},
		menus.Day{Date: tue, Dishes: []menus.Dish{{Course: menus.Dessert, Name: "Pomme"}}}); err != nil {
		t.Fatal(err)
	}
	if err := save(menus.Day{Date: mon, Dishes: []menus.Dish{{Course: menus.Dessert, Name: "Yaourt"}, {Course: menus.Starter, Name: "Radis"}}}); err != nil {
		t.Fatal(err)
	}
	// A wrong dish writes nothing, not even the good days before it.
	err := save(menus.Day{Date: tue, Dishes: []menus.Dish{{Course: menus.Main, Name: "Gratin"}}},
		menus.Day{Date: mon, Dishes: []menus.Dish{{Course: "soupe", Name: "Velouté"}}})
	if !errors.Is(err, menus.ErrInvalid) || !strings.Contains(menus.Message(err), "le 07/12/2026, type de plat inconnu") {
		t.Fatalf("SaveDays = %v", err)
	}
	week, err := menus.Week(ctx, db.Reader(), calendar.DateOf(2026, 12, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(week) != 5 || !week[0].Date.Equal(mon) || len(week[2].Dishes) != 0 {
		t.Fatalf("week %+v, want Monday to Friday", week)
	}
	if got := names(week[0]); got != "Radis, Yaourt" {
		t.Fatalf("Monday = %q, want the new menu in the order of the meal", got)
	}
	if got := names(week[1]); got != "Pomme" {
		t.Fatalf("Tuesday = %q, want it untouched", got)
	}
}

func names(d menus.Day) string {
	var out []string
	for _, x := range d.Dishes {
		out = append(out, x.Name)
	}
	return strings.Join(out, ", ")
}
