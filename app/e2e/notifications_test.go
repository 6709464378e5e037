package e2e

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/app/notify"
	"espacefamille/app/reminder"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// sendDueReminders runs the demo commune's reminder pass at the moment
// Fille's reminder falls due (the evening before the next cut-off), as
// the background job would, with links to the test's server.
func sendDueReminders(t *testing.T, h *Harness) {
	t.Helper()
	ctx := context.Background()
	com, err := h.Registry.Commune(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	err = h.Registry.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		q := db.Reader()
		cal, err := booking.LoadCalendar(ctx, q)
		if err != nil {
			return err
		}
		prestations, err := booking.AllPrestations(ctx, q)
		if err != nil {
			return err
		}
		children, err := families.AllChildren(ctx, q)
		if err != nil {
			return err
		}
		var fille families.Child
		for _, ch := range children {
			if ch.FirstName == "Fille" {
				fille = ch
			}
		}
		now := time.Now()
		for w := 1; w <= reminder.Weeks; w++ {
			d, ok := reminder.Cutoff(prestations, fille, calendar.Today(now).Monday().AddDays(7*w), cal, now)
			if !ok {
				continue
			}
			at := notify.Defaults.SendAt(d.At)
			if at.Before(now) {
				at = now
			}
			res, err := reminder.Commune(ctx, db, h.Registry.Platform().Reader(), com,
				func(c tenants.Commune, p string) string { return web.CommuneURL(h.BaseURL, c, p) }, at)
			if err == nil && res.Reminded == 0 {
				t.Fatalf("nobody reminded at %v", at)
			}
			return err
		}
		t.Fatal("Fille can book no week")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Notifications (issue 14): a parent chooses the emails on Mon compte,
// receives the booking cut-off reminder, and stops it from the email's
// unsubscribe page, without being logged in; on a phone, a desktop and
// without JavaScript.
func TestNotificationChoicesAndUnsubscribe(t *testing.T) {
	asDemoParent(t, "notifications", demo.AdhesionCode, []Size{Phone, Desktop, Desktop.WithoutJS()}, func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Mon compte")
		tab.See("Mes notifications")
		tab.Uncheck("Nouvelle facture")
		tab.Click("Enregistrer mes choix")
		tab.See("Vos choix de notifications sont enregistrés.")
		var ticked []bool
		tab.Eval(`[...document.querySelectorAll('input[name=notification]')].map(b => b.checked)`, &ticked)
		if len(ticked) != 3 || !ticked[0] || ticked[1] || !ticked[2] {
			t.Fatalf("boxes ticked after saving: %v, want reminder and payment only", ticked)
		}
		tab.Layout()
		tab.Shot("01-mes-notifications")

		sendDueReminders(t, h)
		tab.Go(Commune + "/boite-mail-demo")
		tab.See("Rien n'est réservé pour Fille la semaine du")
		tab.See("réservations ouvertes jusqu'au")
		link := mailLink(tab, email, "/desabonnement?jeton=")

		// The email's link works without a session (another browser).
		anon := h.Tab(t, tab.Size())
		anon.Go(link)
		anon.See("Ne plus recevoir ces emails ?")
		anon.See("« Rappel avant la date limite de réservation »")
		anon.Layout()
		anon.Shot("02-desabonnement")
		anon.Click("Ne plus recevoir ces emails")
		anon.See("Désabonnement confirmé")
		anon.See("ne recevra plus les emails « Rappel avant la date limite de réservation »")
		anon.Layout()
		anon.Shot("03-desabonne")

		tab.Go(Commune + "/mon-compte")
		tab.Eval(`[...document.querySelectorAll('input[name=notification]')].map(b => b.checked)`, &ticked)
		if len(ticked) != 3 || ticked[0] || ticked[1] || !ticked[2] {
			t.Errorf("Mon compte after the unsubscribe link: %v, want the payment notice only", ticked)
		}
	})
}

// The back office's notification settings: a wrong time is refused in
// French beside its field, a right one saved.
func TestBackOfficeNotificationSettings(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Phone, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t)
			tab := h.Tab(t, size)
			adminLogin(tab)
			tab.Click("Notifications")
			tab.See("Notifications aux familles")
			tab.Layout()
			tab.Shot("01-notifications")
			tab.Uncheck("Paiement refusé ou abandonné")
			tab.Fill("Heure d'envoi (HH:MM)", "25:00")
			tab.Click("Enregistrer")
			tab.See("Indiquez l'heure d'envoi du rappel au format HH:MM, par exemple 18:00.")
			tab.Layout()
			tab.Shot("02-erreur")
			tab.Fill("Heure d'envoi (HH:MM)", "17h30")
			tab.Fill("Nombre de jours avant le jour de la date limite", "2")
			tab.Click("Enregistrer")
			tab.See("Notifications enregistrées.")
			var got []string
			tab.Eval(`[document.getElementById('heure_rappel').value, document.getElementById('jours_avant').value, String(document.getElementById('paiement_echoue').checked)]`, &got)
			if len(got) != 3 || got[0] != "17:30" || got[1] != "2" || got[2] != "false" {
				t.Errorf("saved form reads %v", got)
			}
		})
	}
}
