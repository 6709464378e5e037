package platform

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/admin"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Row is one commune of the console's list: what the registry keeps of
// it, without opening its file, seen at Now.
type Row struct {
	tenants.FleetEntry
	Now time.Time
}

// StatusLabel is the commune's status in French.
func (r Row) StatusLabel() string {
	switch {
	case !r.FileDeletedAt.IsZero():
		return "supprimée"
	case !r.ArchivedAt.IsZero():
		return "archivée"
	case r.Broken != "":
		return "en panne"
	case r.MigrateError != "":
		return "maintenance"
	case r.Status == tenants.StatusSuspended:
		return "suspendue"
	}
	return "active"
}

// Archived reports whether the commune is archived (or deleted).
func (r Row) Archived() bool { return !r.ArchivedAt.IsZero() }

// BackupLabel says how old the last good backup is ("il y a 3 h"), or
// that there is none; a failed last attempt is said too.
func (r Row) BackupLabel() string {
	age, ok := r.BackupAge(r.Now)
	s := "jamais"
	if ok {
		s = "il y a " + ageLabel(age)
	}
	if r.Backup.Error != "" {
		s += " (dernier essai en échec)"
	}
	return s
}

// BackupStale reports a commune with no good backup, or one older than
// the alert's 26 hours.
func (r Row) BackupStale() bool {
	age, ok := r.BackupAge(r.Now)
	return !ok || age > staleBackup || r.Backup.Error != ""
}

// staleBackup is the age past which a backup is an alert (docs/alerts.yml).
const staleBackup = 26 * time.Hour

// ageLabel is a duration for people: "12 min", "5 h", "3 j".
func ageLabel(d time.Duration) string {
	switch {
	case d < time.Hour:
		return strconv.Itoa(max(int(d/time.Minute), 0)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " j"
}

func count(n int64) string { return strconv.FormatInt(n, 10) }

// when is a moment for the list, "" when it never happened.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return web.FormatDateTime(t)
}

// column is one column of the list and of its CSV: adding a figure to the
// console is adding a line to listColumns.
type column struct {
	Key, Label string
	value      func(Row) string
	// csv is the value in the CSV file, when it differs (a machine-readable
	// figure rather than a sentence).
	csv func(Row) string
}

var listColumns = []column{
	{Key: "name", Label: "Nom", value: func(r Row) string { return r.Name }},
	{Key: "slug", Label: "Identifiant", value: func(r Row) string { return r.Slug }},
	{Key: "hosts", Label: "Noms d'hôte", value: func(r Row) string { return strings.Join(r.Hosts, " ") }},
	{Key: "zone", Label: "Zone", value: func(r Row) string { return r.Zone }},
	{Key: "status", Label: "Statut", value: Row.StatusLabel},
	{Key: "schema", Label: "Version du schéma", value: func(r Row) string { return strconv.FormatInt(r.SchemaVersion, 10) }},
	{Key: "size", Label: "Taille (Mo)", value: func(r Row) string { return fmt.Sprintf("%.1f", float64(r.SizeBytes)/1e6) }},
	{Key: "families", Label: "Familles", value: func(r Row) string { return count(r.Families) }},
	{Key: "children", Label: "Enfants", value: func(r Row) string { return count(r.Children) }},
	{Key: "accounts", Label: "Comptes liés", value: func(r Row) string { return count(r.LinkedAccounts) }},
	{Key: "bookings", Label: "Réservations (7 jours)", value: func(r Row) string { return count(r.Bookings7d) }},
	{Key: "activity", Label: "Dernière activité", value: func(r Row) string { return when(r.LastActivity) },
		csv: func(r Row) string { return rfc3339(r.LastActivity) }},
	{Key: "backup", Label: "Dernière sauvegarde", value: Row.BackupLabel,
		csv: func(r Row) string { return rfc3339(r.Backup.OKAt) }},
}

// csvColumns are the CSV's extra columns: what the page shows in words.
var csvColumns = []column{
	{Key: "backup_age_hours", Label: "Âge de la sauvegarde (h)", value: func(r Row) string {
		if age, ok := r.BackupAge(r.Now); ok {
			return strconv.FormatInt(int64(age/time.Hour), 10)
		}
		return ""
	}},
	{Key: "backup_error", Label: "Erreur de la dernière sauvegarde", value: func(r Row) string { return r.Backup.Error }},
	{Key: "figures_at", Label: "Chiffres lus le", value: func(r Row) string { return rfc3339(r.ActivityAt) }},
	{Key: "problem", Label: "Panne ou migration en échec", value: func(r Row) string { return cmp.Or(r.Broken, r.MigrateError) }},
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Cells are the row's values for the page.
func (r Row) Cells() []string {
	out := make([]string, len(listColumns))
	for i, col := range listColumns {
		out[i] = col.value(r)
	}
	return out
}

// listIDs searches (name, slug or host) and sorts (by the column key sort,
// "-" first: descending) every commune from the registry's keys alone,
// and returns their ids in order (no commune file is opened).
func listIDs(ctx context.Context, reg *tenants.Registry, q, sort string) ([]int64, error) {
	desc := strings.HasPrefix(sort, "-")
	key := strings.TrimPrefix(sort, "-")
	q = strings.ToLower(strings.TrimSpace(q))
	keys, err := reg.FleetKeys(ctx, key, q != "" || key == "hosts")
	if err != nil {
		return nil, err
	}
	type item struct {
		id   int64
		text string // lower-cased text key, or
		num  int64  // numeric key
	}
	items := make([]item, 0, len(keys))
	for _, k := range keys {
		if q != "" && !strings.Contains(strings.ToLower(k.Name+" "+k.Slug+" "+k.Hosts), q) {
			continue
		}
		it := item{id: k.ID}
		switch key {
		case "name":
			it.text = strings.ToLower(k.Name)
		case "slug":
			it.text = k.Slug
		case "hosts":
			it.text = k.Hosts
		default:
			switch v := k.Key.(type) {
			case int64:
				it.num = v
			case string:
				it.text = strings.ToLower(v)
			}
		}
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b item) int {
		c := cmp.Or(cmp.Compare(a.num, b.num), strings.Compare(a.text, b.text))
		if desc {
			return -c
		}
		return c
	})
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	return ids, nil
}

// listRows is every commune of listIDs with its figures (the CSV).
func listRows(ctx context.Context, reg *tenants.Registry, q, sort string, now time.Time) ([]Row, error) {
	ids, err := listIDs(ctx, reg, q, sort)
	if err != nil {
		return nil, err
	}
	all, err := reg.Fleet(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]tenants.FleetEntry, len(all))
	for _, f := range all {
		byID[f.ID] = f
	}
	rows := make([]Row, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			rows = append(rows, Row{FleetEntry: f, Now: now})
		}
	}
	return rows, nil
}

