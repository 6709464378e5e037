package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// importCache keeps parsed files between the preview and the confirmation:
// nothing is written to the commune's database before "Confirmer".
type importCache struct {
	mu   sync.Mutex
	list map[string]*pendingImport
}

type pendingImport struct {
	commune  string
	staffID  int64
	filename string
	rows     []ImportRow
	at       time.Time
}

func newImportCache() *importCache { return &importCache{list: map[string]*pendingImport{}} }

func (c *importCache) put(p *pendingImport) string {
	id, _ := newToken()
	id = id[:20]
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.list {
		if p.at.Sub(v.at) > time.Hour {
			delete(c.list, k)
		}
	}
	c.list[id] = p
	return id
}

func (c *importCache) take(id, commune string, staffID int64) *pendingImport {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.list[id]
	if p == nil || p.commune != commune || p.staffID != staffID {
		return nil
	}
	delete(c.list, id)
	return p
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
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, 8<<20))
	f.Close()
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
		d.ID = a.imports.put(&pendingImport{commune: commune(c).Slug, staffID: currentStaff(c).ID, filename: fh.Filename, rows: rows, at: a.now()})
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
}

// confirmImport writes the previewed file, in one transaction, in the
// background with a progress page.
func (a *Admin) confirmImport(c *fiber.Ctx) error {
	p := a.imports.take(c.Params("id"), commune(c).Slug, currentStaff(c).ID)
	if p == nil {
		return web.NewError(fiber.StatusNotFound, "Cet aperçu a expiré ou a déjà été importé. Déposez le fichier à nouveau.")
	}
	who := *currentStaff(c)
	j := a.startJob(c, "Import de "+p.filename, "/admin/familles", func(ctx context.Context, d *tenants.DB, j *job) string {
		j.setTotal(len(p.rows))
		var sum ImportSummary
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			_, sum, err = planImport(ctx, tx, tx, p.rows, &who, a.now(), j)
			if err != nil {
				return err
			}
			return audit(ctx, tx, &who, "import", "family", "", nil, map[string]any{"file": p.filename, "summary": sum}, a.now())
		})
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
