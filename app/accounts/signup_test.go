package accounts_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"espacefamille/app/mail"
)

func TestSignupFormErrorsKeepValuesButNeverThePassword(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		change map[string]string
		field  string // the field that must be marked invalid
		msg    string
	}{
		{"no civility", map[string]string{"civilite": ""}, "civilite", "Choisissez votre civilité."},
		{"no last name", map[string]string{"nom": "  "}, "nom", "Saisissez votre nom."},
		{"bad email", map[string]string{"email": "parent@", "email_confirmation": "parent@"}, "email", "Saisissez une adresse email valide"},
		{"emails differ", map[string]string{"email_confirmation": "autre@example.org"}, "email_confirmation", "Les deux adresses email ne sont pas identiques."},
		{"password too short", map[string]string{"mot_de_passe": "court", "mot_de_passe_confirmation": "court"}, "mot_de_passe", "au moins 12 caractères"},
		{"passwords differ", map[string]string{"mot_de_passe_confirmation": "une autre phrase longue"}, "mot_de_passe_confirmation", "Les deux mots de passe ne sont pas identiques."},
		{"bad phone", map[string]string{"telephone": "06 12"}, "telephone", "de 10 à 15 chiffres"},
		{"bad postal code", map[string]string{"code_postal": "8457"}, "code_postal", "5 chiffres"},
		{"no city", map[string]string{"ville": ""}, "ville", "Saisissez votre commune."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := signupForm("parent@example.org")
			for k, v := range tc.change {
				form.Set(k, v)
			}
			p := e.client()
			r := p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", form)
			mustStatus(t, tc.name, r, http.StatusUnprocessableEntity)
			if !regexp.MustCompile(`aria-describedby="[^"]*\b` + tc.field + `-erreur"`).MatchString(r.Body) {
				t.Errorf("the field is not described by its error")
			}
			mustContain(t, tc.name, r.Body, tc.msg, `id="`+tc.field+`-erreur"`, `href="#`+tc.field+`"`,
				`value="1 chemin des Écoliers"`, `value="Y"`) // typed values kept
			if tc.field != "civilite" && !strings.Contains(r.Body, `aria-invalid="true"`) {
				t.Error("no field marked aria-invalid")
			}
			if strings.Contains(r.Body, form.Get("mot_de_passe")) || strings.Contains(r.Body, password) {
				t.Error("the password is sent back in the page")
			}
		})
	}
	if n := e.count("", `SELECT COUNT(*) FROM accounts`); n != 0 {
		t.Fatalf("%d accounts created from invalid forms", n)
	}
}

func TestUsedEmailGetsTheSameAnswerAndANotice(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	first := p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("p@example.org"))
	second := e.client().submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm(" P@EXAMPLE.org"))
	if first.Status != second.Status || first.Location != second.Location {
		t.Fatalf("answers differ: %d %q vs %d %q", first.Status, first.Location, second.Status, second.Location)
	}
	if n := e.count("", `SELECT COUNT(*) FROM accounts`); n != 1 {
		t.Fatalf("accounts = %d, want 1", n)
	}
	e.flush()
	var kinds []string
	for _, m := range e.smtp.Messages() {
		kinds = append(kinds, m.Subject)
	}
	if len(kinds) != 2 || kinds[1] != "Votre compte Espace Famille" {
		t.Fatalf("mails %q: want the confirmation then the notice", kinds)
	}
	notice := e.smtp.Messages()[1].Text
	mustContain(t, "notice", notice, "Un compte existe déjà pour cette adresse", publicURL+pathA+"/mot-de-passe-oublie")
}

