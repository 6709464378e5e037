package accounts_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/auth"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

func TestPasswordResetEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	phone := e.linked("p@example.org")
	laptop := e.client()
	mustStatus(t, "second device", laptop.login(pathA, "p@example.org", password), http.StatusSeeOther)
	onB := e.client() // the same account, logged in on another commune
	mustStatus(t, "log-in on B", onB.login("/beta", "p@example.org", password), http.StatusSeeOther)
	mustStatus(t, "B before", onB.get("/beta/adhesion"), http.StatusOK)

	e.clock.Advance(time.Minute) // sessions opened before the reset
	forgetful := e.client()
	r := forgetful.get(pathA + "/connexion")
	mustContain(t, "log-in", r.Body, `href="/malemort-du-comtat/mot-de-passe-oublie"`)
	r = forgetful.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"P@example.org "}})
	mustStatus(t, "forgot", r, http.StatusOK)
	mustContain(t, "forgot", r.Body, "Si un compte existe pour cette adresse")
	m := e.lastMail("p@example.org")
	if m.Subject != "Réinitialisation de votre mot de passe Espace Famille" {
		t.Errorf("subject %q", m.Subject)
	}
	mustContain(t, "reset mail", m.Text, "valable une heure et une seule fois")
	link := linkIn(t, m.Text, pathA+"/mot-de-passe/")
	if !strings.Contains(m.HTML, publicURL+link) {
		t.Error("the HTML part lacks the reset link")
	}

	mustStatus(t, "open link", forgetful.get(link), http.StatusOK)
	mustStatus(t, "opening twice spends nothing", forgetful.get(link), http.StatusOK)
	const newPassword = "un tout nouveau mot de passe"
	r = forgetful.submit(link, link, url.Values{"mot_de_passe": {"court"}, "mot_de_passe_confirmation": {"court"}})
	mustStatus(t, "short password", r, http.StatusUnprocessableEntity)
	mustContain(t, "short password", r.Body, "au moins 12 caractères")
	r = forgetful.submit(link, link, url.Values{"mot_de_passe": {newPassword}, "mot_de_passe_confirmation": {newPassword}})
	mustStatus(t, "reset", r, http.StatusSeeOther)
	mustStatus(t, "the resetting browser is logged in", forgetful.get(pathA+"/famille"), http.StatusOK)

	for name, cl := range map[string]*client{"phone": phone, "laptop": laptop} {
		r := cl.get(pathA + "/famille")
		mustStatus(t, name+" after reset", r, http.StatusSeeOther)
		if !strings.HasSuffix(r.Location, "/connexion") {
			t.Errorf("%s sent to %q", name, r.Location)
		}
	}
	mustStatus(t, "B after reset", onB.get("/beta/adhesion"), http.StatusSeeOther)

	mustStatus(t, "link reused", forgetful.get(link), http.StatusNotFound)
	mustStatus(t, "old password", e.client().login(pathA, "p@example.org", password), http.StatusUnauthorized)
	mustStatus(t, "new password", e.client().login(pathA, "p@example.org", newPassword), http.StatusSeeOther)
}

func TestResetLinkExpiresAfterAnHour(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	p.register(pathA, "p@example.org")
	p.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"p@example.org"}})
	link := linkIn(t, e.lastMail("p@example.org").Text, "/mot-de-passe/")
	e.clock.Advance(61 * time.Minute)
	mustStatus(t, "expired link", p.get(link), http.StatusNotFound)
}

func TestForgotPasswordIsNeutral(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	p.register(pathA, "p@example.org")
	known := p.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"p@example.org"}})
	unknown := p.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"nobody@example.org"}})
	if known.Status != unknown.Status || stripCSRF(known.Body) != stripCSRF(unknown.Body) {
		t.Fatal("the answer tells whether an account exists")
	}
	e.flush()
	for _, m := range e.smtp.Messages() {
		if m.EnvelopeTo[0] == "nobody@example.org" {
			t.Fatal("a mail was sent to an address without an account")
		}
	}
}

func stripCSRF(s string) string { return csrfRE.ReplaceAllString(s, "") }

