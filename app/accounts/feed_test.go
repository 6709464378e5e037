package accounts_test

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/ics"
)

// book records a validated booking of a child (by first name) of a
// family for a prestation on day, as app/booking leaves it.
func (e *env) book(slug string, familyID int64, child, prestation string, day calendar.Date, state string) int64 {
	e.t.Helper()
	return e.exec(slug, `
		INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
		SELECT ?, c.id, p.id, p.regie_id, ?, ?, 255, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z'
		FROM children c, prestations p WHERE c.family_id = ? AND c.first_name = ? AND p.name = ?`,
		familyID, day.String(), state, familyID, child, prestation)
}

var feedURLRE = regexp.MustCompile(`value="(http://ef\.test(/[^"]+\.ics))"`)

// createFeed asks for a calendar link on Mon compte and returns its path.
func (cl *client) createFeed() string {
	cl.e.t.Helper()
	r := cl.submit(pathA+"/mon-compte", pathA+"/mon-compte/agenda", nil)
	mustStatus(cl.e.t, "Ajouter à mon agenda", r, http.StatusOK)
	mustContain(cl.e.t, "new link", r.Body, "Votre lien d'agenda est créé", "Votre lien d'agenda", "Copiez-le maintenant", "Ouvrir dans mon agenda", "webcal://ef.test/", "Révoquer le lien")
	m := feedURLRE.FindStringSubmatch(r.Body)
	if m == nil {
		cl.e.t.Fatalf("no feed URL in:\n%s", r.Body)
	}
	return m[2]
}

// vevent is one parsed event: its properties by name (with parameters).
type vevent map[string]string

// parseFeed checks the RFC 5545 form of a feed (CRLF everywhere, lines
// of at most 75 octets) and returns its events.
func parseFeed(t *testing.T, body string) []vevent {
	t.Helper()
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Fatalf("not CRLF-terminated lines:\n%q", body)
	}
	for _, l := range strings.Split(body, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	var out []vevent
	var cur vevent
	for _, l := range strings.Split(strings.TrimSuffix(ics.Unfold(body), "\r\n"), "\r\n") {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			cur = vevent{}
		case l == "END:VEVENT":
			out = append(out, cur)
			cur = nil
		case cur != nil:
			cur[name] = ics.Unescape(value)
		}
	}
	return out
}