func TestUnconfirmedAccountCannotLogIn(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("p@example.org"))
	first := linkIn(t, e.lastMail("p@example.org").Text, "/confirmation/")
	r := p.login(pathA, "p@example.org", password)
	mustStatus(t, "unconfirmed", r, http.StatusForbidden)
	mustContain(t, "unconfirmed", r.Body, "pas encore confirmée")
	// The first link expired: a log-in with the right password sends another.
	e.clock.Advance(2 * time.Hour)
	mustStatus(t, "expired link", p.get(first), http.StatusNotFound)
	mustStatus(t, "unconfirmed again", p.login(pathA, "p@example.org", password), http.StatusForbidden)
	second := linkIn(t, e.lastMail("p@example.org").Text, "/confirmation/")
	if second == first {
		t.Fatal("no new confirmation link")
	}
	mustStatus(t, "wrong password sends nothing", p.login(pathA, "p@example.org", "pas le bon mot de passe"), http.StatusUnauthorized)
	mustStatus(t, "confirm", p.get(second), http.StatusSeeOther)
	mustStatus(t, "confirmed", p.login(pathA, "p@example.org", password), http.StatusSeeOther)
}

func TestSMTPDownThenUpDeliversOnce(t *testing.T) {
	e := newEnv(t)
	e.smtp.Stop()
	p := e.client()
	p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("p@example.org"))
	if c := e.flush(); c.Sent != 0 || c.Retried != 1 {
		t.Fatalf("while down: %+v", c)
	}
	if n := e.count("", `SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND kind = 'confirmation'`); n != 1 {
		t.Fatalf("pending confirmation mails = %d", n)
	}
	if err := e.smtp.Restart(); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(mail.Backoff(1) * 2)
	if c := e.flush(); c.Sent != 1 {
		t.Fatalf("after restart: %+v", c)
	}
	e.clock.Advance(10 * time.Minute)
	e.flush()
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("delivered %d times, want once", n)
	}
	r := p.get(linkIn(t, e.smtp.Messages()[0].Text, "/confirmation/"))
	mustStatus(t, "late link still works", r, http.StatusSeeOther)
}

func TestDemoMailboxExistsOnlyInDemoMode(t *testing.T) {
	prod := newEnv(t)
	mustStatus(t, "production", prod.client().get(pathA+"/boite-mail-demo"), http.StatusNotFound)

	demo := newEnvMode(t, true)
	p := demo.client()
	p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("p@example.org"))
	r := p.get(pathA + "/boite-mail-demo")
	mustStatus(t, "demo", r, http.StatusOK)
	mustContain(t, "demo mailbox", r.Body, "Confirmez la création de votre compte Espace Famille",
		`<a href="`+publicURL+pathA+`/confirmation/`)
	mustContain(t, "footer", p.get(pathA+"/").Body, `href="/malemort-du-comtat/boite-mail-demo"`)
	_ = url.Values{}
}

// Issue 9 item 16: a commune's demo mailbox used to list the whole
// platform outbox, so /beta/boite-mail-demo showed a Malemort parent's
// confirmation and reset links. Each commune's page shows its own mail.
func TestDemoMailboxShowsOnlyTheCommunesMail(t *testing.T) {
	e := newEnvMode(t, true)
	p := e.client()
	p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("malemort@example.org"))
	p.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"malemort@example.org"}})
	q := e.client()
	q.submit("/beta/inscription/formulaire", "/beta/inscription/formulaire", signupForm("beta@example.org"))

	a := p.get(pathA + "/boite-mail-demo")
	mustContain(t, "Malemort's mailbox", a.Body, "malemort@example.org", pathA+"/confirmation/")
	b := q.get("/beta/boite-mail-demo")
	mustContain(t, "Bêta's mailbox", b.Body, "beta@example.org", "/confirmation/")
	for _, leak := range []string{"malemort@example.org", pathA + "/confirmation/", pathA + "/mot-de-passe/"} {
		if strings.Contains(b.Body, leak) {
			t.Errorf("Bêta's demo mailbox shows Malemort's mail (%q)", leak)
		}
	}
	if strings.Contains(a.Body, "beta@example.org") {
		t.Error("Malemort's demo mailbox shows Bêta's mail")
	}
}
