package e2e

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Mon compte (issue 14): a parent changes the address through the link
// sent to the new one, the phone and the password, and sees the communes
// of the account; on a phone and on a desktop.
func TestMonCompte(t *testing.T) {
	asNewParent(t, "compte", func(t *testing.T, _ *Harness, tab *Tab, email string) {
		newEmail := "nouveau." + strings.TrimPrefix(email, "compte.")
		const password = "une phrase de passe solide"

		tab.Click("Mon compte")
		tab.See("Vous vous connectez avec " + email)
		tab.See("Commune de Malemort du Comtat (commune actuelle)")
		tab.Layout()
		tab.Shot("01-mon-compte")

		tab.Fill("Nouvelle adresse email", newEmail)
		tab.Fill("Mot de passe de votre compte", "pas le bon mot de passe")
		tab.Click("Changer d'adresse email")
		tab.See("Mot de passe incorrect.")
		tab.Shot("02-email-erreur")
		tab.Fill("Mot de passe de votre compte", password)
		tab.Click("Changer d'adresse email")
		tab.See("Un lien de confirmation vient d'être envoyé à " + newEmail)
		tab.See("Vous vous connectez avec " + email)
		tab.Shot("03-lien-envoye")

		tab.Go(Commune + "/boite-mail-demo")
		tab.Go(mailLink(tab, newEmail, "/mon-compte/email/"))
		tab.See("utilisera désormais l'adresse " + newEmail)
		tab.Layout()
		tab.Shot("04-confirmer")
		tab.Click("Confirmer ma nouvelle adresse")
		tab.See("Votre nouvelle adresse email est enregistrée.")
		tab.See("Vous vous connectez avec " + newEmail)

		tab.Fill("Numéro de téléphone", "+33 7 01 02 03 04")
		tab.Click("Enregistrer")
		tab.See("Votre numéro de téléphone est enregistré.")

		const newPassword = "une nouvelle phrase de passe"
		tab.Fill("Mot de passe actuel", password)
		tab.Fill("Nouveau mot de passe", newPassword)
		tab.Fill("Confirmation du nouveau mot de passe", newPassword)
		tab.Click("Changer de mot de passe")
		tab.See("Votre mot de passe est modifié. Vos autres sessions ont été fermées.")
		tab.Layout()
		tab.Shot("05-enregistre")

		tab.Go(Commune + "/boite-mail-demo")
		tab.See("vient d'être remplacée par " + newEmail)
	})
}

// "Ajouter à mon agenda" (issue 14): the family's secret calendar link
// serves its bookings to a calendar application, until it is revoked.
func TestFamilyCalendarLink(t *testing.T) {
	asNewParent(t, "agenda", func(t *testing.T, h *Harness, tab *Tab, _ string) {
		day := calendar.Today(time.Now()).AddDays(5)
		bookFamilyX(t, h, day)

		tab.Click("Ajouter mes réservations à mon agenda")
		tab.See("Un lien secret permet à l'agenda de votre téléphone")
		tab.Click("Ajouter à mon agenda")
		tab.See("Copiez-le maintenant")
		tab.See("Ouvrir dans mon agenda")
		tab.Layout()
		tab.Shot("01-lien-agenda")
		var link string
		tab.Eval(`document.getElementById('lien-agenda').value`, &link)

		status, body := get(t, link)
		if status != http.StatusOK || !strings.Contains(body, "SUMMARY:REPAS CLASSIQUE ENFANT – Fille\r\n") ||
			!strings.Contains(body, "DTSTART;VALUE=DATE:"+strings.ReplaceAll(day.String(), "-", "")+"\r\n") {
			t.Fatalf("feed: %d\n%s", status, body)
		}

		tab.Go(Commune + "/mon-compte")
		tab.See("Un lien d'agenda est actif depuis le")
		tab.Click("Révoquer le lien")
		tab.See("Le lien d'agenda est révoqué")
		tab.Layout()
		tab.Shot("02-lien-revoque")
		if status, _ := get(t, link); status != http.StatusNotFound {
			t.Errorf("revoked link answers %d", status)
		}
	})
}

// bookFamilyX records a validated meal for Fille FAMILLE X on day, as a
// paid cart leaves it.
func bookFamilyX(t *testing.T, h *Harness, day calendar.Date) {
	t.Helper()
	ctx := context.Background()
	err := h.Registry.WithCommune(ctx, "malemort-du-comtat", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
				SELECT c.family_id, c.id, p.id, p.regie_id, ?, 'validated', 255, ?, ?
				FROM children c, prestations p WHERE c.first_name = 'Fille' AND p.name = 'REPAS CLASSIQUE ENFANT'`,
				day.String(), tenants.FormatTime(time.Now()), tenants.FormatTime(time.Now()))
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
