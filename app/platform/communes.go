package platform

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/admin"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Row is one commune of the console's list: what the registry keeps of
// it, without opening its file.
type Row struct {
	tenants.FleetEntry
}

// StatusLabel is the commune's status in French.
func (r Row) StatusLabel() string {
	switch {
	case r.Broken != "":
		return "en panne"
	case r.Status == tenants.StatusSuspended:
		return "suspendue"
	}
	return "active"
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

// column is one column of the list and of its CSV: adding a figure to the
// console is adding a line to listColumns.
type column struct {
	Key, Label string
	value      func(Row) string
	// less orders two rows by this column (default: by value as text).
	less func(a, b Row) int
}

var listColumns = []column{
	{Key: "name", Label: "Nom", value: func(r Row) string { return r.Name }},
	{Key: "slug", Label: "Identifiant", value: func(r Row) string { return r.Slug }},
	{Key: "hosts", Label: "Noms d'hôte", value: func(r Row) string { return strings.Join(r.Hosts, " ") }},
	{Key: "zone", Label: "Zone", value: func(r Row) string { return r.Zone }},
	{Key: "status", Label: "Statut", value: Row.StatusLabel},
	{Key: "schema", Label: "Version du schéma", value: func(r Row) string { return strconv.FormatInt(r.SchemaVersion, 10) },
		less: func(a, b Row) int { return cmp.Compare(a.SchemaVersion, b.SchemaVersion) }},
	{Key: "size", Label: "Taille (Mo)", value: func(r Row) string { return fmt.Sprintf("%.1f", float64(r.SizeBytes)/1e6) },
		less: func(a, b Row) int { return cmp.Compare(a.SizeBytes, b.SizeBytes) }},
	{Key: "families", Label: "Familles", value: func(r Row) string { return count(r.Families) },
		less: func(a, b Row) int { return cmp.Compare(a.Families, b.Families) }},
	{Key: "children", Label: "Enfants", value: func(r Row) string { return count(r.Children) },
		less: func(a, b Row) int { return cmp.Compare(a.Children, b.Children) }},
}

// Cell is a column's value in a row, for the template.
func (r Row) Cells() []string {
	out := make([]string, len(listColumns))
	for i, col := range listColumns {
		out[i] = col.value(r)
	}
	return out
}

// listRows reads every commune with its figures from the registry (no
// commune file is opened), filtered by q (name, slug or host) and sorted
// by the column key sort ("-" first: descending).
func listRows(ctx context.Context, reg *tenants.Registry, q, sort string) ([]Row, error) {
	all, err := reg.Fleet(ctx)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	var rows []Row
	for _, c := range all {
		if q != "" && !strings.Contains(strings.ToLower(c.Name+" "+c.Slug+" "+strings.Join(c.Hosts, " ")), q) {
			continue
		}
		rows = append(rows, Row{FleetEntry: c})
	}
	desc := strings.HasPrefix(sort, "-")
	key := strings.TrimPrefix(sort, "-")
	for _, col := range listColumns {
		if col.Key != key {
			continue
		}
		less := col.less
		if less == nil {
			less = func(a, b Row) int {
				return strings.Compare(strings.ToLower(col.value(a)), strings.ToLower(col.value(b)))
			}
		}
		slices.SortStableFunc(rows, func(a, b Row) int {
			if desc {
				return less(b, a)
			}
			return less(a, b)
		})
	}
	return rows, nil
}

type listData struct {
	Query, Sort string
	Columns     []column
	Rows        []Row
	Audit       []AuditEntry
}

// SortLink is the URL that sorts the list by key (reversing the current
// order when it already sorts by key).
func (d listData) SortLink(key string) string {
	s := key
	if d.Sort == key {
		s = "-" + key
	}
	v := "?tri=" + s
	if d.Query != "" {
		v += "&q=" + urlQueryEscape(d.Query)
	}
	return "/plateforme/" + v
}

func (p *Console) showCommunes(c *fiber.Ctx) error {
	q, sort := c.Query("q"), c.Query("tri", "name")
	rows, err := listRows(c.UserContext(), p.reg, q, sort)
	if err != nil {
		return err
	}
	return web.Render(c, "plateforme/communes", "Communes", listData{Query: q, Sort: sort, Columns: listColumns, Rows: rows})
}

// communesCSV is the same list as a CSV file (semicolons, as French
// spreadsheets expect).
func (p *Console) communesCSV(c *fiber.Ctx) error {
	rows, err := listRows(c.UserContext(), p.reg, c.Query("q"), c.Query("tri", "name"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="communes.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	w := csv.NewWriter(c.Response().BodyWriter())
	w.Comma = ';'
	head := make([]string, len(listColumns))
	for i, col := range listColumns {
		head[i] = col.Label
	}
	_ = w.Write(head)
	for _, r := range rows {
		_ = w.Write(r.Cells())
	}
	w.Flush()
	return w.Error()
}

// setStatus suspends or resumes a commune (a French 503 page for its
// parents and staff while suspended).
func (p *Console) setStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, slug := c.UserContext(), c.Params("slug")
		if err := p.reg.SetStatus(ctx, slug, status); errors.Is(err, tenants.ErrNotFound) {
			return web.ErrNotFound
		} else if err != nil {
			return err
		}
		action, msg := "commune_resume", "La commune %s est de nouveau ouverte."
		if status == tenants.StatusSuspended {
			action, msg = "commune_suspend", "La commune %s est suspendue : ses pages répondent « service indisponible »."
		}
		if err := p.audit(c, action, slug, ""); err != nil {
			return err
		}
		web.AddFlash(c, "success", fmt.Sprintf(msg, slug))
		return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
	}
}

// resendInvitation sends the commune's first administrator a new
// set-password link.
func (p *Console) resendInvitation(c *fiber.Ctx) error {
	ctx, slug := c.UserContext(), c.Params("slug")
	com, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	if com.AdminEmail == "" {
		return web.NewError(fiber.StatusConflict, "Cette commune n'a pas de premier administrateur enregistré.")
	}
	err = p.reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := admin.InviteStaffAgain(ctx, tx, com, p.publicURL, com.AdminEmail, "", nil, p.now())
			return err
		})
	})
	if errors.Is(err, admin.ErrNoSuchStaff) {
		return web.NewError(fiber.StatusConflict, "Le premier administrateur n'est plus un agent de cette commune.")
	} else if err != nil {
		return err
	}
	p.notify(slug)
	if err := p.audit(c, "invitation_resend", slug, com.AdminEmail); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Un nouveau lien a été envoyé à "+com.AdminEmail+".")
	return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
}

