package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// louCustody is the demo's shared child Lou on 03/12/2026, with an
// administrator's session on her custody page (base).
type louCustody struct {
	env         *apptest.Env
	d           apptest.DemoIDs
	lou, father int64
	adm         *apptest.Client
	base        string
}

func newLouCustody(t *testing.T) louCustody {
	t.Helper()
	env := apptest.New(t, apptest.At(time.Date(2026, time.December, 3, 9, 0, 0, 0, calendar.Paris())))
	lc := louCustody{env: env, d: env.Demo(), adm: env.DemoAdmin(t, apptest.InCommune(demo.Slug))}
	lc.lou = env.Int(demo.Slug, `SELECT id FROM children WHERE first_name = 'Lou'`)
	lc.father = env.Int(demo.Slug, `SELECT family_id FROM child_households WHERE child_id = ?`, lc.lou)
	lc.base = "/admin/familles/" + strconv.FormatInt(lc.d.Family, 10) + "/enfants/" + strconv.FormatInt(lc.lou, 10) + "/garde"
	return lc
}

// Issue 14: when the mairie changes Lou's custody calendar in the back
// office (alternation, a holiday period, its removal), both households
// are emailed through the commune outbox and real SMTP, each in its own
// words ("chez vous", "chez l'autre parent"), never with the other
// household's name; a refused change emails nobody.
func TestBackOfficeCustodyChangesAreMailedToBothHouseholds(t *testing.T) {
	lc := newLouCustody(t)
	env, lou, adm, base := lc.env, lc.lou, lc.adm, lc.base
	fam, dad := strconv.FormatInt(lc.d.Family, 10), strconv.FormatInt(lc.father, 10)
	env.SendMail(t, demo.Slug) // what the demo queued

	// change submits one change and returns the custody mails it sent, by
	// envelope address (the families' own addresses).
	change := func(action string, form url.Values) map[string]string {
		t.Helper()
		r := adm.Submit(base, base+action, form)
		if r.Status != http.StatusSeeOther && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d\n%s", action, r.Status, r.Body)
		}
		got := map[string]string{}
		for _, m := range env.SendMail(t, demo.Slug) {
			if m.Subject != "Garde de Lou : la mairie a modifié le calendrier" {
				continue
			}
			text := strings.Join(strings.Fields(m.Text), " ")
			for _, name := range []string{"FAMILLE X", "FAMILLE Y", "Paul"} {
				if strings.Contains(m.Text, name) || strings.Contains(m.HTML, name) {
					t.Errorf("the mail to %s names %q:\n%s", m.EnvelopeTo[0], name, m.Text)
				}
			}
			if !strings.Contains(m.Text, "/"+demo.Slug+"/famille/garde/"+strconv.FormatInt(lou, 10)) {
				t.Errorf("no link to Lou's custody page:\n%s", m.Text)
			}
			got[m.EnvelopeTo[0]] = text
		}
		return got
	}
	for _, tc := range []struct {
		story       string
		action      string
		form        url.Values
		mum, father string // the sentence each household reads ("" : no mail)
	}{
		{"a refused alternation emails nobody", "/alternance", url.Values{"paires": {fam}, "impaires": {fam}}, "", ""},
		{"even weeks with the mother", "/alternance", url.Values{"paires": {fam}, "impaires": {dad}},
			"La mairie a modifié le calendrier de garde de Lou : semaines paires chez vous, semaines impaires chez l'autre parent.",
			"La mairie a modifié le calendrier de garde de Lou : semaines paires chez l'autre parent, semaines impaires chez vous."},
		{"christmas holidays with the father", "/periodes", url.Values{"foyer": {dad}, "du": {"19/12/2026"}, "au": {"27/12/2026"}},
			"La mairie a modifié le calendrier de garde de Lou : période du 19/12/2026 au 27/12/2026 chez l'autre parent.",
			"La mairie a modifié le calendrier de garde de Lou : période du 19/12/2026 au 27/12/2026 chez vous."},
	} {
		t.Run(tc.story, func(t *testing.T) {
			got := change(tc.action, tc.form)
			if got[demo.FamilyEmail] == "" != (tc.mum == "") || !strings.Contains(got[demo.FamilyEmail], tc.mum) {
				t.Errorf("the mother got %q, want %q", got[demo.FamilyEmail], tc.mum)
			}
			if got[demo.SecondGuardianEmail] == "" != (tc.father == "") || !strings.Contains(got[demo.SecondGuardianEmail], tc.father) {
				t.Errorf("the father got %q, want %q", got[demo.SecondGuardianEmail], tc.father)
			}
		})
	}
	pid := strconv.FormatInt(env.Int(demo.Slug, `SELECT id FROM custody_periods WHERE child_id = ?`, lou), 10)
	got := change("/periodes/"+pid+"/supprimer", nil)
	if !strings.Contains(got[demo.FamilyEmail], "la période du 19/12/2026 au 27/12/2026 chez l'autre parent est supprimée") ||
		!strings.Contains(got[demo.SecondGuardianEmail], "la période du 19/12/2026 au 27/12/2026 chez vous est supprimée") {
		t.Errorf("period removed: %v", got)
	}
}
