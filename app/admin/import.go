package admin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// msgImportExpired is shown when a preview can no longer be confirmed.
const msgImportExpired = "L'aperçu a expiré, veuillez recharger le fichier."

// pendingImport is a previewed file waiting for its confirmation, or an
// import stopped after its first applied family groups, with what they
// did.
type pendingImport struct {
	id       string
	filename string
	data     []byte
	applied  int
	summary  ImportSummary
}

// savePreview stores the uploaded file of a preview and purges the
// expired ones.
func savePreview(ctx context.Context, tx *sql.Tx, staffID int64, filename string, data []byte, groups int, now time.Time) (string, error) {
	id, _ := auth.NewToken()
	id = id[:20]
	if _, err := tx.ExecContext(ctx, `DELETE FROM import_previews WHERE expires_at <= ?`, ts(now)); err != nil {
		return "", fmt.Errorf("admin: purge import previews: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_previews (id, staff_id, filename, data, total_groups, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, staffID, filename, data, groups, ts(now), ts(now.Add(importTTL)))
	if err != nil {
		return "", fmt.Errorf("admin: save import preview: %w", err)
	}
	return id, nil
}

// loadPreview returns a member's preview that has not expired, or
// ErrNotFound.
func loadPreview(ctx context.Context, q querier, id string, staffID int64, now time.Time) (pendingImport, error) {
	p := pendingImport{id: id}
	var summary string
	err := q.QueryRowContext(ctx, `SELECT filename, data, applied_groups, summary FROM import_previews
		WHERE id = ? AND staff_id = ? AND expires_at > ?`, id, staffID, ts(now)).Scan(&p.filename, &p.data, &p.applied, &summary)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err == nil && summary != "" {
		err = json.Unmarshal([]byte(summary), &p.summary)
	}
	return p, err
}

// InterruptedImport is an import stopped before its end (a restart), that
// its author can resume.
type InterruptedImport struct {
	ID, Filename, Created string
	Applied, Total        int
}

func interruptedImports(ctx context.Context, q querier, staffID int64, now time.Time) ([]InterruptedImport, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, filename, created_at, applied_groups, total_groups FROM import_previews
		WHERE staff_id = ? AND applied_groups > 0 AND expires_at > ? ORDER BY created_at`, staffID, ts(now))
	if err != nil {
		return nil, fmt.Errorf("admin: interrupted imports: %w", err)
	}
	return tenants.Collect(rows, func(row interface{ Scan(...any) error }) (InterruptedImport, error) {
		var v InterruptedImport
		err := row.Scan(&v.ID, &v.Filename, &v.Created, &v.Applied, &v.Total)
		return v, err
	})
}

// ImportSummary counts what an import does (or would do).
type ImportSummary struct {
	Rows, Invalid                int
	NewFamilies, UpdatedFamilies int
	NewChildren, UpdatedChildren int
	NewGuardians                 int
	Noted                        int // lines with a note (repaired value, namesake)
}

func (s *ImportSummary) add(o ImportSummary) {
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

type importData struct {
	base
	ID          string
	Expires     string // "HH:MM", Paris time
	Filename    string
	Summary     ImportSummary
	Ignored     []string // columns of the file the import does not use
	Rows        []RowView
	Hidden      int
	Error       string
	Interrupted []InterruptedImport
}

func (a *Admin) showImport(c *fiber.Ctx) error {
	d := importData{base: baseOf(c, "familles")}
	var err error
	if d.Interrupted, err = interruptedImports(c.UserContext(), db(c).R, currentStaff(c).ID, a.now()); err != nil {
		return err
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
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
	file, err := ParseImport(data)
	var ie *ImportError
	if errors.As(err, &ie) {
		d.Error = ie.Message
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/import", "Importer des familles", d)
	}
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	plan := newImportPlan(file)
	ix := newImportIndex()
	if err := ix.refresh(ctx, db(c).R); err != nil {
		return err
	}
	sum, err := plan.apply(ctx, importStep{ix: ix, now: a.now()}, 0, len(plan.groups))
	if err != nil {
		return err
	}
	d.Filename, d.Summary, d.Ignored = fh.Filename, plan.summary(sum), file.Ignored
	// The first lines, then every line with an error or a note, within a
	// page a browser still shows at once.
	const shown, most = 500, 5000
	for _, v := range plan.views {
		if len(v.Notes) > 0 {
			d.Summary.Noted++
		}
		if len(d.Rows) < shown || (len(v.Errors) > 0 || len(v.Notes) > 0) && len(d.Rows) < most {
			d.Rows = append(d.Rows, v)
		} else {
			d.Hidden++
		}
	}
	if d.Summary.Rows > d.Summary.Invalid {
		err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
			var err error
			d.ID, err = savePreview(ctx, tx, currentStaff(c).ID, fh.Filename, data, len(plan.groups), now)
			return err
		})
		if err != nil {
			return err
		}
		d.Expires = a.now().Add(importTTL).In(calendar.Paris()).Format("15:04")
	}
	return web.Render(c, "admin/import", "Importer des familles", d)
}

// confirmImport applies a previewed file (or resumes an interrupted one)
// in the background, with a progress page.
func (a *Admin) confirmImport(c *fiber.Ctx) error {
	p, err := loadPreview(c.UserContext(), db(c).R, c.Params("id"), currentStaff(c).ID, a.now())
	if errors.Is(err, ErrNotFound) {
		d := importData{base: baseOf(c, "familles"), Error: msgImportExpired}
		return web.RenderStatus(c, fiber.StatusGone, "admin/import", "Importer des familles", d)
	} else if err != nil {
		return err
	}
	file, err := ParseImport(p.data)
	if err != nil {
		return err // the file parsed at the preview
	}
	key := tenants.From(c).Commune.Slug + "/" + p.id
	if !a.jobs.claim(key) {
		return web.NewError(fiber.StatusConflict, "Cet import est déjà en cours : suivez-le depuis sa page de progression.")
	}
	who := *currentStaff(c)
	title := "Import de " + p.filename
	if p.applied > 0 {
		title = "Reprise de l'import de " + p.filename
	}
	j := a.startJob(c, title, "/admin/familles", func(ctx context.Context, d *tenants.DB, j *job) string {
		defer a.jobs.release(key)
		return a.runImport(ctx, d, j, p, newImportPlan(file), &who)
	})
	return web.RedirectTo(c, "/admin/taches/"+j.ID)
}
