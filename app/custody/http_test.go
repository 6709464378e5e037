package custody_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/app/mail/smtptest"
	"espacefamille/app/web"
)

// Thursday 3 December 2026, 9:00 in Paris: week 49 (odd).
var now = time.Date(2026, time.December, 3, 9, 0, 0, 0, calendar.Paris())

func newEnv(t *testing.T) (*apptest.Env, apptest.DemoIDs) {
	t.Helper()
	env := apptest.New(t, apptest.At(now), apptest.PublicURL("http://ef.test"),
		apptest.WithRoutes(func(s *web.Server, e *apptest.Env) {
			apptest.HeaderSession(s, "FAMILLE")
			custody.Routes(s, e.Clock.Now, nil)
		}))
	return env, env.Demo()
}

// Issue 14: the foyer principal invites the other parent from Fille's
// custody page; the other parent's household is created and linked to
// her, and the invitation with its code d'adhésion goes out through SMTP.
// The other parent then sees the custody weeks, never the mother's name
// or her other children; a third family sees nothing.
func TestParentInvitesTheOtherParentAndEachSeesTheirWeeks(t *testing.T) {
	env, d := newEnv(t)
	mother := env.Client(t, apptest.InCommune(demo.Slug), apptest.AsFamily(d.Family))
	page := mother.Get("/famille/garde/" + itoa(d.Fille))
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Inviter l'autre parent") {
		t.Fatalf("custody page of a child not shared: %d\n%s", page.Status, page.Body)
	}
	// A bad address is refused and nothing is created.
	r := mother.Post("/famille/garde/"+itoa(d.Fille)+"/inviter", url.Values{"last_name": {"Durand"}, "email": {"pas-une-adresse"}})
	if r.Status != http.StatusUnprocessableEntity || env.Count(demo.Slug, `SELECT COUNT(*) FROM child_households WHERE child_id = ?`, d.Fille) != 0 {
		t.Fatalf("bad address: %d", r.Status)
	}
	r = mother.PostFollow("/famille/garde/"+itoa(d.Fille)+"/inviter", url.Values{"last_name": {"Durand"}, "first_name": {"Marc"}, "email": {"marc.durand@example.org"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Invitation envoyée à marc.durand@example.org") {
		t.Fatalf("invite: %d\n%s", r.Status, r.Body)
	}
	father := env.Int(demo.Slug, `SELECT family_id FROM child_households WHERE child_id = ?`, d.Fille)
	if name := env.Text(demo.Slug, `SELECT name FROM families WHERE id = ?`, father); name != "FAMILLE DURAND" {
		t.Errorf("household named %q", name)
	}

	// The invitation, through the real SMTP path, holds a code that links
	// an account to the father's household.
	var text string
	for _, m := range env.SendMail(t, demo.Slug) {
		if len(m.EnvelopeTo) == 1 && m.EnvelopeTo[0] == "marc.durand@example.org" {
			text = m.Text
		}
	}
	code := regexp.MustCompile(`\b[A-HJ-NP-Z0-9]{10}\b`).FindString(text)
	if code == "" {
		t.Fatalf("no code d'adhésion in the invitation:\n%s", text)
	}
	err := env.DB(demo.Slug).Tx(context.Background(), func(tx *sql.Tx) error {
		fam, err := families.LinkWithCode(context.Background(), tx, families.HashCode(code), 4242, env.Clock.Now())
		if err == nil && fam != father {
			t.Errorf("the code links family %d, want the father's %d", fam, father)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// The mairie sets the calendar: even weeks to the father.
	if err := env.DB(demo.Slug).Tx(context.Background(), func(tx *sql.Tx) error {
		return custody.SetAlternation(context.Background(), tx, d.Fille, father, d.Family, env.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	dad := env.Client(t, apptest.InCommune(demo.Slug), apptest.AsFamily(father))
	page = dad.Get("/famille/garde/" + itoa(d.Fille))
	if page.Status != http.StatusOK {
		t.Fatalf("father's custody page: %d", page.Status)
	}
	for _, want := range []string{"Semaine 49</strong> (du 30/11/2026) : l&#39;autre parent", "Semaine 50</strong> (du 07/12/2026) : vous"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("father's custody page lacks %q", want)
		}
	}
	for _, never := range []string{demo.FamilyEmail, "Garçon", "Inviter l'autre parent"} {
		if strings.Contains(page.Body, never) {
			t.Errorf("father's custody page shows %q", never)
		}
	}
	// Only the foyer principal invites; a child of another family is 404.
	if r := dad.Post("/famille/garde/"+itoa(d.Fille)+"/inviter", url.Values{"last_name": {"X"}, "email": {"x@example.org"}}); r.Status != http.StatusNotFound {
		t.Errorf("father inviting: %d", r.Status)
	}
	if r := dad.Get("/famille/garde/" + itoa(d.Garcon)); r.Status != http.StatusNotFound {
		t.Errorf("father opening Garçon's page: %d", r.Status)
	}
	// A second invitation for the same child is refused.
	if r := mother.Post("/famille/garde/"+itoa(d.Fille)+"/inviter", url.Values{"last_name": {"Autre"}, "email": {"autre@example.org"}}); r.Status != http.StatusConflict {
		t.Errorf("second invitation: %d", r.Status)
	}
	// The commune may keep the invitations to itself.
	env.Exec(demo.Slug, `INSERT INTO settings (key, value) VALUES ('custody_invite', 'off')`)
	if r := mother.Post("/famille/garde/"+itoa(d.Garcon)+"/inviter", url.Values{"last_name": {"Autre"}, "email": {"autre@example.org"}}); r.Status != http.StatusForbidden {
		t.Errorf("invitation switched off: %d", r.Status)
	}
}

// wantDecisionMail checks that the answer to a proposal went to the
// proposing household only (to), with its own words and no name of the
// other household.
func wantDecisionMail(t *testing.T, msgs []smtptest.Message, to, subject, sentence, link string) {
	t.Helper()
	var got int
	for _, m := range msgs {
		if !strings.HasPrefix(m.Subject, "Garde de Lou : l'autre parent a") {
			continue
		}
		if m.EnvelopeTo[0] != to || m.Subject != subject {
			t.Errorf("%q sent to %s", m.Subject, m.EnvelopeTo[0])
			continue
		}
		got++
		text := strings.Join(strings.Fields(m.Text), " ")
		if !strings.Contains(text, sentence) || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
			t.Errorf("decision mail lacks %q or the link:\n%s", sentence, m.Text)
		}
		for _, name := range []string{"FAMILLE X", "FAMILLE Y", "Paul"} {
			if strings.Contains(m.Text, name) || strings.Contains(m.HTML, name) {
				t.Errorf("decision mail names %q:\n%s", name, m.Text)
			}
		}
	}
	if got == 0 {
		t.Errorf("no %q mail to %s", subject, to)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Issue 14: a calendar agreed by both parents. The father of the demo's
// Lou proposes to swap the weeks; the mother sees the proposal in her own
// words and accepts it, and the calendar changes; a refused period
// changes nothing; nobody decides their own proposal or another family's.
func TestParentsAgreeOnTheCustodyCalendar(t *testing.T) {
	env, d := newEnv(t)
	lou := env.Int(demo.Slug, `SELECT id FROM children WHERE first_name = 'Lou'`)
	father := env.Int(demo.Slug, `SELECT family_id FROM child_households WHERE child_id = ?`, lou)
	dad := env.Client(t, apptest.InCommune(demo.Slug), apptest.AsFamily(father))
	mum := env.Client(t, apptest.InCommune(demo.Slug), apptest.AsFamily(d.Family))
	path := "/famille/garde/" + itoa(lou)
	dad.Get(path)
	if r := dad.PostFollow(path+"/proposer", url.Values{"type": {"alternation"}, "mes_semaines": {"impaires"}}); !strings.Contains(r.Body, "Proposition envoyée") ||
		!strings.Contains(r.Body, "semaines paires chez l&#39;autre parent, semaines impaires chez vous") {
		t.Fatalf("proposal: %d\n%s", r.Status, r.Body)
	}
	// The mother is told by email (real SMTP), in her own words.
	var told bool
	for _, m := range env.SendMail(t, demo.Slug) {
		if m.EnvelopeTo[0] == demo.FamilyEmail && m.Subject == "Garde de Lou : proposition de l'autre parent" {
			told = strings.Contains(m.Text, "semaines paires chez vous, semaines impaires chez l'autre parent") &&
				strings.Contains(m.Text, "http://ef.test/"+demo.Slug+path)
		}
		if m.Subject == "Garde de Lou : proposition de l'autre parent" && m.EnvelopeTo[0] == demo.SecondGuardianEmail {
			t.Error("the father was sent his own proposal")
		}
	}
	if !told {
		t.Error("the mother was not told of the proposal")
	}
	page := mum.Get(path)
	if !strings.Contains(page.Body, "semaines paires chez vous, semaines impaires chez l&#39;autre parent") {
		t.Fatalf("the mother does not see the proposal:\n%s", page.Body)
	}
	pid := env.Int(demo.Slug, `SELECT id FROM custody_proposals WHERE status = 'pending'`)
	if r := dad.Post(path+"/propositions/"+itoa(pid), url.Values{"decision": {"accepter"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("the father accepting his own proposal: %d", r.Status)
	}
	other := env.Client(t, apptest.InCommune(demo.Slug), apptest.AsFamily(env.Exec(demo.Slug, `INSERT INTO families (name, created_at) VALUES ('FAMILLE Z', 'x')`)))
	if r := other.Get(path); r.Status != http.StatusNotFound {
		t.Errorf("another family opening Lou's page: %d", r.Status)
	}
	if r := other.Post(path+"/propositions/"+itoa(pid), url.Values{"decision": {"accepter"}}); r.Status != http.StatusNotFound {
		t.Errorf("another family deciding: %d", r.Status)
	}
	if r := mum.PostFollow(path+"/propositions/"+itoa(pid), url.Values{"decision": {"accepter"}}); !strings.Contains(r.Body, "Proposition acceptée") {
		t.Fatalf("accept: %d", r.Status)
	}
	// The father is told by email that his proposal is accepted, in his
	// own words, and the mother gets nothing more.
	wantDecisionMail(t, env.SendMail(t, demo.Slug), demo.SecondGuardianEmail, "Garde de Lou : l'autre parent a accepté votre proposition",
		"L'autre parent de Lou a accepté votre proposition : semaines paires chez l'autre parent, semaines impaires chez vous. Le calendrier de garde est mis à jour.",
		"http://ef.test/"+demo.Slug+path)
	if n := env.Count(demo.Slug, `SELECT COUNT(*) FROM custody_alternations WHERE child_id = ? AND even_family_id = ? AND odd_family_id = ?`, lou, d.Family, father); n != 1 {
		t.Error("the accepted alternation is not the calendar")
	}
	// A period the mother proposes and the father refuses changes nothing.
	mum.PostFollow(path+"/proposer", url.Values{"type": {"period"}, "du": {"19/12/2026"}, "au": {"27/12/2026"}, "chez": {"moi"}})
	pid = env.Int(demo.Slug, `SELECT id FROM custody_proposals WHERE status = 'pending'`)
	if r := dad.PostFollow(path+"/propositions/"+itoa(pid), url.Values{"decision": {"refuser"}}); !strings.Contains(r.Body, "Proposition refusée") {
		t.Fatalf("refuse: %d", r.Status)
	}
	wantDecisionMail(t, env.SendMail(t, demo.Slug), demo.FamilyEmail, "Garde de Lou : l'autre parent a refusé votre proposition",
		"L'autre parent de Lou a refusé votre proposition : du 19/12/2026 au 27/12/2026 chez vous. Le calendrier de garde ne change pas.",
		"http://ef.test/"+demo.Slug+path)
	if n := env.Count(demo.Slug, `SELECT COUNT(*) FROM custody_periods WHERE child_id = ?`, lou); n != 0 {
		t.Error("a refused period was added")
	}
	if r := mum.Post(path+"/proposer", url.Values{"type": {"period"}, "du": {"27/12/2026"}, "au": {"19/12/2026"}, "chez": {"moi"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("reversed period: %d", r.Status)
	}
}
