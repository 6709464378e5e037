package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// auditSaved records the save of entity n° id: a creation when there was
// no before, else an update from *before to after.
func auditSaved[T any](ctx context.Context, tx tenants.Querier, who *Staff, entity string, id int64, before *T, after T, now time.Time) error {
	if before == nil {
		return audit(ctx, tx, who, "create", entity, id, nil, after, now)
	}
	return audit(ctx, tx, who, "update", entity, id, *before, after, now)
}

// audit writes one entry of the audit log inside the change's own
// transaction: who (the member), what (action on entity n° id), and the
// entity before and after, as JSON (nil when it did not exist).
func audit(ctx context.Context, tx tenants.Querier, who *Staff, action, entity string, id any, before, after any, now time.Time) error {
	actor := "système"
	if who != nil {
		actor = who.Actor()
	}
	js := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	b, err := js(before)
	if err != nil {
		return fmt.Errorf("admin: audit before: %w", err)
	}
	a, err := js(after)
	if err != nil {
		return fmt.Errorf("admin: audit after: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tenants.FormatTime(now), actor, action, entity, fmt.Sprint(id), b, a)
	if err != nil {
		return fmt.Errorf("admin: audit: %w", err)
	}
	return nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64
	At       string
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Before   string
	After    string
}

// When is the entry's time in Paris, "28/11/2017 10:08:14".
func (e AuditEntry) When() string {
	t, err := tenants.ParseTime(e.At)
	if err != nil {
		return e.At
	}
	return web.FormatDateTime(t)
}

const auditPage = 100

// AuditFilter narrows the journal: a person (the actor as recorded), a
// kind of object, and Paris days from From to Until (both included).
type AuditFilter struct {
	Actor, Entity string
	From, Until   calendar.Date
	BeforeID      int64 // paging: entries older than this one
}

// query is the filter's URL query, for the paging link.
func (f AuditFilter) query() string {
	v := url.Values{}
	if f.Actor != "" {
		v.Set("qui", f.Actor)
	}
	if f.Entity != "" {
		v.Set("objet", f.Entity)
	}
	if !f.From.IsZero() {
		v.Set("du", f.From.FR())
	}
	if !f.Until.IsZero() {
		v.Set("au", f.Until.FR())
	}
	return v.Encode()
}

// parisStart is the UTC timestamp at which day starts in Paris.
func parisStart(day calendar.Date) string {
	return ts(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, web.Paris()))
}

func auditEntries(ctx context.Context, q tenants.Querier, f AuditFilter) ([]AuditEntry, error) {
	query := `SELECT id, at, actor, action, entity, entity_id, COALESCE(before, ''), COALESCE(after, '') FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Actor != "" {
		query += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if !f.From.IsZero() {
		query += ` AND at >= ?`
		args = append(args, parisStart(f.From))
	}
	if !f.Until.IsZero() {
		query += ` AND at < ?`
		args = append(args, parisStart(f.Until.AddDays(1)))
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, auditPage)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("admin: audit log: %w", err)
	}
	return tenants.Collect(rows, func(r tenants.Row) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		return e, err
	})
}

// auditActors lists the people the journal names, for the filter.
func auditActors(ctx context.Context, q tenants.Querier) ([]string, error) {
	list, err := tenants.Values[string](ctx, q, `SELECT DISTINCT actor FROM audit_log ORDER BY actor LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("admin: audit actors: %w", err)
	}
	return list, nil
}

// AuditObjectOption is one choice of the journal's object filter.
type AuditObjectOption struct{ Value, Label string }

type auditData struct {
	base
	Filter  AuditFilter
	From    string // as typed, kept on an error
	Until   string
	Errors  formErrors
	Actors  []string
	Objects []AuditObjectOption
	Entries []AuditEntry
	Next    string // the query of the older entries' page, "" when none
}

// showAudit lists the audit log, newest first, filtered by person,
// object and dates (administrators only). A date that is not JJ/MM/AAAA
// is shown beside its field and the list is not filtered by it.
func (a *Admin) showAudit(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := auditData{base: baseOf(c, "journal"), Errors: formErrors{},
		From: strings.TrimSpace(c.Query("du")), Until: strings.TrimSpace(c.Query("au"))}
	d.Filter.Actor = strings.TrimSpace(c.Query("qui"))
	if e := c.Query("objet"); auditObjects[e].Label != "" {
		d.Filter.Entity = e
	}
	d.Filter.BeforeID, _ = strconv.ParseInt(c.Query("avant"), 10, 64)
	d.Filter.From = auditDay(d.Errors, "du", d.From, "La date de début")
	d.Filter.Until = auditDay(d.Errors, "au", d.Until, "La date de fin")
	if !d.Filter.From.IsZero() && !d.Filter.Until.IsZero() && d.Filter.Until.Before(d.Filter.From) {
		d.Errors.add("au", "La date de fin doit suivre la date de début.")
		d.Filter.Until = calendar.Date{}
	}
	for _, k := range auditObjectOrder {
		d.Objects = append(d.Objects, AuditObjectOption{Value: k, Label: auditObjects[k].Label})
	}
	var err error
	if d.Actors, err = auditActors(ctx, q); err != nil {
		return err
	}
	if d.Entries, err = auditEntries(ctx, q, d.Filter); err != nil {
		return err
	}
	if len(d.Entries) == auditPage {
		next := d.Filter
		next.BeforeID = d.Entries[len(d.Entries)-1].ID
		d.Next = next.query() + "&avant=" + strconv.FormatInt(next.BeforeID, 10)
	}
	status := fiber.StatusOK
	if len(d.Errors) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return web.RenderStatus(c, status, "admin/journal", "Journal des modifications", d)
}

// auditDay reads an optional JJ/MM/AAAA filter date.
func auditDay(errs formErrors, field, v, label string) calendar.Date {
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		errs.add(field, label+" doit être au format JJ/MM/AAAA (par exemple 04/03/2026).")
		return calendar.Date{}
	}
	return d
}
