package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"espacefamille/app"
	"espacefamille/app/demo"
	"espacefamille/app/platform"
)

var staffLinkRE = regexp.MustCompile(`https?://\S+/venasque/admin/mot-de-passe/[A-Za-z0-9_-]{43}`)

// Issue 12's journey: a provider administrator, created by the command
// line's code, chooses a password, enrols TOTP and logs in; onboards a
// collectivité by copying Malemort's configuration; the invitation mail is
// queued at once; the new administrator sets a password, logs in to their
// back office and finds Malemort's meals there.
func TestProviderOnboardsACommuneByCopy(t *testing.T) {
	t.Parallel()
	h := New(t)
	const pw = "une phrase de passe solide"
	tab := h.Tab(t, Desktop)
	enrolProvider(t, h, tab, pw)
	tab.Shot("plateforme-communes")

	tab.Click("Nouvelle collectivité")
	tab.Fill("Nom", "Commune de Venasque")
	tab.Fill("Adresse email du premier administrateur", "dgs@venasque.example")
	tab.Check("Copie d'une autre commune")
	tab.Fill("Commune copiée", demo.Slug)
	tab.A11y()
	tab.Shot("plateforme-nouvelle-collectivite")
	tab.Click("Créer la collectivité et inviter son administrateur")
	tab.See("La collectivité Commune de Venasque est créée (venasque). Invitation envoyée à dgs@venasque.example")
	tab.See("Renvoyer l'invitation à dgs@venasque.example")

	m, err := h.LastMail("venasque", "staff_invitation", "dgs@venasque.example")
	if err != nil {
		t.Fatalf("invitation mail: %v", err)
	}
	link := staffLinkRE.FindString(m.Text)
	if link == "" {
		t.Fatalf("no set-password link in:\n%s", m.Text)
	}
	u, _ := url.Parse(link)
	admin := h.Tab(t, Phone)
	admin.Go(u.Path)
	choosePasswordAndLogIn(admin, "dgs@venasque.example", pw)
	admin.See("Calendrier")
	admin.Click("Services")
	admin.Click("Voir les prestations")
	admin.See("REPAS VEGETARIEN")
	if !strings.Contains(admin.URL(), "/venasque/admin/") {
		t.Fatalf("the new administrator is at %s", admin.URL())
	}

	// The administrator registers a family with a child and invites it.
	const parentEmail = "famille.v@example.org"
	admin.Go("/venasque/admin/familles/nouvelle")
	admin.Fill("Nom de la famille", "FAMILLE V")
	admin.Fill("Email", parentEmail)
	admin.Click("Enregistrer")
	admin.Click("Ajouter un enfant")
	admin.Fill("Prénom", "Léa")
	admin.Fill("Nom", "FAMILLE V")
	admin.Fill("Date de naissance (JJ/MM/AAAA)", "12/03/2018")
	admin.Click("Enregistrer")
	admin.Click("Envoyer l'invitation (nouveau code)")
	inv2, err := h.LastMail("venasque", "invitation", parentEmail)
	if err != nil {
		t.Fatalf("family invitation: %v", err)
	}
	adhesion := adhesionCodeRE.FindStringSubmatch(inv2.Text)
	if adhesion == nil {
		t.Fatalf("no code d'adhésion in:\n%s", inv2.Text)
	}

	// The parent creates an account, joins with the code, books and pays.
	parent := h.Tab(t, Phone)
	signUpAndJoin(parent, "/venasque", parentEmail, pw, adhesion[1])
	parent.Click("Mes réservations")
	parent.ClickSel(freeMeal)
	parent.See("1 REPAS CLASSIQUE ENFANT")
	parent.Click("Valider")
	fillTestCard(parent, "4242 4242 4242 4242")
	parent.ClickSel(`main form button[type=submit]`)
	parent.See("Le résumé de votre paiement")
	parent.See("Commune de Venasque")
}

var adhesionCodeRE = regexp.MustCompile(`code d'adhésion[^:]*:\s*([A-Z0-9]{10})`)

// choosePasswordAndLogIn fills a set-password page (staff's or the
// console's, which read alike), then the log-in page it leads to.
// enrolProvider creates a provider administrator as the command line
// does, who chooses the password pw, enrols TOTP and reaches the console
// in tab.
func enrolProvider(t *testing.T, h *Harness, tab *Tab, pw string) {
	t.Helper()
	const email = "ops@hebergeur.example"
	inv, err := platform.Invite(context.Background(), h.Registry.Platform(), email, h.BaseURL, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tab.Go(inv.Link)
	choosePasswordAndLogIn(tab, email, pw)
	tab.See("Activer la double authentification")
	tab.A11y()
	tab.Shot("plateforme-activation")
	var secret string
	tab.Eval(`document.querySelector('main ol code').textContent.replaceAll(' ', '')`, &secret)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	tab.Fill("Code à 6 chiffres", code)
	tab.Click("Activer")
	tab.See("Ils ne seront plus jamais affichés")
	tab.Click("J'ai noté mes codes : aller à la console")
	tab.See(demo.Name)
	tab.A11y()
	tab.FitsWidth()
}

// A provider administrator backs a commune up from the console, is refused
// an archive without the slug typed, archives it with the slug; its
// parents then find a French "fermé" page. The list shows the fleet view
// and the figures.
func TestProviderBacksUpAndArchivesACommune(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := New(t, func(c *app.Config) { c.BackupDir = dir })
	tab := h.Tab(t, Desktop)
	enrolProvider(t, h, tab, "une phrase de passe solide")
	tab.See("Le parc")
	tab.See("Toutes les communes sont à jour")
	tab.See("Réservations (7 jours)")
	tab.Go("/plateforme/communes/" + demo.Slug)
	tab.See("Dernière sauvegarde")
	tab.Click("Sauvegarder maintenant")
	tab.See("Sauvegarde terminée")
	tab.See("il y a 0 min")
	label := "Pour archiver, tapez l'identifiant de la commune : " + demo.Slug
	tab.Fill(label, "malemort")
	tab.Click("Archiver la commune")
	tab.See("Tapez exactement l'identifiant « " + demo.Slug + " » pour confirmer.")
	tab.A11y()
	tab.Fill(label, demo.Slug)
	tab.Click("Archiver la commune")
	tab.See("La commune " + demo.Slug + " est archivée")
	tab.See("ses pages répondent « espace famille fermé »")
	tab.A11y()
	tab.FitsWidth()
	tab.Shot("plateforme-commune-archivee")

	parent := h.Tab(t, Phone)
	parent.Go(Commune + "/")
	parent.See("Cette commune n'utilise plus Espace Famille")
	parent.A11y()
	parent.FitsWidth()
}

func choosePasswordAndLogIn(tab *Tab, email, pw string) {
	tab.t.Helper()
	tab.Fill("Mot de passe (12 caractères au moins)", pw)
	tab.Fill("Confirmation du mot de passe", pw)
	tab.Click("Enregistrer")
	tab.See("Votre mot de passe est enregistré")
	tab.Fill("Adresse email", email)
	tab.Fill("Mot de passe", pw)
	tab.Click("Se connecter")
}
