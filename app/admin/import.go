package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// importTTL is how long a preview can be confirmed. The uploaded file is
// kept in the commune's database (import_previews) until then, so that a
// preview survives a restart of the server; nothing of it is applied
// before "Confirmer l'import".
const importTTL = time.Hour

// msgImportExpired is shown when a preview can no longer be confirmed.
const msgImportExpired = "L'aperçu a expiré, veuillez recharger le fichier."

// pendingImport is a previewed file waiting for its confirmation.
type pendingImport struct {
	id       string
	filename string
	data     []byte
}

// savePreview stores the uploaded file of a preview and purges the
// expired ones.
func savePreview(ctx context.Context, tx *sql.Tx, staffID int64, filename string, data []byte, now time.Time) (string, error) {
	id, _ := auth.NewToken()
	id = id[:20]
	if _, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE expires_at <= ?`, ts(now)); err != nil {
		return "", fmt.Errorf("admin: purge import previews: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_previews (id, staff_id, filename, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, staffID, filename, data, ts(now), ts(now.Add(importTTL)))
	if err != nil {
		return "", fmt.Errorf("admin: save import preview: %w", err)
	}
	return id, nil
}

// loadPreview returns a member's preview that has not expired, or
// ErrNotFound.
func loadPreview(ctx context.Context, q querier, id string, staffID int64, now time.Time) (pendingImport, error) {
	p := pendingImport{id: id}
	err := q.QueryRowContext(ctx, `SELECT filename, data FROM import_previews WHERE id = ? AND staff_id = ? AND expires_at > ?`,
		id, staffID, ts(now)).Scan(&p.filename, &p.data)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// ImportSummary counts what an import does (or would do).
type ImportSummary struct {
	Rows, Invalid                int
	NewFamilies, UpdatedFamilies int
	NewChildren, UpdatedChildren int
	NewGuardians                 int
}

// RowView is one line of the preview.
type RowView struct {
	Line   int
	Family string
	Child  string
	Action string
	Errors []string
}

type importData struct {
	base
	ID       string
	Expires  string // "HH:MM", Paris time
	Filename string
	Summary  ImportSummary
	Rows     []RowView
	Hidden   int
	Error    string
}

func (a *Admin) showImport(c *fiber.Ctx) error {
	return web.Render(c, "admin/import", "Importer des familles", importData{base: baseOf(c, "familles")})
}

// previewImport parses the uploaded file and shows, line by line, what
// confirming would do, without writing anything.
func (a *Admin) previewImport(c *fiber.Ctx) error {
	d := importData{base: baseOf(c, "familles")}
	fh, err := c.FormFile("fichier")
	if err != nil {
		d.Error = "Choisissez un fichier CSV."
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/import", "Importer des familles", d)
	}
	data, err := readUpload(fh, 8<<20)
	if err != nil {
		return err
	}
	rows, err := ParseImport(data)
	var ie *ImportError
	if errors.As(err, &ie) {
		d.Error = ie.Message
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/import", "Importer des familles", d)
	}
	if err != nil {
		return err
	}
	views, sum, err := planImport(c.UserContext(), db(c).R, nil, rows, nil, a.now(), nil)
	if err != nil {
		return err
	}
	d.Filename, d.Summary = fh.Filename, sum
	const shown = 500
	for _, v := range views {
		if len(d.Rows) < shown || len(v.Errors) > 0 {
			d.Rows = append(d.Rows, v)
		} else {
			d.Hidden++
		}
	}
	if sum.Rows > sum.Invalid {
		err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
			var err error
			d.ID, err = savePreview(ctx, tx, currentStaff(c).ID, fh.Filename, data, now)
			return err
		})
		if err != nil {
			return err
		}
		d.Expires = a.now().Add(importTTL).In(calendar.Paris()).Format("15:04")
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
}

var errImportTaken = errors.New("admin: import preview already taken")

// confirmImport writes the previewed file, in one transaction, in the
// background with a progress page.
func (a *Admin) confirmImport(c *fiber.Ctx) error {
	p, err := loadPreview(c.UserContext(), db(c).R, c.Params("id"), currentStaff(c).ID, a.now())
	if errors.Is(err, ErrNotFound) {
		d := importData{base: baseOf(c, "familles"), Error: msgImportExpired}
		return web.RenderStatus(c, fiber.StatusGone, "admin/import", "Importer des familles", d)
	} else if err != nil {
		return err
	}
	rows, err := ParseImport(p.data)
	if err != nil {
		return err // the file parsed at the preview
	}
	who := *currentStaff(c)
	j := a.startJob(c, "Import de "+p.filename, "/admin/familles", func(ctx context.Context, d *tenants.DB, j *job) string {
		j.setTotal(len(rows))
		var sum ImportSummary
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			// Taking the preview in the import's transaction makes a
			// double confirmation import once.
			res, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE id = ?`, p.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errImportTaken
			}
			_, sum, err = planImport(ctx, tx, tx, rows, &who, a.now(), j)
			if err != nil {
				return err
			}
			return audit(ctx, tx, &who, "import", "family", "", nil, map[string]any{"file": p.filename, "summary": sum}, a.now())
		})
		if errors.Is(err, errImportTaken) {
			return "Cet aperçu a déjà été importé : rien de plus n'a été enregistré."
		}
		if err != nil {
			return "L'import a échoué et rien n'a été enregistré. Réessayez ; si le problème persiste, contactez le support."
		}
		return fmt.Sprintf("Import terminé : %d famille(s) créée(s), %d mise(s) à jour ; %d enfant(s) créé(s), %d mis à jour ; %d ligne(s) en erreur ignorée(s).",
			sum.NewFamilies, sum.UpdatedFamilies, sum.NewChildren, sum.UpdatedChildren, sum.Invalid)
	})
	return web.RedirectTo(c, "/admin/taches/"+j.ID)
}

// planImport walks the rows family by family: it matches each family and
// child against the database and, when tx is not nil, writes them. With tx
// nil it is the preview and reads through q only.
func planImport(ctx context.Context, q querier, tx *sql.Tx, rows []ImportRow, who *Staff, now time.Time, j *job) ([]RowView, ImportSummary, error) {
	var sum ImportSummary
	views := make([]RowView, len(rows))
	groups := map[string][]int{}
	var order []string
	for i := range rows {
		r := &rows[i]
		views[i] = RowView{Line: r.Line, Family: r.Family.Name, Errors: append([]string(nil), r.Errors...)}
		if r.HasChild {
			views[i].Child = r.Child.FirstName + " " + r.Child.LastName
		}
		sum.Rows++
		if !r.OK() {
			continue
		}
		if _, ok := groups[r.key]; !ok {
			order = append(order, r.key)
		}
		groups[r.key] = append(groups[r.key], i)
	}
	for _, key := range order {
		if err := planGroup(ctx, q, tx, rows, groups[key], views, &sum, who, now, j); err != nil {
			return nil, sum, err
		}
	}
	for _, v := range views {
		if len(v.Errors) > 0 {
			sum.Invalid++
			if j != nil {
				j.step(fmt.Sprintf("Ligne %d : %s", v.Line, v.Errors[0]))
			}
		}
	}
	return views, sum, nil
}
