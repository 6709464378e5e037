package admin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"espacefamille/tenants"
)

// importBatch is how many families one transaction of an import writes.
// The commune has one writer: a batch holds it for tens of milliseconds,
// then parents' bookings waiting behind it go first (the writer serves in
// arrival order), so a 20,000-line import never makes them wait long
// (BenchmarkImport20000Rows measures both; 100 gave a higher p99).
const importBatch = 50

// errImportTaken: the preview was applied, or is being applied, by
// another confirmation.
var errImportTaken = errors.New("admin: import preview already taken")

// runImport applies a confirmed file batch by batch from where it stopped
// (p.applied family groups). Each batch is one transaction that also
// records the progress in the preview row, so a batch is written entirely
// or not at all, and a resumed import never writes a family twice; the
// last batch deletes the preview and audits the whole import. It stops
// between or inside a batch (rolled back) when ctx ends: server shutdown.
func (a *Admin) runImport(ctx context.Context, d *tenants.DB, j *job, p pendingImport, plan *importPlan, who *Staff) string {
	total := len(plan.groups)
	j.setTotal(len(plan.rows))
	done := 0
	for i := range plan.rows {
		if !plan.rows[i].OK() {
			j.step(fmt.Sprintf("Ligne %d : %s", plan.rows[i].Line, plan.rows[i].Errors[0]))
		}
	}
	for _, idx := range plan.groups[:min(p.applied, total)] {
		done += len(idx)
	}
	j.progress(done+countInvalid(plan), len(plan.rows))
	ix := newImportIndex()
	sum := p.summary
	for next := p.applied; next < total; {
		end := min(next+importBatch, total)
		var after ImportSummary
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var applied int
			err := tx.QueryRowContext(ctx, `SELECT applied_groups FROM import_previews WHERE id = ?`, p.id).Scan(&applied)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && applied != next) {
				return errImportTaken
			} else if err != nil {
				return err
			}
			if err := ix.refresh(ctx, tx); err != nil {
				return err
			}
			now := a.now()
			batch, err := plan.apply(ctx, importStep{tx: d.InTx(tx), ix: ix, who: who, now: now, j: j}, next, end)
			if err != nil {
				return err
			}
			after = sum
			after.add(batch)
			if end == total {
				after = plan.summary(after)
				if _, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE id = ?`, p.id); err != nil {
					return err
				}
				return audit(ctx, tx, who, "import", "family", "", nil, map[string]any{"file": p.filename, "summary": after}, now)
			}
			js, _ := json.Marshal(after)
			_, err = tx.ExecContext(ctx, `UPDATE import_previews SET applied_groups = ?, summary = ?, expires_at = ? WHERE id = ?`,
				end, string(js), ts(now.Add(resumeTTL)), p.id)
			return err
		})
		switch {
		case errors.Is(err, errImportTaken) && next == p.applied:
			return "Cet aperçu a déjà été importé : rien de plus n'a été enregistré."
		case errors.Is(err, errImportTaken):
			return "Cet import a été poursuivi par une autre confirmation : rien n'a été enregistré deux fois."
		case err != nil && ctx.Err() != nil:
			return fmt.Sprintf("Import interrompu par l'arrêt du serveur : %d famille(s) sur %d enregistrée(s), le reste non. "+
				"Reprenez-le depuis la page « Importer des familles » : il repartira de là, sans rien enregistrer deux fois.", next, total)
		case err != nil && next > 0:
			return fmt.Sprintf("L'import s'est arrêté sur une erreur après %d famille(s) sur %d, enregistrées ; le reste ne l'est pas. "+
				"Reprenez-le depuis la page « Importer des familles » ; si le problème persiste, contactez le support.", next, total)
		case err != nil:
			return "L'import a échoué et rien n'a été enregistré. Réessayez ; si le problème persiste, contactez le support."
		}
		sum, next = after, end
	}
	return fmt.Sprintf("Import terminé : %d famille(s) créée(s), %d mise(s) à jour ; %d enfant(s) créé(s), %d mis à jour ; %d ligne(s) en erreur ignorée(s).",
		sum.NewFamilies, sum.UpdatedFamilies, sum.NewChildren, sum.UpdatedChildren, sum.Invalid)
}

func countInvalid(p *importPlan) int {
	n := 0
	for i := range p.rows {
		if !p.rows[i].OK() {
			n++
		}
	}
	return n
}

// importTTL is how long a preview can be confirmed. The uploaded file is
// kept in the commune's database (import_previews) until then, so that a
// preview survives a restart of the server; nothing of it is applied
// before "Confirmer l'import". An import stopped midway can be resumed
// for resumeTTL.
const (
	importTTL = time.Hour
	resumeTTL = 7 * 24 * time.Hour
)
