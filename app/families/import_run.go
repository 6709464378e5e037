package families

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/auth"
	"espacefamille/tenants"
)

// importBatch is how many families one transaction of an import writes.
// The commune has one writer: a batch holds it for tens of milliseconds,
// then parents' bookings waiting behind it go first (the writer serves in
// arrival order), so a 20,000-line import never makes them wait long
// (BenchmarkImport20000Rows measures both; 100 gave a higher p99).
const importBatch = 50

// importTTL is how long a preview can be confirmed. The uploaded file is
// kept in the commune's database (import_previews) until then, so that a
// preview survives a restart of the server; nothing of it is applied
// before "Confirmer l'import". An import stopped midway can be resumed
// for resumeTTL.
const (
	importTTL = time.Hour
	resumeTTL = 7 * 24 * time.Hour
)

// PreviewTTL is how long a stored preview can be confirmed.
const PreviewTTL = importTTL

// errImportTaken: the preview was applied, or is being applied, by
// another confirmation.
var errImportTaken = errors.New("families: import preview already taken")

// Summary counts what an import does, or what confirming its preview
// would do: the same numbers (TestImportPreviewCountsAreWhatTheImportDoes).
type Summary struct {
	Rows, Invalid                int // lines read; lines refused (ignored by the import)
	NewFamilies, UpdatedFamilies int
	NewChildren, UpdatedChildren int
	NewGuardians                 int
	Noted                        int // lines with a note (repaired value, namesake)
}

// Importable reports whether confirming would write anything.
func (s Summary) Importable() bool { return s.NewFamilies+s.UpdatedFamilies > 0 }

func (s *Summary) add(o Summary) {
	s.Invalid += o.Invalid
	s.NewFamilies += o.NewFamilies
	s.UpdatedFamilies += o.UpdatedFamilies
	s.NewChildren += o.NewChildren
	s.UpdatedChildren += o.UpdatedChildren
	s.NewGuardians += o.NewGuardians
}

// RowView is one line of the preview.
type RowView struct {
	Line   int
	Family string
	Child  string
	Action string
	Errors []string
	Notes  []string
}

// Preview is what confirming a parsed file would do, line by line.
type Preview struct {
	Summary Summary
	Rows    []RowView // the first lines, then those with an error or a note
	Hidden  int       // lines not in Rows
	Groups  int       // families of the file, for the stored preview
}

// PreviewImport matches a parsed file against the commune's families
// without writing anything and returns what confirming would do. Rows
// holds the first lines, then every line with an error or a note, within
// a page a browser still shows at once.
func PreviewImport(ctx context.Context, q tenants.Querier, file *ImportFile, now time.Time) (Preview, error) {
	plan := newImportPlan(file)
	ix := newImportIndex()
	if err := ix.refresh(ctx, q); err != nil {
		return Preview{}, err
	}
	sum, err := plan.apply(ctx, importStep{ix: ix, now: now}, 0, len(plan.groups))
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{Summary: plan.summary(sum), Groups: len(plan.groups)}
	const shown, most = 500, 5000
	for _, v := range plan.views {
		if len(pv.Rows) < shown || (len(v.Errors) > 0 || len(v.Notes) > 0) && len(pv.Rows) < most {
			pv.Rows = append(pv.Rows, v)
		} else {
			pv.Hidden++
		}
	}
	return pv, nil
}

// Pending is a previewed file waiting for its confirmation, or an import
// stopped after its first applied family groups, with what they did.
type Pending struct {
	ID       string
	Filename string
	Data     []byte
	Applied  int
	Summary  Summary
}

// SavePreview stores the uploaded file of a preview, in tx, purges the
// expired ones and returns the preview's identifier.
func SavePreview(ctx context.Context, tx tenants.Querier, staffID int64, filename string, data []byte, groups int, now time.Time) (string, error) {
	id, _ := auth.NewToken()
	id = id[:20]
	if _, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE expires_at <= ?`, tenants.At(now)); err != nil {
		return "", fmt.Errorf("families: purge import previews: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_previews (id, staff_id, filename, data, total_groups, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, staffID, filename, data, groups, tenants.At(now), tenants.At(now.Add(importTTL)))
	if err != nil {
		return "", fmt.Errorf("families: save import preview: %w", err)
	}
	return id, nil
}

// LoadPreview returns a member's preview that has not expired, or
// ErrNotFound.
func LoadPreview(ctx context.Context, q tenants.Querier, id string, staffID int64, now time.Time) (Pending, error) {
	p := Pending{ID: id}
	var summary string
	err := q.QueryRowContext(ctx, `SELECT filename, data, applied_groups, summary FROM import_previews
		WHERE id = ? AND staff_id = ? AND expires_at > ?`, id, staffID, tenants.At(now)).Scan(&p.Filename, &p.Data, &p.Applied, &summary)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err == nil && summary != "" {
		err = json.Unmarshal([]byte(summary), &p.Summary)
	}
	return p, err
}

// InterruptedImport is an import stopped before its end (a restart), that
// its author can resume.
type InterruptedImport struct {
	ID, Filename, Created string
	Applied, Total        int
}

// InterruptedImports lists the member's imports that can be resumed.
func InterruptedImports(ctx context.Context, q tenants.Querier, staffID int64, now time.Time) ([]InterruptedImport, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, filename, created_at, applied_groups, total_groups FROM import_previews
		WHERE staff_id = ? AND applied_groups > 0 AND expires_at > ? ORDER BY created_at`, staffID, tenants.At(now))
	if err != nil {
		return nil, fmt.Errorf("families: interrupted imports: %w", err)
	}
	return tenants.Collect(rows, func(row tenants.Row) (InterruptedImport, error) {
		var v InterruptedImport
		err := row.Scan(&v.ID, &v.Filename, &v.Created, &v.Applied, &v.Total)
		return v, err
	})
}

