package reminder_test

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/mail/smtptest"
	"espacefamille/app/notify"
	"espacefamille/app/reminder"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const publicURL = "https://ef.example"

// jobEnv is the demo commune and a second one, a parent's account linked
// to FAMILLE X and the reminder job on the test's clock; its mail goes
// through real SMTP (apptest's SendMail).
type jobEnv struct {
	*apptest.Env
	t   *testing.T
	job *reminder.Job
	ids apptest.DemoIDs
}

func newJobEnv(t *testing.T, now time.Time) *jobEnv {
	t.Helper()
	a := apptest.New(t, apptest.At(now), apptest.PublicURL(publicURL),
		apptest.WithCommune(tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, nil))
	a.Clock.Set(now)
	e := &jobEnv{Env: a, t: t, ids: a.Demo()}
	// The demo's own sample reminder is not this test's.
	e.Exec(demo.Slug, `DELETE FROM cutoff_reminders`)
	e.Exec(demo.Slug, `DELETE FROM outbox`)
	e.ParentAccount(demo.Slug, e.ids.Family, "parent@example.org", apptest.ParentPassword)
	e.job = reminder.NewJob(reminder.Config{Registry: a.Registry, Logger: apptest.Quiet(), Now: a.Clock.Now,
		AbsURL: func(c tenants.Commune, p string) string { return web.CommuneURL(publicURL, c, p) }})
	return e
}

// run makes one pass of the job and sends what it queued over SMTP.
func (e *jobEnv) run() (reminder.Report, []smtptest.Message) {
	e.t.Helper()
	rep, err := e.job.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rep, e.SendMail(e.t, demo.Slug)
}

func (e *jobEnv) due() string {
	e.t.Helper()
	return e.Text("", `SELECT w.due_at FROM commune_work w JOIN communes c ON c.id = w.commune_id WHERE c.slug = ? AND w.kind = 'reminders'`, demo.Slug)
}

