package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// backOfficeSetup gives the demo commune what the back office's day shows:
// Fille FAMILLE X has a PAI, both children a meal today, FAMILLE X an
// invoice en cours of 15,30 € and an email that could not be delivered.
// It returns the boy's id and a school day with meals at least a week
// ahead that is not the demo's closure.
func backOfficeSetup(t *testing.T, h *Harness) (boy int64, strike calendar.Date) {
	t.Helper()
	ctx := context.Background()
	today := calendar.Today(time.Now())
	err := h.Registry.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			steps := []struct {
				q    string
				args []any
			}{
				{`UPDATE children SET pai = 1, class_name = 'CP' WHERE first_name = 'Fille'`, nil},
				{`UPDATE children SET class_name = 'CP' WHERE first_name = 'Garçon'`, nil},
				{`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
					SELECT ch.family_id, ch.id, p.id, p.regie_id, ch.school_id, ?, 'validated', 255, 'e2e', 'e2e'
					FROM children ch, prestations p WHERE p.name = 'REPAS CLASSIQUE ENFANT'`, []any{today.String()}},
				{`INSERT INTO invoices (regie_id, family_id, number, year, seq, status, issued_on, period_start, period_end, total_cents, created_at)
					SELECT r.id, f.id, 'GA-E2E-1', 2026, 1, 'open', ?, ?, ?, 1530, 'e2e' FROM regies r, families f
					WHERE r.mode = 'postpaid' AND f.name = 'FAMILLE X'`, []any{today.String(), today.String(), today.String()}},
				{`INSERT INTO outbox (kind, to_addr, to_name, subject, text_body, html_body, status, attempts, next_attempt_at, last_error, created_at)
					VALUES ('invoice_available', 'adresse.fausse@example.invalid', 'FAMILLE X', 'Nouvelle facture', 't', 'h', 'failed', 8,
					'2026-01-01T00:00:00Z', '550 boîte inconnue', '2026-01-01T00:00:00Z')`, nil},
			}
			for _, s := range steps {
				if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
					return fmt.Errorf("%w\n%s", err, s.q)
				}
			}
			if err := tx.QueryRowContext(ctx, `SELECT id FROM children WHERE first_name = 'Garçon'`).Scan(&boy); err != nil {
				return err
			}
			cal, err := booking.LoadCalendar(ctx, tx)
			if err != nil {
				return err
			}
			meals := calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
			for strike = today.AddDays(7); !cal.IsOpen(strike) || !meals.Has(strike.Weekday()); strike = strike.AddDays(1) {
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return boy, strike
}

// attendanceOf reads a child's pointage of today ("" when none).
func attendanceOf(t *testing.T, h *Harness, child int64) string {
	t.Helper()
	ctx := context.Background()
	var status string
	err := h.Registry.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		err := db.R.QueryRowContext(ctx, `SELECT status FROM attendance WHERE child_id = ? AND day = ?`,
			child, calendar.Today(time.Now()).String()).Scan(&status)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// The mairie's back office on a desk and on a phone (issue 13): the home
// page's figures, each a link; a canteen strike that closes the meals and
// not the garderie (preview → confirm); the journal in French with its
// filters; the pointage of a class, all present at once and then the
// exceptions, with the PAI flag. Every page passes the general layout
// checks (no sideways scrolling, no word broken); without JavaScript too.
func TestBackOffice(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Phone, Desktop, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t)
			boy, strike := backOfficeSetup(t, h)
			tab := h.Tab(t, size)
			adminLogin(tab)

			// Home: the day's figures.
			tab.See("Les chiffres du jour")
			tab.See("Paniers non validés : 0")
			tab.See("Factures impayées : 1")
			tab.See("Reste à payer : " + calendar.FormatEuros(1530))
			tab.See("Emails non remis : 1")
			tab.See("Aucun import pour l'instant.")
			tab.Shot("01-accueil-chiffres")
			tab.ClickSel("#fig-unpaid a")
			tab.See("GA-E2E-1")
			tab.Shot("02-factures-impayees")
			tab.Click("Accueil")
			tab.ClickSel("#fig-mails a")
			tab.See("550 boîte inconnue")
			tab.Shot("03-emails-non-remis")
			tab.Click("Renvoyer à adresse.fausse@example.invalid")
			tab.See("L'email à adresse.fausse@example.invalid est de nouveau en file d'envoi.")

			// A canteen strike: the meals close, the garderie stays open.
			tab.Click("Calendrier")
			tab.Fill("Date (JJ/MM/AAAA)", strike.FR())
			tab.Fill("Motif", "Grève cantine")
			tab.Check("REPAS CLASSIQUE ENFANT")
			tab.Check("REPAS VEGETARIEN")
			tab.Shot("04-fermeture-cantine")
			tab.Click("Voir les familles concernées")
			tab.See("Concerne : REPAS CLASSIQUE ENFANT, REPAS VEGETARIEN.")
			tab.Shot("05-fermeture-apercu")
			tab.Click("Confirmer la fermeture")
			tab.See("Fermeture du " + strike.FR() + " enregistrée")
			tab.See(strike.FR() + " : Grève cantine – REPAS CLASSIQUE ENFANT, REPAS VEGETARIEN")
			tab.Shot("06-fermeture-partielle")

			// The journal, in French, filtered.
			tab.Click("Journal")
			tab.See("Création de la fermeture du " + strike.FR())
			tab.See("Motif : Grève cantine")
			tab.See("Nouvel envoi de l'email n° ")
			tab.NotSee("create closure")
			tab.Shot("07-journal")
			tab.Fill("Objet", "Fermetures")
			tab.Fill("Du (JJ/MM/AAAA)", calendar.Today(time.Now()).FR())
			tab.Click("Filtrer")
			tab.See("Création de la fermeture du " + strike.FR())
			tab.NotSee("Nouvel envoi de l'email")
			tab.Shot("08-journal-filtre")
			tab.Fill("Du (JJ/MM/AAAA)", "demain")
			tab.Click("Filtrer")
			tab.See("La date de début doit être au format JJ/MM/AAAA")
			tab.Shot("09-journal-date-invalide")

			// Pointage: the class, all present, then the exception.
			tab.Click("Pointage")
			tab.Fill("Prestation", "REPAS CLASSIQUE ENFANT")
			tab.Fill("Classe", "École de Malemort du Comtat – CP")
			tab.Click("Afficher")
			tab.See("Fille FAMILLE X PAI")
			tab.See("non pointé")
			tab.Shot("10-pointage-classe")
			tab.Click("Tous présents")
			tab.See("2 enfant(s) pointé(s)")
			tab.ClickSel(fmt.Sprintf(`label[for="a-%d"]`, boy))
			tab.Click("Enregistrer le pointage")
			tab.See("1 enfant(s) pointé(s)")
			tab.Shot("11-pointage-exception")
			if got := attendanceOf(t, h, boy); got != "absent" {
				t.Errorf("Garçon is %q, want absent", got)
			}
		})
	}
}