// pageSize is how many communes one page of the list shows; the CSV has
// them all.
const pageSize = 100

// versionCount is one schema version of the fleet and its communes.
type versionCount struct {
	Version  int64
	Communes int
	Latest   bool
}

// fleetSummary is the fleet at a glance: communes per schema version, and
// those behind the binary's schema, out of service or failing to migrate.
type fleetSummary struct {
	Latest   int64
	Versions []versionCount
	Behind   int
	// Trouble lists the communes broken or whose migration failed, with
	// why (at most troubleMax; TroubleMore counts the others).
	Trouble     []Row
	TroubleMore int
	StaleBackup int
}

const troubleMax = 50

func (p *Console) summarize(ctx context.Context) (fleetSummary, error) {
	latest, err := tenants.CommuneSchema.Latest()
	if err != nil {
		return fleetSummary{}, err
	}
	now := p.now()
	s, err := p.reg.Summary(ctx, now, staleBackup, troubleMax)
	if err != nil {
		return fleetSummary{}, err
	}
	sum := fleetSummary{Latest: latest, StaleBackup: s.StaleBackups, TroubleMore: s.TroubleCount - len(s.Trouble)}
	for v, n := range s.Versions {
		sum.Versions = append(sum.Versions, versionCount{Version: v, Communes: n, Latest: v == latest})
		if v < latest {
			sum.Behind += n
		}
	}
	slices.SortFunc(sum.Versions, func(a, b versionCount) int { return cmp.Compare(b.Version, a.Version) })
	for _, f := range s.Trouble {
		sum.Trouble = append(sum.Trouble, Row{FleetEntry: f, Now: now})
	}
	return sum, nil
}

type listData struct {
	Query, Sort string
	Columns     []column
	Rows        []Row
	Total       int // rows matching the search, all pages
	Page, Pages int
	Summary     fleetSummary
	Audit       []AuditEntry
}

// SortLink is the URL that sorts the list by key (reversing the current
// order when it already sorts by key).
func (d listData) SortLink(key string) string {
	s := key
	if d.Sort == key {
		s = "-" + key
	}
	return d.link(s, 1)
}

// PageLink is the URL of page n of the current list.
func (d listData) PageLink(n int) string { return d.link(d.Sort, n) }

func (d listData) link(sort string, page int) string {
	v := url.Values{"tri": {sort}}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/plateforme/?" + v.Encode()
}

