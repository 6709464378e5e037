package accounts_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"espacefamille/app/accounts"
	"espacefamille/tenants"
)

// inviteFamilyX queues the invitation of FAMILLE X with a fresh code, as
// `espacefamille family invite` does, and returns the email received.
func (e *env) inviteFamilyX() (code string, text string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.reg.Commune(ctx, slugA)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.reg.WithCommune(ctx, slugA, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := accounts.InviteFamily(ctx, tx, c, 1, publicURL+"/"+slugA+"/", e.clock.Now())
			return err
		})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	m := e.lastMail("famille.x@example.org")
	if m.From == nil || m.From.Name != "Commune de Malemort du Comtat" {
		e.t.Errorf("invitation sender = %v, want the commune's name", m.From)
	}
	if !strings.Contains(m.HTML, "KUD31S77V7") && m.HTML == "" {
		e.t.Error("invitation has no HTML part")
	}
	got := regexp.MustCompile(`\(à utiliser APRES la création de votre compte\): ([A-Z0-9]{10})`).FindStringSubmatch(m.Text)
	if got == nil {
		e.t.Fatalf("no code in the invitation:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, got[1]) {
		e.t.Errorf("the HTML part lacks the code %s", got[1])
	}
	return got[1], m.Text
}

// The memento's "Création d'un compte", word for word, with real email.
func TestMementoJourneyWithRealEmail(t *testing.T) {
	e := newEnv(t)
	code, invitation := e.inviteFamilyX()
	mustContain(t, "invitation", invitation,
		"Bonjour FAMILLE X,",
		"Nous vous informons que vous pourrez dorénavant utiliser le service Espace Famille, pour les services de la collectivité Commune de Malemort du Comtat, afin de réaliser vos démarches. Pour cela, rendez-vous sur "+publicURL+"/malemort-du-comtat/",
		"Votre code d'adhésion (à utiliser APRES la création de votre compte): "+code,
		"Si vous ne voyez pas le mail, pensez à vérifier dans les Spam.")
	portal := linkIn(t, invitation, "/malemort-du-comtat/")

	p := e.client()
	r := p.get(portal)
	mustStatus(t, "home", r, http.StatusOK)
	mustContain(t, "home", r.Body, "Commune de Malemort du Comtat", "Je me connecte", `href="/malemort-du-comtat/connexion"`)
	r = p.get("/malemort-du-comtat/connexion")
	mustContain(t, "log-in", r.Body, "Mon compte", "Identifiant", "Mot de passe", "Je n'ai pas de compte", "Mot de passe oublié",
		`autocomplete="username"`, `autocomplete="current-password"`)
	r = p.get("/malemort-du-comtat/inscription")
	mustContain(t, "question", r.Body, "Possédez-vous déjà un compte pour Espace Famille ?", ">Oui</a>", ">Non</a>",
		`href="/malemort-du-comtat/connexion?suite=adhesion"`, `href="/malemort-du-comtat/inscription/formulaire"`)
	r = p.get("/malemort-du-comtat/inscription/formulaire")
	mustContain(t, "form", r.Body, "Civilité", "Nom", "Prénom", "Adresse email", "Confirmation de l'adresse email", "Mot de passe",
		"Confirmation du mot de passe", "Téléphone", "Adresse", "Code postal", "Commune", "Enregistrer",
		`name="consentement_factures" value="1" checked`, `name="consentement_espace" value="1" checked`)

	r = p.submit("/malemort-du-comtat/inscription/formulaire", "/malemort-du-comtat/inscription/formulaire", signupForm(" Parent.X@Example.ORG "))
	mustStatus(t, "Enregistrer", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "after Enregistrer", r.Body, "Si cette adresse n'est pas déjà utilisée, vous allez recevoir un courriel")

	m := e.lastMail("parent.x@example.org") // normalised address
	mustContain(t, "confirmation mail", m.Text, "Votre compte Espace Famille a bien été créé")
	if m.Subject != "Confirmez la création de votre compte Espace Famille" || m.From.Name != "Commune de Malemort du Comtat" {
		t.Errorf("confirmation mail: subject %q from %v", m.Subject, m.From)
	}
	confirm := linkIn(t, m.Text, "/malemort-du-comtat/confirmation/")
	if !strings.Contains(m.HTML, publicURL+confirm) {
		t.Error("the HTML part lacks the confirmation link")
	}
	r = p.get(confirm)
	mustStatus(t, "confirmation link", r, http.StatusSeeOther)
	if r.Location != "/malemort-du-comtat/connexion?suite=adhesion" {
		t.Fatalf("confirmation goes to %q", r.Location)
	}
	r = p.get(r.Location)
	mustContain(t, "after confirmation", r.Body, "Votre adresse email est confirmée")

	r = p.submit("/malemort-du-comtat/connexion?suite=adhesion", "/malemort-du-comtat/connexion",
		url.Values{"identifiant": {"PARENT.X@example.org"}, "mot_de_passe": {password}, "suite": {"adhesion"}})
	mustStatus(t, "log-in", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "code page", r.Body, "Saisissez le code d'adhésion", "Valider", "Ce code n'est valide qu'une seule fois.", "Y FAMILLE X")

	typed := strings.ToLower(code[:5]) + " " + code[5:] // any case, spaces tolerated
	r = p.submit("/malemort-du-comtat/adhesion", "/malemort-du-comtat/adhesion", url.Values{"code": {typed}})
	mustStatus(t, "Valider", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "adhésion window", r.Body, "Commune de Malemort du Comtat", ">Fermer</a>", `href="/malemort-du-comtat/famille"`)

	r = p.get("/malemort-du-comtat/famille")
	mustStatus(t, "personal space", r, http.StatusOK)
	mustContain(t, "personal space", r.Body, "FAMILLE X", "Actualités", "Mes réservations", "Mes factures",
		"Fille FAMILLE X", "Garçon FAMILLE X", "(28/11/2017 - Sans classe)", "L'actualité Famille", "Bienvenue sur votre espace famille",
		`aria-current="page">Actualités`)
	if n := e.count("", `SELECT COUNT(*) FROM memberships`); n != 1 {
		t.Errorf("memberships = %d, want 1", n)
	}

	// The seeded code was replaced by the invitation's: it no longer works.
	q := e.client()
	q.register("/malemort-du-comtat", "other@example.org")
	q.login("/malemort-du-comtat", "other@example.org", password)
	r = q.submit("/malemort-du-comtat/adhesion", "/malemort-du-comtat/adhesion", url.Values{"code": {"KUD31S77V7"}})
	mustStatus(t, "revoked seeded code", r, http.StatusUnprocessableEntity)
	// And the used code is refused to anyone else.
	r = q.submit("/malemort-du-comtat/adhesion", "/malemort-du-comtat/adhesion", url.Values{"code": {code}})
	mustStatus(t, "used code", r, http.StatusUnprocessableEntity)
	mustContain(t, "used code", r.Body, "Ce code n'est pas valable ou a déjà été utilisé")

	// Log-out ends the session for good: the old cookie is worth nothing.
	old := p.cookie("/malemort-du-comtat/", "ef_session")
	r = p.submit("/malemort-du-comtat/famille", "/malemort-du-comtat/deconnexion", nil)
	mustStatus(t, "log-out", r, http.StatusSeeOther)
	if n := e.count(slugA, `SELECT COUNT(*) FROM sessions WHERE account_id = 1`); n != 0 {
		t.Errorf("sessions after log-out = %d", n)
	}
	replay := e.client()
	replay.Jar.SetCookies(mustURL("http://localhost/malemort-du-comtat/"), []*http.Cookie{{Name: "ef_session", Value: old, Path: "/malemort-du-comtat/"}})
	r = replay.get("/malemort-du-comtat/famille")
	mustStatus(t, "replayed cookie", r, http.StatusSeeOther)
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }
