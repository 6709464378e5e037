package booking

import (
	"errors"
	"strings"
	"testing"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
)

func TestAudienceRule(t *testing.T) {
	t.Parallel()
	centre := families.Child{ID: 10, FamilyID: 1, FirstName: "Fille", LastName: "FAMILLE X", SchoolID: 1, ClassName: "CP"}
	for _, tc := range []struct {
		name   string
		a      Audience
		child  families.Child
		ok     bool
		reason string
	}{
		{"no restriction: every child", Audience{}, centre, true, ""},
		{"school allowed", Audience{Schools: []int64{2, 1}}, centre, true, ""},
		{"another school only", Audience{Schools: []int64{2}}, centre, false, "non proposé pour son école"},
		{"child without a school, schools restricted", Audience{Schools: []int64{1}}, families.Child{SchoolID: 0}, false, "non proposé pour son école"},
		{"class allowed, case and spaces ignored", Audience{Classes: []string{"ce1", " cp "}}.normalize(), centre, true, ""},
		{"class not allowed", Audience{Classes: []string{"CM1", "CM2"}}, centre, false, "non proposé pour sa classe"},
		{"sans classe is not a listed class", Audience{Classes: []string{"CP"}}, families.Child{SchoolID: 1}, false, "non proposé pour sa classe"},
		{"school and class must both match", Audience{Schools: []int64{1}, Classes: []string{"CM2"}}, centre, false, "non proposé pour sa classe"},
		{"school and class both match", Audience{Schools: []int64{1}, Classes: []string{"CP"}}, centre, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, r := tc.a.Allows(tc.child)
			if ok != tc.ok || (!ok && r.String() != tc.reason) {
				t.Fatalf("Allows = %v %q, want %v %q", ok, r.String(), tc.ok, tc.reason)
			}
		})
	}
	// The columns round-trip, without duplicates or empty entries.
	a := Audience{Schools: []int64{3, 1, 3, 0}, Classes: []string{"CP", " cp", "", "CE1 "}}.normalize()
	s, c := a.columns()
	if s != "3,1" || c != "CP,CE1" {
		t.Fatalf("columns %q %q", s, c)
	}
	if b := audienceOf(s, c); len(b.Schools) != 2 || len(b.Classes) != 2 || !audienceOf("", "").All() {
		t.Fatalf("audienceOf %+v", b)
	}
}

// The agenda shows the reason, a click and a period are refused with it.
func TestAudienceInAgendaClickAndPeriod(t *testing.T) {
	t.Parallel()
	cp := testClassic
	cp.Audience = Audience{Classes: []string{"CM2"}}
	day := mustDate(t, "2026-12-10")
	c := CellFor(CellInput{Prestation: cp, Day: day, Calendar: testCalendar(), Now: testNow, Ledger: NewLedger(nil, nil, nil), Child: &testChild})
	if c.State != CellClosed || c.Reason.Code != ReasonAudience || c.View(cp, nil).Reason != "non proposé" || !strings.Contains(c.Text(), "non proposé pour sa classe") {
		t.Fatalf("cell %+v %q", c, c.Text())
	}
	// Without a child (not the agenda's case), the audience is not checked.
	if c := CellFor(CellInput{Prestation: cp, Day: day, Calendar: testCalendar(), Now: testNow, Ledger: NewLedger(nil, nil, nil)}); c.State != CellBookable {
		t.Fatalf("cell without child %+v", c)
	}
	_, err := newBooker(NewLedger(nil, nil, nil), nil, cp).Toggle(cp, day, IntentBook)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "non proposé pour sa classe") {
		t.Fatalf("click: %v", err)
	}
	req := PeriodRequest{From: mustDate(t, "2026-12-07"), To: mustDate(t, "2026-12-11"), Weekdays: map[int64]calendar.WeekdaySet{cp.ID: meals}}
	ch, skips, err := newBooker(NewLedger(nil, nil, nil), nil, cp).Plan(req)
	if err != nil || len(ch.Insert) != 0 || len(skips) != 4 {
		t.Fatalf("plan: %v inserts %d skips %+v", err, len(ch.Insert), skips)
	}
	for _, s := range skips {
		if s.Reason.Code != ReasonAudience {
			t.Fatalf("skip %+v", s)
		}
	}
}
