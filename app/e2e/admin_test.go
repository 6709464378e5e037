package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// adminLogin opens the back office with the demo administrator's log-in.
func adminLogin(tab *Tab) {
	tab.t.Helper()
	tab.Go(Commune + "/admin/connexion")
	tab.See("Espace des agents")
	tab.Fill("Adresse email", demo.AdminEmail)
	tab.Fill("Mot de passe", demo.AdminPassword)
	tab.Click("Se connecter")
	tab.See("Calendrier")
}

// confirmCart validates FAMILLE X's cantine cart as a successful payment
// would (the payment journey itself is payment_test.go's).
func confirmCart(t *testing.T, h *Harness) {
	t.Helper()
	ctx := context.Background()
	err := h.Registry.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			var fam, regie int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM families WHERE name = 'FAMILLE X'`).Scan(&fam); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT id FROM regies WHERE mode = 'prepaid'`).Scan(&regie); err != nil {
				return err
			}
			chk, err := booking.CheckCart(ctx, tx, fam, regie, time.Now())
			if err != nil {
				return err
			}
			ids := make([]int64, len(chk.Lines))
			for i, l := range chk.Lines {
				ids[i] = l.ID
			}
			res, err := booking.ConfirmLines(ctx, tx, fam, ids, "E2E-ADMIN", time.Now())
			if err == nil && len(res.Confirmed) != len(ids) {
				t.Errorf("confirmed %d of %d lines: %+v", len(res.Confirmed), len(ids), res.Rejected)
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cellClass returns the CSS class of the agenda cell of prestation on day
// (DD/MM/YYYY), "" when the page has none.
func cellClass(tab *Tab, prestation, day string) string {
	tab.t.Helper()
	var class string
	tab.Eval(`(() => {
		for (const tr of document.querySelectorAll('tr')) {
			const th = tr.querySelector('th[scope=row]');
			if (!th || th.textContent.trim() !== `+jsString(prestation)+`) continue;
			for (const td of tr.querySelectorAll('td.cell')) {
				if (td.textContent.includes(`+jsString(day+" : ")+`) ||
					(td.querySelector('button') && td.querySelector('button').getAttribute('aria-label').includes(`+jsString(", "+day+" : ")+`))) {
					return td.className;
				}
			}
		}
		return '';
	})()`, &class)
	return class
}

// Issue 6's journey: an administrator adds a meal type to the cantine and
// a closure day (preview of the affected family, then confirmation); in a
// second tab, a parent of FAMILLE X who had booked that day sees the new
// meal type's row and the day as "fermeture".
func TestAdminMealTypeAndClosure(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Desktop, Tablet} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t) // one server per size: the family's code works once
			parent := h.Tab(t, size)
			admin := h.Tab(t, size)

			// The parent books the first réservable classic meal of the daughter.
			signUpFamilyX(parent, h, "parent.admin."+size.Name+"@example.org")
			parent.Click("Mes réservations")
			free := `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`
			var label string
			parent.Eval(`(document.querySelector('`+free+`') || {}).ariaLabel || ''`, &label)
			// "REPAS CLASSIQUE ENFANT, 30/11/2026 : réservable"
			day, _, ok := strings.Cut(strings.TrimPrefix(label, "REPAS CLASSIQUE ENFANT, "), " : ")
			if !ok || len(day) != 10 {
				t.Fatalf("no réservable meal in the agenda (%q)", label)
			}
			parent.ClickSel(free)
			parent.See("1 REPAS CLASSIQUE ENFANT")
			confirmCart(t, h)
			parent.Click("Mes réservations")
			if got := cellClass(parent, "REPAS CLASSIQUE ENFANT", day); got != "cell validated" {
				t.Fatalf("booked cell of %s: %q", day, got)
			}
			parent.Shot("parent-reservation-validee")

			// The administrator adds a meal type to the cantine.
			adminLogin(admin)
			admin.Shot("admin-accueil")
			admin.Click("Services")
			admin.Click("Voir les prestations")
			admin.Click("Nouvelle prestation")
			admin.Fill("Nom", "REPAS BIO")
			admin.Fill("Régie", "REGIE CANTINE - prépaiement")
			admin.Fill("Groupe exclusif (même nom = un seul par jour)", "repas")
			admin.Fill("Prix unique (€)", "3,10")
			admin.Shot("admin-nouvelle-prestation")
			admin.Click("Enregistrer")
			admin.See("Prestation enregistrée")
			admin.See("REPAS BIO")
			admin.Shot("admin-prestations")

			// … and closes the booked day, after the preview.
			admin.Click("Calendrier")
			admin.Fill("Date (JJ/MM/AAAA)", day)
			admin.Fill("Motif", "Grève")
			admin.Click("Voir les familles concernées")
			admin.See("Fermeture du " + day + " (Grève)")
			admin.See("1 famille(s) ont des réservations ce jour-là")
			admin.See("Fille FAMILLE X – REPAS CLASSIQUE ENFANT")
			admin.Shot("admin-fermeture-apercu")
			admin.Click("Confirmer la fermeture")
			admin.See("Fermeture du " + day + " enregistrée ; 1 famille(s) prévenue(s)")
			admin.See(day + " : Grève")
			admin.Shot("admin-fermeture-confirmee")

			// The parent's agenda: the new row, and the day closed on every row.
			parent.Click("Mes réservations")
			parent.See("REPAS BIO")
			for _, p := range []string{"REPAS CLASSIQUE ENFANT", "REPAS BIO"} {
				if got := cellClass(parent, p, day); got != "cell closed closure" {
					t.Errorf("%s on %s: %q, want a closure", p, day, got)
				}
			}
			parent.Shot("parent-agenda-fermeture")
			// The cancelled, paid meal is credited.
			parent.Click("Mes factures")
			parent.See("2,55 €")
			parent.Shot("parent-avoir")
		})
	}
}
