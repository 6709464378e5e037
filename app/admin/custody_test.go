package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
)

// Issue 14, shared custody in the back office: the demo's Lou FAMILLE X
// is shared with her father's household; the administrator sets the
// custody calendar (alternation, a holiday period), sees who keeps her
// which day, and the page refuses what does not hold.
func TestBackOfficeSetsTheCustodyCalendar(t *testing.T) {
	lc := newLouCustody(t)
	env, d, lou, father, adm, base := lc.env, lc.d, lc.lou, lc.father, lc.adm, lc.base

	page := adm.Get(base)
	if page.Status != http.StatusOK {
		t.Fatalf("custody page: %d\n%s", page.Status, page.Body)
	}
	for _, want := range []string{"Garde partagée – Lou FAMILLE X", "FAMILLE Y", "foyer principal", "Semaines paires", "Qui réserve quels jours", "49 (du 30/11/2026)"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("custody page lacks %q", want)
		}
	}
	fam, dad := strconv.FormatInt(d.Family, 10), strconv.FormatInt(father, 10)
	for _, tc := range []struct {
		name   string
		action string
		form   url.Values
		status int
		want   string
	}{
		{"the same household for both weeks", "/alternance", url.Values{"paires": {fam}, "impaires": {fam}}, http.StatusUnprocessableEntity, "deux foyers différents"},
		{"one week without a household", "/alternance", url.Values{"paires": {dad}}, http.StatusUnprocessableEntity, "un pour les semaines impaires"},
		{"a family that is not the child's", "/alternance", url.Values{"paires": {"99999"}, "impaires": {fam}}, http.StatusUnprocessableEntity, "un des foyers"},
		{"a period ending before it starts", "/periodes", url.Values{"foyer": {dad}, "du": {"31/12/2026"}, "au": {"19/12/2026"}}, http.StatusUnprocessableEntity, "avant la date de début"},
		{"a period with a bad date", "/periodes", url.Values{"foyer": {dad}, "du": {"19/13/2026"}, "au": {"31/12/2026"}}, http.StatusUnprocessableEntity, "JJ/MM/AAAA"},
		{"a third household", "/foyers", url.Values{"foyer": {fam}}, http.StatusUnprocessableEntity, "foyer principal"},
		{"odd weeks to the father now", "/alternance", url.Values{"paires": {fam}, "impaires": {dad}}, http.StatusSeeOther, ""},
		{"christmas holidays with the father", "/periodes", url.Values{"foyer": {dad}, "du": {"19/12/2026"}, "au": {"27/12/2026"}}, http.StatusSeeOther, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := adm.Submit(base, base+tc.action, tc.form)
			if r.Status != tc.status || !strings.Contains(r.Body, tc.want) {
				t.Fatalf("%d, want %d with %q\n%s", r.Status, tc.status, tc.want, r.Body)
			}
		})
	}
	if n := env.Count(demo.Slug, `SELECT COUNT(*) FROM custody_alternations WHERE child_id = ? AND even_family_id = ? AND odd_family_id = ?`, lou, d.Family, father); n != 1 {
		t.Error("alternation not saved")
	}
	if n := env.Count(demo.Slug, `SELECT COUNT(*) FROM custody_periods WHERE child_id = ? AND family_id = ? AND first_day = '2026-12-19'`, lou, father); n != 1 {
		t.Error("period not saved")
	}
	if n := env.Count(demo.Slug, `SELECT COUNT(*) FROM audit_log WHERE entity = 'child' AND action = 'custody' AND entity_id = ?`, strconv.FormatInt(lou, 10)); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	// The father's family page links to the shared child's custody page.
	if r := adm.Get("/admin/familles/" + dad); !strings.Contains(r.Body, "Garde partagée (second foyer)") {
		t.Error("the second household's page does not list the shared child")
	}
	// Detaching the father gives every day back to the foyer principal.
	if r := adm.Submit(base, base+"/foyers/"+dad+"/retirer", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("detach: %d", r.Status)
	}
	if r := adm.Get(base); !strings.Contains(r.Body, "Rattacher le foyer du second parent") || strings.Contains(r.Body, "Qui réserve quels jours") {
		t.Error("after detaching, the page still shows a calendar")
	}
}

func TestFamilySettingsSwitchTheUsualWeekAndInvitations(t *testing.T) {
	env := apptest.New(t)
	adm := env.DemoAdmin(t, apptest.InCommune(demo.Slug))
	page := adm.Get("/admin/parametres/familles")
	if page.Status != http.StatusOK || strings.Count(page.Body, " checked") != 4 {
		t.Fatalf("all four on by default: %d", page.Status)
	}
	if !strings.Contains(page.Body, "Lou FAMILLE X</a> : FAMILLE X (foyer principal) et FAMILLE Y") {
		t.Error("the demo's shared child is not listed")
	}
	r := adm.Submit("/admin/parametres/familles", "/admin/parametres/familles", url.Values{"invitation": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	if v := env.Text(demo.Slug, `SELECT value FROM settings WHERE key = 'usual_week'`); v != "off" {
		t.Errorf("usual_week = %q", v)
	}
	if v := env.Text(demo.Slug, `SELECT value FROM settings WHERE key = 'custody_invite'`); v != "on" {
		t.Errorf("custody_invite = %q", v)
	}
}
