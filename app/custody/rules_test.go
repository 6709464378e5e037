package custody

import (
	"testing"

	"espacefamille/app/calendar"
)

func day(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseISO(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Households: 1 is the foyer principal (the mother's), 2 the father's.
func TestKeeperDecidesWhoBooksEachDay(t *testing.T) {
	t.Parallel()
	notShared := Calendar{ChildID: 10, Home: 1}
	noRule := Calendar{ChildID: 10, Home: 1, Others: []int64{2}}
	alternate := Calendar{ChildID: 10, Home: 1, Others: []int64{2}, Alternation: Alternation{Even: 2, Odd: 1}}
	holidays := alternate
	holidays.Periods = []Period{{ID: 1, FamilyID: 2, First: day(t, "2026-12-19"), Last: day(t, "2026-12-27")}}
	overlapping := holidays
	overlapping.Periods = append(overlapping.Periods, Period{ID: 2, FamilyID: 1, First: day(t, "2026-12-24"), Last: day(t, "2026-12-25")})
	staleAlternation := Calendar{ChildID: 10, Home: 1, Others: []int64{2}, Alternation: Alternation{Even: 2}}

	for _, tc := range []struct {
		name   string
		cal    Calendar
		day    string
		family int64
		books  bool
	}{
		{"a child not shared: its family books every day", notShared, "2026-12-07", 1, true},
		{"a child not shared: no other family books it", notShared, "2026-12-07", 2, false},
		{"shared without a calendar yet: the foyer principal books", noRule, "2026-12-07", 1, true},
		{"shared without a calendar yet: the other household does not", noRule, "2026-12-07", 2, false},
		{"monday of even week 50 goes to the father", alternate, "2026-12-07", 2, true},
		{"monday of even week 50 is not the mother's", alternate, "2026-12-07", 1, false},
		{"sunday 13/12 still belongs to week 50 (ISO weeks end on sunday)", alternate, "2026-12-13", 2, true},
		{"monday of odd week 51 goes to the mother", alternate, "2026-12-14", 1, true},
		{"friday of odd week 51 goes to the mother", alternate, "2026-12-18", 1, true},
		{"week 53 of 2026 is odd: thursday 31/12 is the mother's", alternate, "2026-12-31", 1, true},
		{"week 1 of 2027 is odd too: monday 04/01/2027 is the mother's", alternate, "2027-01-04", 1, true},
		{"a holiday period wins over the odd week: monday 21/12 is the father's", holidays, "2026-12-21", 2, true},
		{"the period's last day is included: sunday 27/12", holidays, "2026-12-27", 2, true},
		{"after the period the alternation resumes: monday 28/12 (week 53, odd)", holidays, "2026-12-28", 1, true},
		{"a later period wins where periods overlap: christmas day is the mother's", overlapping, "2026-12-25", 1, true},
		{"the earlier period still holds outside the later one", overlapping, "2026-12-23", 2, true},
		{"an alternation missing one household is not applied", staleAlternation, "2026-12-07", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.Books(tc.family, day(t, tc.day)); got != tc.books {
				t.Fatalf("Books(%d, %s) = %v, want %v (keeper %d)", tc.family, tc.day, got, tc.books, tc.cal.Keeper(day(t, tc.day)))
			}
		})
	}
}

func TestWeeksListTheKeeperOfEachSchoolDay(t *testing.T) {
	t.Parallel()
	cal := Calendar{ChildID: 10, Home: 1, Others: []int64{2}, Alternation: Alternation{Even: 2, Odd: 1},
		Periods: []Period{{FamilyID: 2, First: day(t, "2026-12-17"), Last: day(t, "2026-12-18")}}}
	weeks := cal.Weeks(day(t, "2026-12-09"), 2)
	if len(weeks) != 2 || weeks[0].Monday != day(t, "2026-12-07") || weeks[0].Number != 50 || weeks[1].Number != 51 {
		t.Fatalf("weeks = %+v", weeks)
	}
	if weeks[0].Split() || weeks[0].Days[0] != 2 {
		t.Errorf("week 50 is the father's, whole: %+v", weeks[0])
	}
	if !weeks[1].Split() || weeks[1].Days[0] != 1 || weeks[1].Days[3] != 2 || weeks[1].Days[4] != 2 {
		t.Errorf("week 51: mother Monday to Wednesday, father Thursday and Friday: %+v", weeks[1])
	}
}

func TestHouseholdKnowsTheChildsFamilies(t *testing.T) {
	t.Parallel()
	cal := Calendar{Home: 1, Others: []int64{2}}
	for id, want := range map[int64]bool{1: true, 2: true, 3: false, 0: false} {
		if got := cal.Household(id); got != want {
			t.Errorf("Household(%d) = %v, want %v", id, got, want)
		}
	}
	if (Calendar{Home: 1}).Shared() || !cal.Shared() {
		t.Error("Shared: only with another household")
	}
}

func TestParentWeeksSayWhoKeepsTheChildWithoutNamingTheOtherHousehold(t *testing.T) {
	t.Parallel()
	cal := Calendar{ChildID: 10, Home: 1, Others: []int64{2}, Alternation: Alternation{Even: 2, Odd: 1},
		Periods: []Period{{FamilyID: 2, First: day(t, "2026-12-17"), Last: day(t, "2026-12-18")}}}
	for _, tc := range []struct {
		name   string
		family int64
		want   []string
	}{
		{"the mother", 1, []string{"l'autre parent", "lundi, mardi, mercredi : vous ; jeudi, vendredi : l'autre parent"}},
		{"the father", 2, []string{"vous", "lundi, mardi, mercredi : l'autre parent ; jeudi, vendredi : vous"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			weeks := ParentWeeks(cal, tc.family, day(t, "2026-12-07"), 2)
			for i, w := range weeks {
				if got := w.Keepers(); got != tc.want[i] {
					t.Errorf("week %d: %q, want %q", w.Number, got, tc.want[i])
				}
			}
		})
	}
}
