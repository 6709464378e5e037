package e2e

import (
	"context"
	"regexp"
	"testing"
	"time"

	"espacefamille/app/demo"
)

var codeRE = regexp.MustCompile(`\(à utiliser APRES la création de votre compte\): ([A-Z0-9]{10})`)

// The memento's "Création d'un compte" (issue 3): the invitation with its
// code, "Je me connecte", "Je n'ai pas de compte", "Non", the form,
// "Enregistrer", the confirmation link, the code d'adhésion, "Valider", the
// adhésion window, "Fermer", the personal space.
func TestAccountCreation(t *testing.T) {
	t.Parallel()
	for _, size := range Sizes {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t) // one server per size: the family's code works once
			if err := demo.QueueInvitation(context.Background(), h.Registry, h.URL(Commune+"/"), time.Now()); err != nil {
				t.Fatal(err)
			}
			email := "parent." + size.Name + "@example.org"
			const password = "une phrase de passe solide"
			tab := h.Tab(t, size)

			tab.Go(Commune + "/boite-mail-demo")
			tab.See("Bonjour FAMILLE X,")
			tab.See("Votre code d'adhésion (à utiliser APRES la création de votre compte): KUD31S77V7")
			var text string
			// The mailbox also holds the demo's other mails (a sample
			// reminder, the second guardian's invitation): read FAMILLE X's.
			tab.Eval(`[...document.querySelectorAll('.mailbox-body')].map(e => e.textContent).find(t => t.includes('Bonjour FAMILLE X,')) || ''`, &text)
			m := codeRE.FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("no code in the invitation:\n%s", text)
			}
			tab.Shot("01-invitation")
			tab.Click(h.URL(Commune + "/")) // the link in the email

			tab.See("Je me connecte")
			tab.Shot("02-accueil")
			tab.Click("Je me connecte")
			tab.See("Mon compte")
			tab.See("Identifiant")
			tab.See("Mot de passe oublié")
			tab.Shot("03-mon-compte")
			tab.Click("Je n'ai pas de compte")
			tab.See("Possédez-vous déjà un compte pour Espace Famille ?")
			tab.Shot("04-possedez-vous-un-compte")
			tab.Click("Non")

			tab.See("Créer mon compte")
			fillSignUp(tab, email, "court")
			tab.Shot("05-formulaire")
			tab.Click("Enregistrer")
			tab.See("Le mot de passe doit comporter au moins 12 caractères.")
			tab.Shot("06-formulaire-erreur")
			tab.Fill("Mot de passe", password)
			tab.Fill("Confirmation du mot de passe", password)
			tab.Click("Enregistrer")
			tab.See("Si cette adresse n'est pas déjà utilisée, vous allez recevoir un courriel")
			tab.Shot("07-demande-enregistree")

			tab.Click("boîte mail de démonstration")
			tab.See("Confirmez la création de votre compte Espace Famille")
			tab.Shot("08-courriel-confirmation")
			tab.Go(mailLink(tab, email, "/confirmation/"))
			tab.See("Votre adresse email est confirmée")
			tab.Fill("Identifiant", email)
			tab.Fill("Mot de passe", password)
			tab.Shot("09-connexion")
			tab.Click("Se connecter")

			tab.See("Saisissez le code d'adhésion")
			tab.See("Ce code n'est valide qu'une seule fois.")
			// The hint gives the format, not another family's code.
			tab.See("10 lettres et chiffres")
			tab.NotSee(m[1])
			tab.Fill("Code d'adhésion", m[1])
			tab.Shot("10-code-adhesion")
			tab.Click("Valider")

			tab.See("Mes adhésions")
			tab.See("Commune de Malemort du Comtat")
			tab.Shot("11-fenetre-adhesion")
			tab.Click("Fermer")

			tab.See("Actualités")
			tab.See("Mes réservations")
			tab.See("Mes factures")
			tab.See("Fille FAMILLE X")
			tab.See("(28/11/2017 - Sans classe)")
			tab.Shot("12-espace-personnel")
		})
	}
}
