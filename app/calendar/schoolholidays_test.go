package calendar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestBundledHolidays(t *testing.T) {
	for _, z := range Zones {
		hs := BundledHolidays(z)
		if len(hs) < 11 {
			t.Errorf("zone %s: only %d holidays", z, len(hs))
		}
		for i, h := range hs {
			if h.Zone != z || !h.Until.After(h.From) || h.SchoolYear != SchoolYearOf(h.From) {
				t.Errorf("zone %s: bad holiday %+v", z, h)
			}
			if i > 0 && h.From.Before(hs[i-1].Until) {
				t.Errorf("zone %s: %s overlaps %s", z, h.Description, hs[i-1].Description)
			}
		}
	}
	if got := BundledHolidays("zone c"); len(got) != len(BundledHolidays("C")) {
		t.Errorf("zone names are not normalised")
	}
	if got := BundledHolidays("Guadeloupe"); len(got) != 0 {
		t.Errorf("unknown zone gave %d holidays", len(got))
	}
}

func TestBundledHolidayLookups(t *testing.T) {
	tests := []struct {
		name, zone, date, want string
	}{
		{"zone C winter 2026 starts on saturday 21 february", "C", "2026-02-21", "Vacances d'Hiver"},
		{"zone C resumes on monday 9 march 2026", "C", "2026-03-09", ""},
		{"zone A winter 2026 is over by 23 february", "A", "2026-02-23", ""},
		{"zone B christmas 2026", "B", "2027-01-01", "Vacances de Noël"},
		{"2027 ascension bridge friday", "A", "2027-05-07", "Pont de l'Ascension"},
		{"rentrée 2027 on thursday 2 september", "C", "2027-09-02", ""},
		{"1 september 2027 is still summer", "C", "2027-09-01", "Vacances d'Été"},
		{"summer 2028 resume unknown: 31 august is holiday (open-end rule)", "A", "2028-08-31", "Vacances d'Été"},
		{"summer 2028 resume unknown: 1 september is not", "A", "2028-09-01", ""},
		{"corse summer 2026 open-ended", "Corse", "2026-08-31", "Vacances d'Été"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := NewZoneCalendar(tt.zone)
			h, ok := cal.HolidayAt(day(tt.date))
			if ok != (tt.want != "") || h.Description != tt.want {
				t.Fatalf("HolidayAt(%s, %s) = %q, %v; want %q", tt.zone, tt.date, h.Description, ok, tt.want)
			}
		})
	}
}

func TestParseHolidaysCSV(t *testing.T) {
	const header = "school_year,zone,description,first_day_off,resume_day,source\n"
	tests := []struct {
		name     string
		body     string
		wantErr  string
		wantLen  int
		estimate bool
	}{
		{"one holiday", "2025-2026,C,Vacances de Noël,2025-12-20,2026-01-05,x\n", "", 1, false},
		{"unknown resume day ends on 31 august", "2027-2028,A,Vacances d'Été,2028-07-04,,x\n", "", 1, true},
		{"school year may be derived", ",B,Vacances de Noël,2025-12-20,2026-01-05,x\n", "", 1, false},
		{"impossible date names its line", "2025-2026,C,Noël,2025-12-20,2026-01-05\n2025-2026,C,Hiver,2026-02-30,2026-03-09,x\n", "ligne 3", 0, false},
		{"resume before start", "2025-2026,C,Noël,2026-01-05,2025-12-20,x\n", "n'est pas après", 0, false},
		{"bad school year", "2025-2027,C,Noël,2025-12-20,2026-01-05,x\n", "année scolaire invalide", 0, false},
		{"empty zone", "2025-2026,,Noël,2025-12-20,2026-01-05,x\n", "zone vide", 0, false},
		{"French date format refused", "2025-2026,C,Noël,20/12/2025,2026-01-05,x\n", "premier jour", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := ParseHolidaysCSV(strings.NewReader(header + tt.body))
			if tt.wantErr != "" {
				var re *RowError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &re) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(hs) != tt.wantLen {
				t.Fatalf("got %v, %v", hs, err)
			}
			if hs[0].Estimated != tt.estimate {
				t.Fatalf("Estimated = %v", hs[0].Estimated)
			}
			if tt.estimate && hs[0].Until != day("2028-09-01") {
				t.Fatalf("open end = %s", hs[0].Until)
			}
		})
	}
	if _, err := ParseHolidaysCSV(strings.NewReader("zone,description\nA,x\n")); !errors.Is(err, ErrNoHeader) {
		t.Fatalf("missing columns: %v", err)
	}
}