func (p *Console) showAudit(c *fiber.Ctx) error {
	entries, err := auditLog(c.UserContext(), p.db().Reader(), "", 500)
	if err != nil {
		return err
	}
	return web.Render(c, "plateforme/journal", "Journal de la plateforme", listData{Audit: entries})
}

type communeData struct {
	Row       Row
	Name      string // the name typed, kept when refused
	Error     string
	Hosts     string // the host names typed, kept when refused
	HostError string
	Audit     []AuditEntry
}

func (p *Console) renderCommune(c *fiber.Ctx, status int, d communeData) error {
	ctx, slug := c.UserContext(), c.Params("slug")
	com, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	fleet, err := p.reg.Fleet(ctx)
	if err != nil {
		return err
	}
	for _, f := range fleet {
		if f.Slug == com.Slug {
			d.Row = Row{FleetEntry: f}
		}
	}
	if d.Name == "" {
		d.Name = com.Name
	}
	if d.HostError == "" {
		d.Hosts = strings.Join(com.Hosts, " ")
	}
	if d.Audit, err = auditLog(ctx, p.db().Reader(), slug, 100); err != nil {
		return err
	}
	return web.RenderStatus(c, status, "plateforme/commune", com.Name, d)
}

// showCommune is one commune's page: its figures, its actions and its
// lines of the audit log.
func (p *Console) showCommune(c *fiber.Ctx) error {
	return p.renderCommune(c, fiber.StatusOK, communeData{})
}

// rename changes the name every page of the commune shows.
func (p *Console) rename(c *fiber.Ctx) error {
	ctx, slug, name := c.UserContext(), c.Params("slug"), c.FormValue("name")
	before, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	var ve *tenants.ValidationError
	if err := p.reg.SetName(ctx, slug, name); errors.As(err, &ve) {
		return p.renderCommune(c, fiber.StatusUnprocessableEntity, communeData{Name: name, Error: upperFirst(ve.Message) + "."})
	} else if err != nil {
		return err
	}
	after, err := p.reg.Commune(ctx, slug)
	if err != nil {
		return err
	}
	if err := p.audit(c, "commune_rename", slug, before.Name+" → "+after.Name); err != nil {
		return err
	}
	web.AddFlash(c, "success", "La commune s'appelle désormais "+after.Name+".")
	return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
}

// commune loads the commune of the URL; an unknown one is a French 404.
func (p *Console) commune(ctx context.Context, slug string) (tenants.Commune, error) {
	com, err := p.reg.Commune(ctx, slug)
	if errors.Is(err, tenants.ErrNotFound) {
		return com, web.ErrNotFound
	}
	return com, err
}

// setHosts replaces the host names the commune answers at.
func (p *Console) setHosts(c *fiber.Ctx) error {
	ctx, slug, typed := c.UserContext(), c.Params("slug"), c.FormValue("hosts")
	before, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	hosts, err := p.reg.SetHosts(ctx, slug, splitHosts(typed))
	var ve *tenants.ValidationError
	switch {
	case errors.As(err, &ve):
		return p.renderCommune(c, fiber.StatusUnprocessableEntity, communeData{Hosts: typed, HostError: upperFirst(ve.Message) + "."})
	case errors.Is(err, tenants.ErrDuplicateHost):
		return p.renderCommune(c, fiber.StatusUnprocessableEntity, communeData{Hosts: typed, HostError: upperFirst(err.Error()) + "."})
	case err != nil:
		return err
	}
	detail := strings.Join(before.Hosts, " ") + " → " + strings.Join(hosts, " ")
	if err := p.audit(c, "commune_hosts", slug, detail); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Noms d'hôte enregistrés.")
	return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
}

// splitHosts reads host names separated by spaces, commas or lines.
func splitHosts(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}
