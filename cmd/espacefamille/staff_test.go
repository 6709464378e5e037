package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

var setPasswordLink = regexp.MustCompile(`https?://\S+/admin/mot-de-passe/[A-Za-z0-9_-]{43}`)

// backOffice serves the data directory in-process, for following a link.
func backOffice(t *testing.T, data string) (*apptest.Env, *apptest.Client, func()) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := app.New(ctx, app.Config{Registry: reg, Logger: log, PublicURL: "https://ef.example"})
	if err != nil {
		t.Fatal(err)
	}
	e := &apptest.Env{T: t, Registry: reg, Server: srv, PublicURL: "https://ef.example"}
	return e, e.Client(t), func() { reg.Close() }
}

// setPassword follows a set-password link, chooses pw and logs in with it.
func setPassword(t *testing.T, c *apptest.Client, link, email, pw string) {
	t.Helper()
	u, _ := url.Parse(link)
	if r := c.Submit(u.Path, u.Path, url.Values{"password": {pw}, "password_confirmation": {pw}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set password through %s: %d\n%s", link, r.Status, r.Body)
	}
	slug := strings.Split(u.Path, "/")[1]
	c.LoginStaff(slug, email, pw)
}

// Issue 9 item 9: a commune created with --admin-email had no staff
// account and sent nothing, so nobody could ever log in to its back
// office. Its first administrator now gets an invitation (valid 7 days)
// whose link leads to a working log-in.
func TestCommuneCreateInvitesItsFirstAdministrator(t *testing.T) {
	data := t.TempDir()
	srv := smtptest.Start(t)
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "SMTP_HOST": srv.Host(), "SMTP_PORT": strconv.Itoa(srv.Port()),
		"SMTP_FROM": "noreply@espacefamille.example", "SMTP_TLS": "none", "ESPACEFAMILLE_PUBLIC_URL": "https://ef.example"}
	code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan", "--zone", "B",
		"--admin-email", "Secretariat@Mazan.example", "--admin-name", "Secrétariat de mairie")
	if code != 0 || !strings.Contains(out, "administrator secretariat@mazan.example: set-password link queued") || !strings.Contains(out, "mail: 1 sent") {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "/admin/mot-de-passe/") {
		t.Error("the link is printed although the mail was sent")
	}
	m := srv.Wait(t, 1, 5*time.Second)[0]
	if m.EnvelopeTo[0] != "secretariat@mazan.example" || !strings.Contains(m.Text, "Bonjour Secrétariat de mairie,") ||
		!strings.Contains(m.Text, "avec le rôle Administrateur") || !strings.Contains(m.Text, "valable 7 jours") {
		t.Fatalf("invitation to %v:\n%s", m.EnvelopeTo, m.Text)
	}
	link := setPasswordLink.FindString(m.Text)
	if !strings.HasPrefix(link, "https://ef.example/mazan/admin/mot-de-passe/") {
		t.Fatalf("no set-password link in:\n%s", m.Text)
	}
	_, c, done := backOffice(t, data)
	defer done()
	setPassword(t, c, link, "secretariat@mazan.example", "une phrase de passe solide")
	if r := c.Get("/mazan/admin/agents"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Secrétariat de mairie") {
		t.Fatalf("the administrator cannot open the staff page: %d", r.Status)
	}
}