// openDataSample mirrors rows of data.education.gouv.fr "fr-en-calendrier-scolaire" (one row per académie).
const openDataSample = "\ufeffDescription;Population;Date de début;Date de fin;Zones;annee_scolaire;location\n" +
	"Vacances de la Toussaint;-;2025-10-17T22:00:00+00:00;2025-11-02T23:00:00+00:00;Zone A;2025-2026;Lyon\n" +
	"Vacances de la Toussaint;-;2025-10-17T22:00:00+00:00;2025-11-02T23:00:00+00:00;Zone A;2025-2026;Dijon\n" +
	"Vacances de la Toussaint;Élèves;2025-10-17T22:00:00+00:00;2025-11-02T23:00:00+00:00;Zone B;2025-2026;Rennes\n" +
	"Vacances de la Toussaint;Enseignants;2025-10-16T22:00:00+00:00;2025-11-03T23:00:00+00:00;Zone A;2025-2026;Lyon\n" +
	"Vacances d'Hiver;-;2026-02-06T23:00:00+00:00;2026-02-22T23:00:00+00:00;Zone A;2025-2026;Lyon\n" +
	"Vacances d'Hiver;-;2026-02-13T23:00:00+00:00;2026-03-01T23:00:00+00:00;Zone B;2025-2026;Rennes\n" +
	"Vacances de Noël;-;2025-12-19T23:00:00+00:00;2026-01-04T23:00:00+00:00;Corse;2025-2026;Corse\n" +
	"Pont de l'Ascension;-;2027-05-06T22:00:00+00:00;2027-05-06T22:00:00+00:00;Zone A;2026-2027;Lyon\n" +
	"Début des Vacances d'Été;-;2028-07-03T22:00:00+00:00;;Zone C;2027-2028;Paris\n" +
	"Vacances d'Été;Enseignants;2027-07-02T22:00:00+00:00;2027-08-31T22:00:00+00:00;Zone C;2026-2027;Paris\n" +
	"Vacances d'Été;Élèves;2027-07-02T22:00:00+00:00;2027-09-01T22:00:00+00:00;Zone C;2026-2027;Paris\n" +
	"Vacances de Noël;-;2025-12-19T23:00:00+00:00;2026-01-04T23:00:00+00:00;Guadeloupe;2025-2026;Guadeloupe\n"

func TestParseOpenDataCSV(t *testing.T) {
	hs, err := ParseOpenDataCSV(strings.NewReader(openDataSample))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, h := range hs {
		got[h.Zone+"|"+h.Description+"|"+h.From.String()+"|"+h.Until.String()+"|"+h.SchoolYear] = true
	}
	want := []string{
		"A|Vacances de la Toussaint|2025-10-18|2025-11-03|2025-2026", // Lyon and Dijon deduplicated, Enseignants ignored
		"B|Vacances de la Toussaint|2025-10-18|2025-11-03|2025-2026",
		"A|Vacances d'Hiver|2026-02-07|2026-02-23|2025-2026", // winter time: 23:00 UTC is Paris midnight
		"B|Vacances d'Hiver|2026-02-14|2026-03-02|2025-2026",
		"Corse|Vacances de Noël|2025-12-20|2026-01-05|2025-2026",
		"A|Pont de l'Ascension|2027-05-07|2027-05-08|2026-2027", // start = end: one day
		"C|Vacances d'Été|2028-07-04|2028-09-01|2027-2028",      // "Début des": open-ended
		"C|Vacances d'Été|2027-07-03|2027-09-02|2026-2027",      // pupils, not teachers
		"Guadeloupe|Vacances de Noël|2025-12-20|2026-01-05|2025-2026",
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %s", w)
		}
	}
	if len(hs) != len(want) {
		t.Errorf("got %d holidays, want %d: %+v", len(hs), len(want), hs)
	}
	// The imported rows agree with the bundled file.
	for _, h := range hs {
		if h.Zone != "B" || h.SchoolYear != "2025-2026" {
			continue
		}
		found := false
		for _, b := range BundledHolidays("B") {
			found = found || (b.From == h.From && b.Until == h.Until && b.Description == h.Description)
		}
		if !found {
			t.Errorf("imported %+v not in bundled data", h)
		}
	}
}

func TestParseOpenDataCSVErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no header", "", "en-tête"},
		{"missing end column", "description;start_date;zones\n", "absente"},
		{"bad start date names the line", "description;start_date;end_date;zones\nNoël;2025-12-19T23:00:00+00:00;2026-01-04T23:00:00+00:00;Zone A\nHiver;demain;2026-01-04;Zone A\n", "ligne 3"},
		{"end before start", "description;start_date;end_date;zones\nNoël;2026-01-04;2025-12-20;Zone A\n", "avant le début"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOpenDataCSV(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// icsSample mirrors the data.education.gouv.fr ICS: one holiday cut into segments shared by zones.
const icsSample = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260427\r\nDTEND;VALUE=DATE:20260504\r\nSUMMARY:Vacances de Printemps - Zone C\r\nLOCATION:Zone C\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260420\r\nDTEND;VALUE=DATE:20260427\r\nSUMMARY:Vacances de Printemps - Zones B/C\r\nLOCATION:Zones B/C\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260418\r\nDTEND;VALUE=DATE:20260420\r\nSUMMARY:Vacances de Printemps - Zones A/B/C\r\nLOCATION:Zones A/B/C\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260411\r\nDTEND;VALUE=DATE:20260418\r\nSUMMARY:Vacances de Printemps - Zones A/B\r\nLOCATION:Zones A/B\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260404\r\nDTEND;VALUE=DATE:20260411\r\nSUMMARY:Vacances de Printemps - Zone A\r\nLOCATION:Zone A\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250829\r\nDTEND;VALUE=DATE:20250901\r\nSUMMARY:Vacances d'Été(prérentrée Enseignants) - Zones A/B/C\r\nLOCATION:Zones A/B/C\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250705\r\nDTEND;VALUE=DATE:20250901\r\nSUMMARY:Vacances d'Été - Zones A/B/C\r\nLOCATION:Zones A/B/C\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250705\r\nDTEND;VALUE=DATE:20250705\r\nSUMMARY:Début des Vacances d'Été - Corse\r\nLOCATION:Corse\r\nEND:VEVENT\r\n" +
	// No LOCATION: the zones come from the SUMMARY; a folded line continues the summary.
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250529\r\nDTEND;VALUE=DATE:20250602\r\nSUMMARY:Pont de l'Ascension - Zones A/B/C -\r\n  Corse\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestParseICS(t *testing.T) {
	hs, err := ParseICS(strings.NewReader(icsSample))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"A|Vacances de Printemps|2026-04-04|2026-04-20":   true,
		"B|Vacances de Printemps|2026-04-11|2026-04-27":   true,
		"C|Vacances de Printemps|2026-04-18|2026-05-04":   true,
		"A|Vacances d'Été|2025-07-05|2025-09-01":          true,
		"B|Vacances d'Été|2025-07-05|2025-09-01":          true,
		"C|Vacances d'Été|2025-07-05|2025-09-01":          true,
		"Corse|Vacances d'Été|2025-07-05|2025-09-01":      true, // "Début des": open-ended until 31 August
		"A|Pont de l'Ascension|2025-05-29|2025-06-02":     true,
		"B|Pont de l'Ascension|2025-05-29|2025-06-02":     true,
		"C|Pont de l'Ascension|2025-05-29|2025-06-02":     true,
		"Corse|Pont de l'Ascension|2025-05-29|2025-06-02": true,
	}
	for _, h := range hs {
		k := h.Zone + "|" + h.Description + "|" + h.From.String() + "|" + h.Until.String()
		if !want[k] {
			t.Errorf("unexpected %s", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("missing %s", k)
	}
}

func TestParseICSErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bad DTSTART names its line", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:2026XX01\nSUMMARY:Vacances - Zone A\nEND:VEVENT\n", "ligne 1"},
		{"impossible date", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260231\nDTEND;VALUE=DATE:20260301\nSUMMARY:Vacances - Zone A\nEND:VEVENT\n", "DTSTART invalide"},
		{"unterminated event", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260201\n", "non terminé"},
		{"end before start", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260210\nDTEND;VALUE=DATE:20260201\nSUMMARY:Vacances - Zone A\nEND:VEVENT\n", "avant le début"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseICS(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParseHolidaysCSV(f *testing.F) {
	f.Add(string(bundledCSV))
	f.Add("school_year,zone,description,first_day_off,resume_day\n,A,x,2026-01-01,\n")
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseHolidaysCSV(strings.NewReader(s))
		checkHolidays(t, hs, err)
	})
}

func FuzzParseOpenDataCSV(f *testing.F) {
	f.Add(openDataSample)
	f.Add("description,start_date,end_date,zones\nx,2026-01-01,,Zone A\n")
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseOpenDataCSV(strings.NewReader(s))
		checkHolidays(t, hs, err)
	})
}