// The job reminds, once, the child with nothing booked next week, at the
// commune's moment, through real SMTP with the one-click unsubscribe
// headers; it records when the commune's next reminder is due and opens
// no commune before then; an address that unsubscribed gets nothing.
func TestReminderJobOncePerChildAndWeekThroughSMTP(t *testing.T) {
	now := paris(2027, 1, 6, 18, 30) // the evening before Thursday 07/01's cut-off
	e := newJobEnv(t, now)
	// Garçon has a meal on Tuesday 12/01: nothing to remind him of.
	e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, 0, '2027-01-12', 'validated', 255, ?, ?)`, e.ids.Family, e.ids.Garcon, e.ids.Prestations["REPAS CLASSIQUE ENFANT"],
		e.ids.Cantine, tenants.FormatTime(now), tenants.FormatTime(now))

	// Lou is in alternating custody: the even ISO weeks (11/01 is week 2)
	// are her father's household's, FAMILLE Y, whose parent has an account.
	famY := e.Int(demo.Slug, `SELECT id FROM families WHERE name = 'FAMILLE Y'`)
	e.ParentAccount(demo.Slug, famY, "pere@example.org", apptest.ParentPassword)

	rep, all := e.run()
	if rep.Reminded != 2 || rep.Failed != 0 || len(all) != 4 {
		t.Fatalf("report %+v, %d emails; want Fille and Lou reminded, 4 emails", rep, len(all))
	}
	var got []smtptest.Message
	for _, m := range all {
		switch m.EnvelopeTo[0] {
		case demo.SecondGuardianEmail, "pere@example.org":
			if m.Subject != "Rien n'est réservé pour Lou la semaine du 11/01" {
				t.Errorf("to FAMILLE Y (%s): %q", m.EnvelopeTo[0], m.Subject)
			}
		default:
			got = append(got, m)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d emails to FAMILLE X, want 2 (the family's address and the parent's account)", len(got))
	}
	sentence := "Rien n'est réservé pour Fille la semaine du 11/01 ; réservations ouvertes jusqu'au jeudi 07/01 à 10h00"
	link := publicURL + "/" + demo.Slug + "/famille/reservations?" + url.Values{"enfant": {strconv.FormatInt(e.ids.Fille, 10)},
		"regie": {strconv.FormatInt(e.ids.Cantine, 10)}, "semaine": {"2027-01-11"}}.Encode() + "#semaine-2027-01-11"
	to := map[string]bool{}
	for _, m := range got {
		to[m.EnvelopeTo[0]] = true
		if m.Subject != "Rien n'est réservé pour Fille la semaine du 11/01" {
			t.Errorf("subject %q", m.Subject)
		}
		if !strings.Contains(m.Text, sentence) || !strings.Contains(m.Text, link) || !strings.Contains(m.Text, "2 jours ouvrés avant, 10h00") {
			t.Errorf("text lacks the sentence, the link %s or the rule:\n%s", link, m.Text)
		}
		lu := strings.Join(strings.Fields(m.Header.Get("List-Unsubscribe")), "")
		if !strings.HasPrefix(lu, "<"+publicURL+"/"+demo.Slug+notify.UnsubscribePath+"?jeton=") || !strings.HasSuffix(lu, ">") {
			t.Errorf("List-Unsubscribe = %q", lu)
		}
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", m.Header.Get("List-Unsubscribe-Post"))
		}
		if !strings.Contains(m.Text, strings.Trim(lu, "<>")) {
			t.Errorf("the body does not show the unsubscribe link %s", lu)
		}
	}
	if !to[demo.FamilyEmail] || !to["parent@example.org"] {
		t.Errorf("sent to %v", to)
	}
	// The next reminders (week of 18/01) go out on Wednesday 13/01 at
	// 18h00; the commune is looked at again within a day meanwhile.
	if want := tenants.FormatTime(now.Add(reminder.Recheck)); e.due() != want {
		t.Errorf("next due %s, want %s", e.due(), want)
	}

	// Later the same evening: no commune is due, none is opened, nothing twice.
	e.Clock.Advance(2 * time.Hour)
	if rep, got := e.run(); rep.Communes != 0 || len(got) != 0 {
		t.Errorf("second pass: %+v, %d emails; want no commune opened", rep, len(got))
	}
	res, err := reminder.Commune(context.Background(), e.DB(demo.Slug), e.Registry.Platform().Reader(), tenants.Commune{Slug: demo.Slug, Name: demo.Name},
		func(c tenants.Commune, p string) string { return web.CommuneURL(publicURL, c, p) }, e.Clock.Now())
	if err != nil || res.Reminded != 0 {
		t.Errorf("the commune's pass again: %+v, %v; want nobody reminded twice", res, err)
	}

	// The morning of Wednesday 13/01: nothing is due yet; the commune's
	// next turn is that evening at 18h00.
	e.Clock.Set(paris(2027, 1, 13, 9, 0))
	if rep, got := e.run(); rep.Communes == 0 || rep.Reminded != 0 || len(got) != 0 {
		t.Errorf("morning pass: %+v, %d emails; want the commune looked at, nobody reminded", rep, len(got))
	}
	if want := tenants.FormatTime(paris(2027, 1, 13, 18, 0)); e.due() != want {
		t.Errorf("next due %s, want %s", e.due(), want)
	}

	// The parent unsubscribes; a week later Fille, Garçon and Lou (week 3,
	// odd: FAMILLE X's) are reminded about the week of 18/01, to the
	// family's address only.
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		return notify.Unsubscribe(context.Background(), tx, "Parent@Example.org", notify.CutoffReminder, now)
	})
	e.Clock.Set(paris(2027, 1, 13, 18, 5))
	rep, got = e.run()
	if rep.Reminded != 3 || len(got) != 3 {
		t.Fatalf("report %+v, %d emails; want 3 children reminded, 3 emails", rep, len(got))
	}
	for _, m := range got {
		if m.EnvelopeTo[0] != demo.FamilyEmail || !strings.Contains(m.Subject, "la semaine du 18/01") {
			t.Errorf("email to %s: %q", m.EnvelopeTo[0], m.Subject)
		}
	}
}

// A commune that turned the reminder off gets none, and is looked at
// again within a day (its settings may change).
func TestReminderOffSendsNothing(t *testing.T) {
	now := paris(2027, 1, 6, 18, 30)
	e := newJobEnv(t, now)
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		s := notify.Defaults
		s.CutoffReminder = false
		return notify.SaveSettings(context.Background(), tx, s)
	})
	rep, got := e.run()
	if rep.Reminded != 0 || len(got) != 0 {
		t.Errorf("%+v, %d emails; want none", rep, len(got))
	}
	if want := tenants.FormatTime(now.Add(reminder.Recheck)); e.due() != want {
		t.Errorf("next due %s, want %s", e.due(), want)
	}
}

// Shared custody (issue 14): the demo's Lou spends the even ISO weeks with
// her father (FAMILLE Y). The reminder about his week (11/01/2027, week
// 2) goes to his household's addresses, never to the mother's.
func TestReminderOfASharedChildGoesToTheHouseholdOfThatWeek(t *testing.T) {
	now := paris(2027, 1, 6, 18, 30)
	e := newJobEnv(t, now)
	lou := e.Int(demo.Slug, `SELECT id FROM children WHERE first_name = 'Lou'`)
	father := e.Int(demo.Slug, `SELECT family_id FROM child_households WHERE child_id = ?`, lou)
	e.ParentAccount(demo.Slug, father, "papa@example.org", apptest.ParentPassword)
	rep, got := e.run()
	if rep.Reminded != 3 {
		t.Fatalf("report %+v, want Fille, Garçon and Lou reminded", rep)
	}
	to := map[string][]string{}
	for _, m := range got {
		to[m.Subject] = append(to[m.Subject], m.EnvelopeTo[0])
	}
	lous := to["Rien n'est réservé pour Lou la semaine du 11/01"]
	if len(lous) != 2 {
		t.Fatalf("Lou's reminder sent to %v", lous)
	}
	for _, addr := range lous {
		if addr != demo.SecondGuardianEmail && addr != "papa@example.org" {
			t.Errorf("Lou's reminder about her father's week went to %s", addr)
		}
	}
}
