package admin_test

import (
	"net/http"
	"net/url"
	"testing"
)

// An older official file whose summer holiday has only its "Début des
// Vacances d'Été" marker must not erase the known resume day: otherwise an
// estimate takes over and 1 September 2027 becomes a school day in zone B.
func TestCalendarImportNeverReplacesKnownDateWithUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	wantStatus(t, c.Post("/alpha/admin/calendrier/zone", url.Values{"zone": {"B"}}), http.StatusSeeOther)
	const summer = `SELECT count(*) FROM school_holidays WHERE zone = 'B' AND school_year = '2026-2027'
		AND description = 'Vacances d''Été' AND first_day_off = '2027-07-03' AND resume_day = ?`
	if n := f.count(t, "alpha", summer, "2027-09-02"); n != 1 {
		t.Fatalf("bundled summer 2027 with its resume day: %d rows", n)
	}
	for _, tc := range []struct{ name, filename, file string }{
		{"open-data csv with the start marker only", "calendrier.csv",
			"Description;Population;Date de début;Date de fin;Zones;annee_scolaire\n" +
				"Début des Vacances d'Été;-;2027-07-02T22:00:00+00:00;;Zone B;2026-2027\n" +
				"Vacances de Printemps;-;2027-04-16T22:00:00+00:00;2027-05-02T22:00:00+00:00;Zone B;2026-2027\n"},
		{"ics with the start marker only", "calendrier.ics",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270703\r\nSUMMARY:Début des Vacances d'Été - Zone B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
	} {
		r := c.Upload("/alpha/admin/calendrier/import", "fichier", tc.filename, []byte(tc.file))
		wantStatus(t, r, http.StatusSeeOther)
		if n := f.count(t, "alpha", summer, "2027-09-02"); n != 1 {
			t.Fatalf("%s: the known resume day of summer 2027 was replaced by an unknown one", tc.name)
		}
	}
	// A known date still replaces a known one.
	file := "Description;Population;Date de début;Date de fin;Zones;annee_scolaire\n" +
		"Vacances d'Été;-;2027-07-02T22:00:00+00:00;2027-08-31T22:00:00+00:00;Zone B;2026-2027\n"
	wantStatus(t, c.Upload("/alpha/admin/calendrier/import", "fichier", "calendrier.csv", []byte(file)), http.StatusSeeOther)
	if n := f.count(t, "alpha", summer, "2027-09-01"); n != 1 {
		t.Fatal("a known resume day from the file did not replace the stored one")
	}
}
