package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
)

var feedPathRE = regexp.MustCompile(`value="https?://[^/"]+(/[^"]+\.ics)"`)

// setFamilyFeatures saves the "Services aux familles" page with the
// usual week and invitations on, and the child's record and the calendar
// link as given.
func setFamilyFeatures(t *testing.T, adm *apptest.Client, record, feed bool) {
	t.Helper()
	form := url.Values{"semaine_habituelle": {"1"}, "invitation": {"1"}}
	if record {
		form.Set("fiche", "1")
	}
	if feed {
		form.Set("agenda", "1")
	}
	if r := adm.Submit("/admin/parametres/familles", "/admin/parametres/familles", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save the family settings: %d\n%s", r.Status, r.Body)
	}
}

// TestAdminSwitchesOffTheChildRecordAndTheCalendarFeed: both are on by
// default; when the mairie turns them off, the parents' links disappear,
// the pages answer 404 and an existing calendar link stops serving; on
// again, the same link serves again and nothing else has changed.
func TestAdminSwitchesOffTheChildRecordAndTheCalendarFeed(t *testing.T) {
	env := apptest.New(t)
	d := env.Demo()
	adm := env.DemoAdmin(t, apptest.InCommune(demo.Slug))
	parent := env.Parent(t, demo.Slug, d.Family, apptest.InCommune(demo.Slug))
	calendarApp := env.Client(t)
	child := fmt.Sprintf("/famille/enfants/%d", d.Fille)
	fiche := child + "/fiche"

	page := adm.Get("/admin/parametres/familles")
	for _, field := range []string{`name="fiche" value="1" aria-describedby="fiche-aide" checked`, `name="agenda" value="1" aria-describedby="agenda-aide" checked`} {
		if !strings.Contains(page.Body, field) {
			t.Errorf("not on by default: %s", field)
		}
	}
	if r := parent.Get("/famille"); !strings.Contains(r.Body, "Ajouter mes réservations à mon agenda") {
		t.Fatalf("on: no calendar link on the family page (%d)", r.Status)
	}
	if r := parent.Get(child); !strings.Contains(r.Body, "Fiche de renseignements") {
		t.Fatalf("on: no record link on the child's page (%d)", r.Status)
	}
	if r := parent.Get(fiche); r.Status != http.StatusOK {
		t.Fatalf("on: record page %d", r.Status)
	}
	made := parent.Submit("/mon-compte", "/mon-compte/agenda", nil)
	m := feedPathRE.FindStringSubmatch(made.Body)
	if made.Status != http.StatusOK || m == nil {
		t.Fatalf("on: no calendar link made (%d)", made.Status)
	}
	feed := m[1]
	if r := calendarApp.Get(feed); r.Status != http.StatusOK || !strings.Contains(r.Body, "BEGIN:VCALENDAR") {
		t.Fatalf("on: the feed answers %d", r.Status)
	}

	records := env.Count(demo.Slug, `SELECT count(*) FROM child_records`)
	setFamilyFeatures(t, adm, false, false)
	for key, want := range map[string]string{"child_record": "off", "family_feed": "off", "usual_week": "on", "custody_invite": "on"} {
		if v := env.Text(demo.Slug, `SELECT value FROM settings WHERE key = ?`, key); v != want {
			t.Errorf("%s = %q, want %q", key, v, want)
		}
	}
	if r := parent.Get("/famille"); r.Status != http.StatusOK || strings.Contains(r.Body, "mon-compte#agenda") {
		t.Errorf("off: the family page (%d) still links to the calendar", r.Status)
	}
	if r := parent.Get(child); r.Status != http.StatusOK || strings.Contains(r.Body, "/fiche") {
		t.Errorf("off: the child's page (%d) still links to the record", r.Status)
	}
	if r := parent.Get(fiche); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "ne propose pas la fiche de renseignements") {
		t.Errorf("off: record page %d", r.Status)
	}
	if r := parent.Submit("/famille", fiche, url.Values{"pai": {"non"}, "image_rights": {"oui"}}); r.Status != http.StatusNotFound {
		t.Errorf("off: record form %d", r.Status)
	}
	if r := parent.Get("/mon-compte"); r.Status != http.StatusOK || strings.Contains(r.Body, "Ajouter à mon agenda") || strings.Contains(r.Body, "/mon-compte/agenda") {
		t.Errorf("off: Mon compte (%d) still offers the calendar link", r.Status)
	}
	for _, action := range []string{"/mon-compte/agenda", "/mon-compte/agenda/revoquer"} {
		if r := parent.Submit("/mon-compte", action, nil); r.Status != http.StatusNotFound {
			t.Errorf("off: %s answers %d", action, r.Status)
		}
	}
	if r := calendarApp.Get(feed); r.Status != http.StatusNotFound || strings.Contains(r.Body, "VCALENDAR") {
		t.Errorf("off: the existing feed link answers %d", r.Status)
	}
	if n := env.Count(demo.Slug, `SELECT count(*) FROM child_records`); n != records {
		t.Errorf("off: %d records, %d before", n, records)
	}

	setFamilyFeatures(t, adm, true, true)
	if r := calendarApp.Get(feed); r.Status != http.StatusOK {
		t.Errorf("on again: the feed link answers %d", r.Status)
	}
	if r := parent.Get(fiche); r.Status != http.StatusOK {
		t.Errorf("on again: record page %d", r.Status)
	}
}