func TestFamilyCalendarFeed(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	today := calendar.Today(e.clock.Now())
	soon, past, old := today.AddDays(7), today.AddDays(-10), today.AddDays(-40)
	fille := e.book(slugA, 1, "Fille", "REPAS CLASSIQUE ENFANT", soon, "validated")
	garcon := e.book(slugA, 1, "Garçon", "REPAS VEGETARIEN", soon, "validated")
	recent := e.book(slugA, 1, "Fille", "REPAS CLASSIQUE ENFANT", past, "validated")
	e.book(slugA, 1, "Fille", "REPAS CLASSIQUE ENFANT", old, "validated")               // older than 30 days
	e.book(slugA, 1, "Garçon", "REPAS CLASSIQUE ENFANT", today.AddDays(8), "cancelled") // cancelled
	// A forfait is one event over its period.
	from, until := today.AddDays(14), today.AddDays(40)
	forfait := e.exec(slugA, `
		INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, forfait_from, forfait_until, state, price_cents, created_at, validated_at)
		SELECT 1, c.id, p.id, p.regie_id, ?, ?, ?, 'validated', 2500, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z'
		FROM children c, prestations p WHERE c.family_id = 1 AND c.first_name = 'Garçon' AND p.name = 'GARDERIE MATIN ET SOIR'`,
		from.String(), from.String(), until.String())
	// Another family of the same commune, with a name that needs escaping.
	y := e.exec(slugA, `INSERT INTO families (name, created_at) VALUES ('FAMILLE Y', '2026-01-01T00:00:00Z')`)
	e.exec(slugA, `INSERT INTO children (family_id, first_name, last_name, birth_date, created_at)
		VALUES (?, 'Zoé; secret, \n', 'FAMILLE Y', '2018-01-01', '2026-01-01T00:00:00Z')`, y)
	e.book(slugA, y, "Zoé; secret, \n", "REPAS CLASSIQUE ENFANT", soon, "validated")

	r := p.get(pathA + "/mon-compte")
	mustContain(t, "no link yet", r.Body, "Ajouter à mon agenda")
	if strings.Contains(r.Body, "Révoquer le lien") {
		t.Error("a revoke button without a link")
	}
	feed := p.createFeed()
	r = p.get(pathA + "/mon-compte")
	mustContain(t, "link active", r.Body, "Un lien d'agenda est actif depuis le", "Révoquer le lien")
	if strings.Contains(r.Body, feed) {
		t.Error("the link is shown again (only its hash is kept)")
	}

	cal := e.client() // a phone's calendar: no session
	r = cal.get(feed)
	mustStatus(t, "feed", r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	mustContain(t, "feed", r.Body, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "X-WR-TIMEZONE:Europe/Paris\r\n")
	events := parseFeed(t, r.Body)
	var uids []string
	for _, ev := range events {
		uids = append(uids, ev["UID"])
		if !strings.HasPrefix(ev["UID"], "reservation-") || ev["DTSTART;VALUE=DATE"] == "" || ev["DTEND;VALUE=DATE"] == "" {
			t.Errorf("event %v", ev)
		}
	}
	uid := func(id int64) string { return "reservation-" + itoa(id) + "@malemort-du-comtat.espacefamille" }
	want := []string{uid(recent), uid(fille), uid(garcon), uid(forfait)}
	if !slices.Equal(uids, want) {
		t.Fatalf("events %v, want %v (the last 30 days and the future, validated, this family only)", uids, want)
	}
	ev := events[1]
	day := time.Date(soon.Year(), soon.Month(), soon.Day(), 0, 0, 0, 0, time.UTC)
	if ev["DTSTART;VALUE=DATE"] != day.Format("20060102") || ev["DTEND;VALUE=DATE"] != day.AddDate(0, 0, 1).Format("20060102") {
		t.Errorf("dates of %v, want the all-day %s", ev, soon)
	}
	if ev["SUMMARY"] != "REPAS CLASSIQUE ENFANT – Fille" || ev["DESCRIPTION"] != "Réservation de Fille FAMILLE X : REPAS CLASSIQUE ENFANT" {
		t.Errorf("text of %v", ev)
	}
	if strings.Contains(r.Body, "FAMILLE Y") || strings.Contains(r.Body, "Zo") {
		t.Error("another family's booking is in the feed")
	}
	// The same bookings keep their UIDs on the next refresh.
	f := events[3]
	if f["DTSTART;VALUE=DATE"] != strings.ReplaceAll(from.String(), "-", "") || f["DTEND;VALUE=DATE"] != strings.ReplaceAll(until.AddDays(1).String(), "-", "") ||
		!strings.Contains(f["DESCRIPTION"], "(forfait du "+from.FR()+" au "+until.FR()+")") {
		t.Errorf("forfait event %v, want %s to %s", f, from, until)
	}
	if again := parseFeed(t, cal.get(feed).Body); len(again) != 4 || again[0]["UID"] != uids[0] {
		t.Errorf("UIDs changed on refresh: %v", again)
	}

	t.Run("a wrong token, or the token on another commune, is a 404", func(t *testing.T) {
		token := strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")
		altered := "A" // one character changed, whatever the token's last one is
		if token[42] == 'A' {
			altered = "B"
		}
		for _, bad := range []string{pathA + "/agenda/" + token[:42] + altered + ".ics", pathA + "/agenda/" + token, pathA + "/agenda/x.ics",
			"/beta/agenda/" + token + ".ics"} {
			mustStatus(t, bad, cal.get(bad), http.StatusNotFound)
		}
	})
	t.Run("a new link replaces the old one", func(t *testing.T) {
		second := p.createFeed()
		mustStatus(t, "old link", cal.get(feed), http.StatusNotFound)
		mustStatus(t, "new link", cal.get(second), http.StatusOK)
		feed = second
	})
	t.Run("revoked, the link is a 404", func(t *testing.T) {
		r := p.submit(pathA+"/mon-compte", pathA+"/mon-compte/agenda/revoquer", nil)
		mustStatus(t, "revoke", r, http.StatusSeeOther)
		r = p.get(pathA + "/mon-compte")
		mustContain(t, "after revoke", r.Body, "Le lien d'agenda est révoqué")
		mustStatus(t, "revoked link", cal.get(feed), http.StatusNotFound)
		if e.count(slugA, `SELECT COUNT(*) FROM family_feeds`) != 0 {
			t.Error("a revoked link is still stored")
		}
	})
}

func TestFeedTokenIsStoredHashed(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	feed := p.createFeed()
	token := strings.TrimSuffix(feed[strings.LastIndex(feed, "/")+1:], ".ics")
	if n := e.count(slugA, `SELECT COUNT(*) FROM family_feeds WHERE token_hash = ? OR instr(token_hash, ?) > 0`, token, token); n != 0 {
		t.Error("the token is stored as is")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