// CSVLink is the CSV of the current search and order.
func (d listData) CSVLink() string {
	v := url.Values{"tri": {d.Sort}}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	return "/plateforme/communes.csv?" + v.Encode()
}

// Prev and Next are the neighbouring pages (0: none).
func (d listData) Prev() int {
	if d.Page > 1 {
		return d.Page - 1
	}
	return 0
}

func (d listData) Next() int {
	if d.Page < d.Pages {
		return d.Page + 1
	}
	return 0
}

// communesPage builds the list's page: every commune's keys are read
// from the registry to search and sort, the figures of one page only.
func (p *Console) communesPage(ctx context.Context, q, sort, page string) (listData, error) {
	ids, err := listIDs(ctx, p.reg, q, sort)
	if err != nil {
		return listData{}, err
	}
	d := listData{Query: q, Sort: sort, Columns: listColumns, Total: len(ids)}
	if d.Summary, err = p.summarize(ctx); err != nil {
		return listData{}, err
	}
	d.Pages = max(1, (len(ids)+pageSize-1)/pageSize)
	d.Page, _ = strconv.Atoi(page)
	d.Page = min(max(d.Page, 1), d.Pages)
	entries, err := p.reg.FleetByID(ctx, ids[min((d.Page-1)*pageSize, len(ids)):min(d.Page*pageSize, len(ids))])
	if err != nil {
		return listData{}, err
	}
	now := p.now()
	for _, f := range entries {
		d.Rows = append(d.Rows, Row{FleetEntry: f, Now: now})
	}
	return d, nil
}

func (p *Console) showCommunes(c *fiber.Ctx) error {
	d, err := p.communesPage(c.UserContext(), c.Query("q"), c.Query("tri", "name"), c.Query("page"))
	if err != nil {
		return err
	}
	return web.Render(c, "plateforme/communes", "Communes", d)
}

// communesCSV is the same list as a CSV file (semicolons, as French
// spreadsheets expect), every page, with the same figures and a few more
// for scripts (backup age in hours, errors, when the figures were read).
func (p *Console) communesCSV(c *fiber.Ctx) error {
	rows, err := listRows(c.UserContext(), p.reg, c.Query("q"), c.Query("tri", "name"), p.now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="communes.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeCSV(c.Response().BodyWriter(), rows)
}

// writeCSV writes rows with listColumns then csvColumns.
func writeCSV(out io.Writer, rows []Row) error {
	w := csv.NewWriter(out)
	w.Comma = ';'
	cols := slices.Concat(listColumns, csvColumns)
	head := make([]string, len(cols))
	for i, col := range cols {
		head[i] = col.Label
	}
	_ = w.Write(head)
	rec := make([]string, len(cols))
	for _, r := range rows {
		for i, col := range cols {
			if col.csv != nil {
				rec[i] = col.csv(r)
			} else {
				rec[i] = col.value(r)
			}
		}
		_ = w.Write(rec)
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
		} else if errors.Is(err, tenants.ErrArchived) {
			return web.NewError(fiber.StatusConflict, "Cette commune est archivée : elle ne peut plus être rouverte ni suspendue.")
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
	// Invitation is the delivery of the first administrator's invitation.
	Invitation Delivery
	// BackupError says why "Sauvegarder maintenant" failed.
	BackupError string
	// RetireError says why archiving (RetireDelete: deleting) was refused.
	RetireError  string
	RetireDelete bool
	BackupDir    bool // a backup directory is configured
	// Retention is how long an archive is kept, in days.
	RetentionDays int
	// Node is where the commune is served (several nodes); MoveError says
	// why a move was refused, MoveTo is the node chosen.
	Node      NodeInfo
	MoveError string
	MoveTo    string
}

func (p *Console) renderCommune(c *fiber.Ctx, status int, d communeData) error {
	ctx, slug := c.UserContext(), c.Params("slug")
	com, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	f, err := p.reg.FleetCommune(ctx, com.Slug)
	if err != nil {
		return err
	}
	d.Row = Row{FleetEntry: f, Now: p.now()}
	if d.Invitation, err = p.delivery(ctx, d.Row); err != nil {
		return err
	}
	d.BackupDir = p.backupDir != ""
	d.RetentionDays = int(cmp.Or(p.archiveRetention, tenants.DefaultArchiveRetention) / (24 * time.Hour))
	if d.Name == "" {
		d.Name = com.Name
	}
	if d.HostError == "" {
		d.Hosts = strings.Join(com.Hosts, " ")
	}
	if d.Audit, err = auditLog(ctx, p.db().Reader(), slug, 100); err != nil {
		return err
	}
	if d.Node, err = p.nodeInfo(ctx, slug); err != nil {
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
