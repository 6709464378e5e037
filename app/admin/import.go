package admin

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// msgImportExpired is shown when a preview can no longer be confirmed.
const msgImportExpired = "L'aperçu a expiré, veuillez recharger le fichier."

type importData struct {
	base
	ID          string
	Expires     string // "HH:MM", Paris time
	Filename    string
	Summary     families.Summary
	Ignored     []string // columns of the file the import does not use
	Rows        []families.RowView
	Hidden      int
	Error       string
	Interrupted []families.InterruptedImport
}

func (a *Admin) showImport(c *fiber.Ctx) error {
	d := importData{base: baseOf(c, "familles")}
	var err error
	if d.Interrupted, err = families.InterruptedImports(c.UserContext(), db(c).Reader(), currentStaff(c).ID, a.now()); err != nil {
		return err
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
}

// previewImport parses the uploaded file and shows, line by line, what
// confirming would do, without writing anything but the stored file.
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
	file, err := families.ParseImport(data)
	var ie *families.ImportError
	if errors.As(err, &ie) {
		d.Error = ie.Message
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/import", "Importer des familles", d)
	}
	if err != nil {
		return err
	}
	pv, err := families.PreviewImport(c.UserContext(), db(c).Reader(), file, a.now())
	if err != nil {
		return err
	}
	d.Filename, d.Summary, d.Ignored, d.Rows, d.Hidden = fh.Filename, pv.Summary, file.Ignored, pv.Rows, pv.Hidden
	if pv.Summary.Importable() {
		err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
			var err error
			d.ID, err = families.SavePreview(ctx, tx, currentStaff(c).ID, fh.Filename, data, pv.Groups, now)
			return err
		})
		if err != nil {
			return err
		}
		d.Expires = a.now().Add(families.PreviewTTL).In(calendar.Paris()).Format("15:04")
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
}

// confirmImport applies a previewed file (or resumes an interrupted one)
// in the background, with a progress page.
func (a *Admin) confirmImport(c *fiber.Ctx) error {
	p, err := families.LoadPreview(c.UserContext(), db(c).Reader(), c.Params("id"), currentStaff(c).ID, a.now())
	if errors.Is(err, families.ErrNotFound) {
		d := importData{base: baseOf(c, "familles"), Error: msgImportExpired}
		return web.RenderStatus(c, fiber.StatusGone, "admin/import", "Importer des familles", d)
	} else if err != nil {
		return err
	}
	file, err := families.ParseImport(p.Data)
	if err != nil {
		return err // the file parsed at the preview
	}
	key := tenants.From(c).Commune.Slug + "/" + p.ID
	if !a.jobs.claim(key) {
		return web.NewError(fiber.StatusConflict, "Cet import est déjà en cours : suivez-le depuis sa page de progression.")
	}
	who := *currentStaff(c)
	title := "Import de " + p.Filename
	if p.Applied > 0 {
		title = "Reprise de l'import de " + p.Filename
	}
	j := a.startJob(c, title, "/admin/familles", func(ctx context.Context, d *tenants.DB, j *job) string {
		defer a.jobs.release(key)
		_, msg := families.Run(ctx, d, p, file, importAudit(&who), importProgress{j}, a.now)
		return msg
	})
	return web.RedirectTo(c, "/admin/taches/"+j.ID)
}

// importAudit journals an import's changes in the member's name: each
// family created or updated, then the whole import.
func importAudit(who *Staff) families.AuditFunc {
	return func(ctx context.Context, tx *sql.Tx, action string, familyID int64, before, after any, now time.Time) error {
		var id any = familyID
		if familyID == 0 {
			id = ""
		}
		return audit(ctx, tx, who, action, "family", id, before, after, now)
	}
}

// importProgress shows a running import on its job's page.
type importProgress struct{ j *job }

func (p importProgress) Total(done, total int) { p.j.progress(done, total) }
func (p importProgress) Line(errMsg string)    { p.j.step(errMsg) }
