package admin_test

import (
	"net/http"
	"net/url"
	"testing"
)

// Justified absences at the pointage follow the commune's absence rule
// (app/absences): with one jour de carence, the first day of an absence
// is not credited, the next booked day is; a day at the canteen between
// two absences starts a new absence and a new carence.
func TestJustifiedAbsencesCountCarenceOverConsecutiveBookedDays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f) // Garçon (child 2) booked on Wednesday 04/03/2026
	ts := "2026-01-01T00:00:00Z"
	for _, day := range []string{"2026-03-05", "2026-03-09", "2026-03-10"} {
		f.exec(t, "alpha", `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
			VALUES (1, 2, 1, 1, 1, ?, 'validated', 255, ?, ?)`, day, ts, ts)
	}
	f.exec(t, "alpha", `INSERT INTO settings (key, value) VALUES ('waiting_days', '1')`)
	admin := f.admin(t)
	admin.Get("/alpha/admin/pointage?jour=04/03/2026&prestation=1")
	mark := func(day, status string) {
		t.Helper()
		r := admin.Post("/alpha/admin/pointage/liste", url.Values{"day": {day}, "prestation": {"1"}, "statut-2": {status}})
		wantStatus(t, r, http.StatusSeeOther)
	}
	credits := func() int {
		return f.count(t, "alpha", `SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = 1`)
	}
	mark("04/03/2026", "justified")
	if c := credits(); c != 0 {
		t.Fatalf("wednesday, the first day (carence), credited %d", c)
	}
	mark("05/03/2026", "justified")
	if c := credits(); c != 255 {
		t.Fatalf("thursday, the second day, credited %d; want 255", c)
	}
	mark("09/03/2026", "present")
	mark("10/03/2026", "justified")
	if c := credits(); c != 255 {
		t.Fatalf("tuesday after a day at the canteen is a new first day; credits %d, want 255", c)
	}
}
