package e2e

import (
	"context"
	"database/sql"
	"testing"

	"espacefamille/app/families"
	"espacefamille/tenants"
)

// A parent whose account is linked to two communes finds "Mes communes"
// in the account menu, and goes from one commune's space to the other's
// (issue 13).
func TestMesCommunes(t *testing.T) {
	asNewParent(t, "parent.communes", func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.NotSee("Mes communes") // one commune: nothing to choose

		// A second commune where the same parent has a family.
		var code string
		_, err := h.Registry.CreateCommune(context.Background(), tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Zone: "B"},
			func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
				res, err := tx.ExecContext(ctx, `INSERT INTO families (name, email, created_at) VALUES ('FAMILLE X', ?, '2026-01-01T00:00:00Z')`, email)
				if err != nil {
					return err
				}
				id, err := res.LastInsertId()
				if err != nil {
					return err
				}
				code, err = families.IssueCode(ctx, tx, id, "")
				return err
			})
		if err != nil {
			t.Fatal(err)
		}
		tab.Go("/mazan/connexion")
		tab.Fill("Identifiant", email)
		tab.Fill("Mot de passe", "une phrase de passe solide")
		tab.Click("Se connecter")
		tab.Go("/mazan/adhesion")
		tab.Fill("Code d'adhésion", code)
		tab.Click("Valider")
		tab.See("Commune de Mazan")
		tab.Click("Fermer")

		tab.Click("Mes communes")
		tab.See("Commune de Mazan (commune actuelle)")
		tab.Shot("01-mes-communes")
		tab.Click("Commune de Malemort du Comtat")
		tab.See("Mes enfants")
		tab.See("Fille FAMILLE X")
		tab.Click("Mes communes")
		tab.See("Commune de Malemort du Comtat (commune actuelle)")
		tab.Shot("02-mes-communes-malemort")
	})
}
