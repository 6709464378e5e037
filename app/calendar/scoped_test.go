package calendar

import "testing"

func TestScopedClosureApplies(t *testing.T) {
	const canteen, garderie = 1, 2
	const school, otherSchool = 10, 11
	tests := []struct {
		name                string
		closure             ScopedClosure
		prestation, school  int64
		wantWhole, wantOpen bool
	}{
		{"a closure naming nothing is the commune's whole closure, not a scoped one",
			ScopedClosure{}, canteen, school, true, true},
		{"canteen strike closes the canteen at every school",
			ScopedClosure{Prestations: []int64{canteen}}, canteen, school, false, false},
		{"canteen strike closes the canteen even when the child's school is unknown",
			ScopedClosure{Prestations: []int64{canteen}}, canteen, 0, false, false},
		{"canteen strike leaves the garderie open",
			ScopedClosure{Prestations: []int64{canteen}}, garderie, school, false, true},
		{"a school's closure closes every prestation for its children",
			ScopedClosure{Schools: []int64{school}}, garderie, school, false, false},
		{"a school's closure leaves the other school's children booked",
			ScopedClosure{Schools: []int64{school}}, canteen, otherSchool, false, true},
		{"a school's closure does not apply to a child whose school is unknown",
			ScopedClosure{Schools: []int64{school}}, canteen, 0, false, true},
		{"the canteen closed at one school: closed there",
			ScopedClosure{Prestations: []int64{canteen}, Schools: []int64{school}}, canteen, school, false, false},
		{"the canteen closed at one school: the garderie of that school stays open",
			ScopedClosure{Prestations: []int64{canteen}, Schools: []int64{school}}, garderie, school, false, true},
		{"the canteen closed at one school: the canteen of another school stays open",
			ScopedClosure{Prestations: []int64{canteen}, Schools: []int64{school}}, canteen, otherSchool, false, true},
		{"two prestations closed at two schools: the second of each is closed",
			ScopedClosure{Prestations: []int64{garderie, canteen}, Schools: []int64{otherSchool, school}}, canteen, school, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.closure.Whole(); got != tt.wantWhole {
				t.Errorf("Whole() = %v, want %v", got, tt.wantWhole)
			}
			if got := tt.closure.Applies(tt.prestation, tt.school); got != !tt.wantOpen {
				t.Errorf("Applies(%d, %d) = %v, want %v", tt.prestation, tt.school, got, !tt.wantOpen)
			}
		})
	}
}

func TestScopedClosureOnKeepsTheCommuneOpen(t *testing.T) {
	const canteen, garderie = 1, 2
	const school = 10
	strike, visit := day("2026-11-26"), day("2026-11-27")
	cal := NewCalendar(Config{ScopedClosures: []ScopedClosure{
		{Date: strike, Reason: "Grève de la cantine", Prestations: []int64{canteen}},
		{Date: strike, Reason: "Sortie scolaire", Schools: []int64{school}},
		{Date: visit, Reason: "ignorée : ne nomme rien"},
	}})
	tests := []struct {
		name               string
		d                  Date
		prestation, school int64
		wantReason         string
	}{
		{"the strike closes the canteen", strike, canteen, 0, "Grève de la cantine"},
		{"the first closure that applies gives its reason", strike, canteen, school, "Grève de la cantine"},
		{"the second closure of the day applies when the first does not", strike, garderie, school, "Sortie scolaire"},
		{"the garderie of another school stays open on strike day", strike, garderie, 99, ""},
		{"a scoped closure naming nothing is dropped, not a whole closure", visit, canteen, school, ""},
		{"the monday after the strike is open", day("2026-11-30"), canteen, school, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why, closed := cal.ScopedClosureOn(tt.d, tt.prestation, tt.school)
			if closed != (tt.wantReason != "") || why != tt.wantReason {
				t.Errorf("ScopedClosureOn = %q, %v; want %q", why, closed, tt.wantReason)
			}
			if open, _ := cal.DayStatus(tt.d); !open {
				t.Errorf("DayStatus(%s) closed: a scoped closure must leave the commune open", tt.d)
			}
		})
	}
	var none *Calendar
	if why, closed := none.ScopedClosureOn(strike, canteen, school); closed || why != "" {
		t.Errorf("nil calendar: ScopedClosureOn = %q, %v; want nothing closed", why, closed)
	}
}

func TestDateDayOfMonth(t *testing.T) {
	for s, want := range map[string]int{"2026-11-01": 1, "2026-11-30": 30, "2028-02-29": 29, "2026-12-31": 31} {
		if got := day(s).Day(); got != want {
			t.Errorf("%s.Day() = %d, want %d", s, got, want)
		}
	}
}