// Progress is how a running import reports: the lines in all, then each
// line done (errMsg "" when imported, else "Ligne N : problème").
type Progress interface {
	Total(done, total int)
	Line(errMsg string)
}

// Run applies a confirmed file batch by batch from where it stopped
// (p.Applied family groups). Each batch is one transaction that also
// records the progress in the preview row, so a batch is written entirely
// or not at all, and a resumed import never writes a family twice; the
// last batch deletes the preview and audits the whole import (audit
// action "import" with familyID 0 and the summary). It stops between or
// inside a batch (rolled back) when ctx ends: server shutdown. It returns
// what was done, and the French summary for the person who confirmed.
func Run(ctx context.Context, d *tenants.DB, p Pending, file *ImportFile, audit AuditFunc, pr Progress, clock func() time.Time) (Summary, string) {
	plan := newImportPlan(file)
	total := len(plan.groups)
	done := 0
	for i := range plan.rows {
		if !plan.rows[i].OK() {
			pr.Line(fmt.Sprintf("Ligne %d : %s", plan.rows[i].Line, plan.rows[i].Errors[0]))
		}
	}
	for _, idx := range plan.groups[:min(p.Applied, total)] {
		done += len(idx)
	}
	pr.Total(done+countInvalid(plan), len(plan.rows))
	ix := newImportIndex()
	sum := p.Summary
	for next := p.Applied; next < total; {
		end := min(next+importBatch, total)
		var after Summary
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var applied int
			err := tx.QueryRowContext(ctx, `SELECT applied_groups FROM import_previews WHERE id = ?`, p.ID).Scan(&applied)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && applied != next) {
				return errImportTaken
			} else if err != nil {
				return err
			}
			if err := ix.refresh(ctx, tx); err != nil {
				return err
			}
			now := clock()
			batch, err := plan.apply(ctx, importStep{tx: d.InTx(tx), raw: tx, ix: ix, audit: audit, now: now, step: pr.Line}, next, end)
			if err != nil {
				return err
			}
			after = sum
			after.add(batch)
			if end == total {
				after = plan.summary(after)
				if _, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE id = ?`, p.ID); err != nil {
					return err
				}
				return audit(ctx, tx, "import", 0, nil, map[string]any{"file": p.Filename, "summary": after}, now)
			}
			js, _ := json.Marshal(after)
			_, err = tx.ExecContext(ctx, `UPDATE import_previews SET applied_groups = ?, summary = ?, expires_at = ? WHERE id = ?`,
				end, string(js), tenants.At(now.Add(resumeTTL)), p.ID)
			return err
		})
		switch {
		case errors.Is(err, errImportTaken) && next == p.Applied:
			return sum, "Cet aperçu a déjà été importé : rien de plus n'a été enregistré."
		case errors.Is(err, errImportTaken):
			return sum, "Cet import a été poursuivi par une autre confirmation : rien n'a été enregistré deux fois."
		case err != nil && ctx.Err() != nil:
			return sum, fmt.Sprintf("Import interrompu par l'arrêt du serveur : %d famille(s) sur %d enregistrée(s), le reste non. "+
				"Reprenez-le depuis la page « Importer des familles » : il repartira de là, sans rien enregistrer deux fois.", next, total)
		case err != nil && next > 0:
			return sum, fmt.Sprintf("L'import s'est arrêté sur une erreur après %d famille(s) sur %d, enregistrées ; le reste ne l'est pas. "+
				"Reprenez-le depuis la page « Importer des familles » ; si le problème persiste, contactez le support.", next, total)
		case err != nil:
			return sum, "L'import a échoué et rien n'a été enregistré. Réessayez ; si le problème persiste, contactez le support."
		}
		sum, next = after, end
	}
	return sum, fmt.Sprintf("Import terminé : %d famille(s) créée(s), %d mise(s) à jour ; %d enfant(s) créé(s), %d mis à jour ; %d ligne(s) en erreur ignorée(s).",
		sum.NewFamilies, sum.UpdatedFamilies, sum.NewChildren, sum.UpdatedChildren, sum.Invalid)
}