func FuzzParseICS(f *testing.F) {
	f.Add(icsSample)
	f.Add("BEGIN:VEVENT\nDTSTART:20260101T230000Z\nSUMMARY:Début des x - Zone B\nEND:VEVENT\n")
	f.Fuzz(func(t *testing.T, s string) {
		hs, err := ParseICS(strings.NewReader(s))
		checkHolidays(t, hs, err)
	})
}

// checkHolidays asserts the invariants every importer guarantees on success.
func checkHolidays(t *testing.T, hs []Holiday, err error) {
	t.Helper()
	if err != nil {
		if hs != nil {
			t.Fatalf("holidays returned with an error")
		}
		return
	}
	for _, h := range hs {
		if h.Zone == "" || h.Description == "" || h.From.IsZero() || !h.Until.After(h.From) || !validSchoolYear(h.SchoolYear) {
			t.Fatalf("invalid holiday %+v", h)
		}
	}
	// Building a calendar from any import must work.
	cal := NewCalendar(Config{Holidays: hs})
	for _, h := range hs {
		if _, ok := cal.HolidayAt(h.From); !ok {
			t.Fatalf("HolidayAt(%s) misses %+v", h.From, h)
		}
	}
}

func TestImportDateForms(t *testing.T) {
	tests := []struct {
		name, in, want string
		ics            bool
	}{
		{"UTC instant of a Paris midnight in summer", "2025-10-17T22:00:00+00:00", "2025-10-18", false},
		{"UTC instant of a Paris midnight in winter", "2026-02-06T23:00:00Z", "2026-02-07", false},
		{"instant with Paris offset", "2026-02-07T00:00:00+01:00", "2026-02-07", false},
		{"floating local time", "2026-02-07T00:00:00", "2026-02-07", false},
		{"plain date", "2026-02-07", "2026-02-07", false},
		{"garbage", "07/02/2026", "", false},
		{"ICS date", "20260207", "2026-02-07", true},
		{"ICS UTC date-time", "20260206T230000Z", "2026-02-07", true},
		{"ICS local date-time (TZID parameter)", "20260207T000000", "2026-02-07", true},
		{"ICS garbage", "2026020", "", true},
		{"ICS trailing junk", "20260207X", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := parseInstantDate
			if tt.ics {
				parse = icsDate
			}
			got, err := parse(tt.in)
			if (err != nil) != (tt.want == "") || got.String() != tt.want {
				t.Fatalf("parse(%q) = %s, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// holidayKeys lists holidays as "zone|description|from|until".
func holidayKeys(hs []Holiday) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Zone+"|"+h.Description+"|"+h.From.String()+"|"+h.Until.String())
	}
	return strings.Join(out, "\n")
}

func TestParseICSEventForms(t *testing.T) {
	ev := func(lines ...string) string {
		return "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	tests := []struct{ name, in, want string }{
		{"an event without DTEND lasts one day", ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
		{"zones written with 'et' and '+'", ev("DTSTART;VALUE=DATE:20260508", "DTEND;VALUE=DATE:20260511", "SUMMARY:Pont", "LOCATION:Zones A et B + C"),
			"A|Pont|2026-05-08|2026-05-11\nB|Pont|2026-05-08|2026-05-11\nC|Pont|2026-05-08|2026-05-11"},
		{"a zone named twice counts once", ev("DTSTART;VALUE=DATE:20260508", "DTEND;VALUE=DATE:20260511", "SUMMARY:Pont", "LOCATION:Zone A - Zone A"),
			"A|Pont|2026-05-08|2026-05-11"},
		{"location parts that are not zones are ignored", ev("DTSTART;VALUE=DATE:20260508", "DTEND;VALUE=DATE:20260511", "SUMMARY:Pont", "LOCATION:Académie de Lyon - Zone A - Zone D"),
			"A|Pont|2026-05-08|2026-05-11"},
		{"escaped text is unescaped", ev("DTSTART;VALUE=DATE:20261219", "DTEND;VALUE=DATE:20270104", `SUMMARY:Vacances de Noël\, fin d'année - Zone B`),
			"B|Vacances de Noël, fin d'année|2026-12-19|2027-01-04"},
		{"UTC date-times are read as Paris dates", ev("DTSTART:20261218T230000Z", "DTEND:20270103T230000Z", "SUMMARY:Vacances de Noël - Zone C"),
			"C|Vacances de Noël|2026-12-19|2027-01-04"},
		{"an event of no zone is ignored", ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:Fête de l'école"), ""},
		{"an event without a name is ignored", ev("DTSTART;VALUE=DATE:20260508", "LOCATION:Zone A"), ""},
		{"a line without a colon is ignored", ev("DTSTART;VALUE=DATE:20260508", "GARBAGE", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
		{"only the first of a repeated property counts", ev("DTSTART;VALUE=DATE:20260508", "DTSTART;VALUE=DATE:20260601", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
		{"a two-letter name before its zones", ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:AB - Zone A"),
			"A|AB|2026-05-08|2026-05-09"},
		{"empty lines are ignored", "\r\n" + ev("DTSTART;VALUE=DATE:20260508", "", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
		{"a continuation line before any line is ignored", " folded\r\n" + ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
		{"a tab also continues a folded line", ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:Pont de", "\tl'Ascension - Zone A"),
			"A|Pont del'Ascension|2026-05-08|2026-05-09"},
		{"a line outside any event is ignored", "SUMMARY:Vacances - Zone A\r\n" + ev("DTSTART;VALUE=DATE:20260508", "SUMMARY:Pont - Zone A"),
			"A|Pont|2026-05-08|2026-05-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := ParseICS(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := holidayKeys(hs); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseICSDateErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"bad DTEND", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260508\nDTEND;VALUE=DATE:2026\nSUMMARY:Pont - Zone A\nEND:VEVENT\n", "DTEND invalide"},
		{"impossible UTC date-time", "BEGIN:VEVENT\nDTSTART:20260231T230000Z\nSUMMARY:Pont - Zone A\nEND:VEVENT\n", "DTSTART invalide"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseICS(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseOpenDataCSVRows(t *testing.T) {
	const head = "description;start_date;end_date;zones\n"
	for _, tt := range []struct{ name, in, want, wantErr string }{
		{"a row without a zone is skipped", head + "Noël;2025-12-20;2026-01-05;\nHiver;2026-02-07;2026-02-23;Zone A\n",
			"A|Hiver|2026-02-07|2026-02-23", ""},
		{"a row without a description is skipped", head + ";2025-12-20;2026-01-05;Zone A\n", "", ""},
		{"an empty end is open-ended, to the 1st of September", head + "Vacances d'Été;2026-07-04;;Zone B\n",
			"B|Vacances d'Été|2026-07-04|2026-09-01", ""},
		{"a comma-separated export is read too", "description,start_date,end_date,zones\nHiver,2026-02-07,2026-02-23,Zone A\n",
			"A|Hiver|2026-02-07|2026-02-23", ""},
		{"commas inside a semicolon export stay in the text", head + "Vacances de Noël, fin d'année;2025-12-20;2026-01-05;Zone A\n",
			"A|Vacances de Noël, fin d'année|2025-12-20|2026-01-05", ""},
		{"a short row misses its zone and is skipped", head + "Hiver;2026-02-07;2026-02-23\nNoël;2025-12-20;2026-01-05;Zone B\n",
			"B|Noël|2025-12-20|2026-01-05", ""},
		{"an instant of year 1 in Paris is accepted", head + "Noël;0001-01-02T00:00:00Z;0001-01-05T00:00:00Z;Zone A\n",
			"A|Noël|0001-01-02|0001-01-05", ""},
		{"an instant of year 9999 in Paris is accepted", head + "Noël;9999-06-01T00:00:00Z;9999-06-05T00:00:00Z;Zone A\n",
			"A|Noël|9999-06-01|9999-06-05", ""},
		{"a bad end date names the line", head + "Noël;2025-12-20;2026-01-05;Zone A\nHiver;2026-02-07;bientôt;Zone A\n", "", "ligne 3"},
		{"an instant beyond year 9999 in Paris is refused", head + "Noël;9999-12-31T23:30:00Z;;Zone A\n", "", "date de début invalide"},
		{"an instant before year 1 in Paris is refused", head + "Noël;0001-01-01T00:30:00+01:00;;Zone A\n", "", "date de début invalide"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := ParseOpenDataCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := holidayKeys(hs); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseOpenDataCSVRowLimit(t *testing.T) {
	// Rows for teachers are read and counted, then skipped: the limit
	// counts every row of the file.
	file := func(rows int) string {
		return "description;start_date;end_date;zones\n" + strings.Repeat("Enseignants;2026-01-01;2026-01-02;Zone A\n", rows)
	}
	if _, err := ParseOpenDataCSV(strings.NewReader(file(maxImportRows))); err != nil {
		t.Fatalf("%d rows: %v", maxImportRows, err)
	}
	if _, err := ParseOpenDataCSV(strings.NewReader(file(maxImportRows + 1))); err == nil || !strings.Contains(err.Error(), "trop long") {
		t.Fatalf("%d rows: %v", maxImportRows+1, err)
	}
}

func TestParseICSLargeCalendar(t *testing.T) {
	// Ten thousand lines, more than the national calendar has: far
	// below the limit, all read.
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\n")
	for i := range 2500 {
		d := DateOf(2020, time.January, 1).AddDays(i * 2)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:%s\r\nSUMMARY:Pont %d - Zone A\r\nEND:VEVENT\r\n", strings.ReplaceAll(d.String(), "-", ""), i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	hs, err := ParseICS(strings.NewReader(b.String()))
	if err != nil || len(hs) != 2500 {
		t.Fatalf("%d holidays, %v", len(hs), err)
	}
}