// The code hint shows the format, not a code: "par exemple KUD31S77V7" was
// the demo family's own code, printed for every commune.
func TestAdhesionHintShowsTheFormatNotACode(t *testing.T) {
	e := newEnv(t)
	e.linked("p@example.org")
	onB := e.client() // the same account, on a commune it is not linked to
	mustStatus(t, "log-in on B", onB.login("/beta", "p@example.org", password), http.StatusSeeOther)
	r := onB.get("/beta/adhesion")
	mustStatus(t, "adhesion page", r, http.StatusOK)
	mustContain(t, "adhesion page", r.Body, "10 lettres et chiffres")
	r = onB.submit("/beta/adhesion", "/beta/adhesion", url.Values{"code": {"KUD31"}})
	mustStatus(t, "short code", r, http.StatusUnprocessableEntity)
	mustContain(t, "short code", r.Body, "comporte 10 lettres et chiffres", "recopiez-le tel qu'il figure sous « Votre code d'adhésion »")
	for _, page := range []string{e.client().get(pathA + "/").Body, onB.get("/beta/adhesion").Body, r.Body} {
		if strings.Contains(page, "KUD31S77V7") {
			t.Error("a page prints the demo family's code as an example")
		}
	}
}

// A parent of two communes finds "Mes communes" in the account menu, and
// there a link to each other commune's family space; with one commune the
// menu does not offer it.
func TestMesCommunesForAParentOfSeveralCommunes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	onA := e.linked("p@example.org")
	home := onA.get(pathA + "/famille")
	mustStatus(t, "family space", home, http.StatusOK)
	if strings.Contains(home.Body, "Mes communes") {
		t.Error("an account of one commune is offered \"Mes communes\"")
	}

	var code string
	err := e.reg.WithCommune(ctx, slugB, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) (err error) {
			code, err = families.IssueCode(ctx, tx, 1, "")
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	onB := e.client()
	mustStatus(t, "log-in on B", onB.login("/beta", "p@example.org", password), http.StatusSeeOther)
	mustStatus(t, "adhesion on B", onB.submit("/beta/adhesion", "/beta/adhesion", url.Values{"code": {code}}), http.StatusSeeOther)

	home = onA.get(pathA + "/famille")
	mustContain(t, "family space", home.Body, `<a href="/malemort-du-comtat/mes-communes">Mes communes</a>`)
	r := onA.get(pathA + "/mes-communes")
	mustStatus(t, "Mes communes", r, http.StatusOK)
	mustContain(t, "Mes communes", r.Body, "<h1>Mes communes</h1>",
		`<a href="/malemort-du-comtat/famille" aria-current="page">Commune de Malemort du Comtat</a> (commune actuelle)`,
		`<a href="https://`+hostB+`/famille">Commune de Bêta</a>`)
	// From B, reached by its path prefix, A (no host name) is on the same node.
	r = onB.get("/beta/mes-communes")
	mustContain(t, "Mes communes on B", r.Body, `<a href="/malemort-du-comtat/famille">Commune de Malemort du Comtat</a>`)
	mustStatus(t, "logged out", e.client().get(pathA+"/mes-communes"), http.StatusSeeOther)
}

// The sign-up confirmation and reset links are stored as every token is,
// in app/auth's form (auth.HashToken): the database holds the hash, never
// the token, and no second format exists to fall back to.
func TestConfirmationAndResetLinksAreStoredInAuthsFormat(t *testing.T) {
	e := newEnv(t)
	p := e.client()
	r := p.submit(pathA+"/inscription/formulaire", pathA+"/inscription/formulaire", signupForm("p@example.org"))
	mustStatus(t, "sign-up", r, http.StatusSeeOther)
	confirm := linkIn(t, e.lastMail("p@example.org").Text, "/confirmation/")
	mustStatus(t, "confirmation link", p.get(confirm), http.StatusSeeOther)
	p.submit(pathA+"/mot-de-passe-oublie", pathA+"/mot-de-passe-oublie", url.Values{"identifiant": {"p@example.org"}})
	reset := linkIn(t, e.lastMail("p@example.org").Text, "/mot-de-passe/")
	for _, l := range []struct{ purpose, link string }{{"confirm", confirm}, {"reset", reset}} {
		token := l.link[strings.LastIndex(l.link, "/")+1:]
		if !auth.ValidToken(token) {
			t.Fatalf("%s link %q: not a token of auth.NewToken", l.purpose, l.link)
		}
		if n := e.count("", `SELECT COUNT(*) FROM account_tokens WHERE token_hash = ? AND purpose = ?`, auth.HashToken(token), l.purpose); n != 1 {
			t.Errorf("%s link: %d rows stored under auth.HashToken, want 1", l.purpose, n)
		}
		if n := e.count("", `SELECT COUNT(*) FROM account_tokens WHERE token_hash LIKE '%' || ? || '%'`, token); n != 0 {
			t.Errorf("%s link: the token is stored as is", l.purpose)
		}
	}
}