// Without SMTP the link is printed (scripts, emergencies); staff reset
// replaces it; bad arguments are refused with status 2, creating nothing.
func TestStaffAddAndResetPrintTheLinkWithoutSMTP(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan", "--admin-email", "maire@mazan.example"); code != 0 ||
		!setPasswordLink.MatchString(out) {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := cli(t, envv, "staff", "add", "--commune", "mazan", "--email", "agent@mazan.example", "--role", "agent", "--name", "Cantine")
	if code != 0 || !strings.Contains(out, "Cantine (agent) in Commune de Mazan: set-password link queued for agent@mazan.example") ||
		!strings.Contains(out, "SMTP_HOST is not set") {
		t.Fatalf("staff add: %d\n%s\n%s", code, out, errs)
	}
	first := setPasswordLink.FindString(out)
	code, out, errs = cli(t, envv, "staff", "reset", "--commune", "mazan", "--email", "Agent@Mazan.example", "--role", "admin")
	second := setPasswordLink.FindString(out)
	if code != 0 || second == "" || second == first || !strings.Contains(out, "(admin)") {
		t.Fatalf("staff reset: %d\n%s\n%s", code, out, errs)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no commune", []string{"staff", "add", "--email", "x@mazan.example", "--role", "agent"}, "--commune is required"},
		{"no email", []string{"staff", "add", "--commune", "mazan", "--role", "agent"}, "--email is required"},
		{"no role", []string{"staff", "add", "--commune", "mazan", "--email", "x@mazan.example"}, "--role admin or --role agent is required"},
		{"bad role", []string{"staff", "add", "--commune", "mazan", "--email", "x@mazan.example", "--role", "maire"}, "--role must be admin or agent"},
		{"bad email", []string{"staff", "add", "--commune", "mazan", "--email", "pas une adresse", "--role", "agent"}, "adresse email valide"},
		{"line break in name", []string{"staff", "add", "--commune", "mazan", "--email", "x@mazan.example", "--role", "agent", "--name", "A\nB"}, "retour à la ligne"},
		{"already a member", []string{"staff", "add", "--commune", "mazan", "--email", "agent@mazan.example", "--role", "agent"}, "déjà celle d'un agent"},
		{"reset unknown member", []string{"staff", "reset", "--commune", "mazan", "--email", "x@mazan.example"}, "aucun agent"},
		{"unknown commune", []string{"staff", "add", "--commune", "gordes", "--email", "x@mazan.example", "--role", "agent"}, "commune introuvable: gordes"},
		{"create with a bad administrator", []string{"commune", "create", "--slug", "sault", "--name", "Sault", "--admin-email", "a@b@c"}, "adresse email valide"},
	} {
		if code, _, errs := cli(t, envv, tc.args...); code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errs, tc.want)
		}
	}

	env, c, done := backOffice(t, data)
	defer done()
	u, _ := url.Parse(first)
	if r := c.Get(u.Path); r.Status != http.StatusNotFound {
		t.Errorf("the replaced link still opens: %d", r.Status)
	}
	setPassword(t, c, second, "agent@mazan.example", "une phrase de passe solide")
	if r := c.Get("/mazan/admin/agents"); r.Status != http.StatusOK {
		t.Errorf("the member made administrator by staff reset cannot open the staff page: %d", r.Status)
	}
	if n := env.Count("mazan", `SELECT COUNT(*) FROM staff`); n != 2 {
		t.Errorf("%d staff members, want 2 (refused commands create nothing)", n)
	}
	if _, err := env.Registry.Commune(context.Background(), "sault"); err == nil {
		t.Error("commune create with a bad administrator created the commune")
	}
}

// Issue 9 item 10: a new commune had no school holidays until someone
// saved its zone again, so parents could book during Noël. It gets its
// zone's bundled holidays at creation; public holidays are computed.
func TestNewCommuneHasItsZoneHolidays(t *testing.T) {
	data := t.TempDir()
	if code, out, errs := cli(t, map[string]string{"ESPACEFAMILLE_DATA": data}, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan", "--zone", "B"); code != 0 {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	env, _, done := backOffice(t, data)
	defer done()
	err := env.Registry.WithCommune(context.Background(), "mazan", func(db *tenants.DB) error {
		cal, err := booking.LoadCalendar(context.Background(), db.Reader())
		if err != nil {
			return err
		}
		for _, tc := range []struct {
			day  string
			open bool
			kind calendar.ReasonKind
		}{
			{"2026-12-21", false, calendar.ReasonSchoolHoliday}, // Vacances de Noël, zone B
			{"2027-02-22", false, calendar.ReasonSchoolHoliday}, // Vacances d'Hiver, zone B
			{"2027-05-06", false, calendar.ReasonPublicHoliday}, // Ascension
			{"2026-12-07", true, calendar.ReasonNone},
		} {
			d, _ := calendar.ParseISO(tc.day)
			open, why := cal.DayStatus(d)
			if open != tc.open || why.Kind != tc.kind {
				t.Errorf("%s: open=%v (%+v), want open=%v (%v)", tc.day, open, why, tc.open, tc.kind)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
