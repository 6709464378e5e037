package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

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

// auditEntities are the kinds of objects the journal can be filtered on.
var auditEntities = []string{"family", "guardian", "child", "staff", "regie", "prestation", "closure",
	"school_holidays", "news", "settings", "logo", "attendance", "invoicing", "credit"}

func auditEntries(ctx context.Context, q tenants.Querier, entity string, beforeID int64) ([]AuditEntry, error) {
	query := `SELECT id, at, actor, action, entity, entity_id, COALESCE(before, ''), COALESCE(after, '') FROM audit_log WHERE 1 = 1`
	var args []any
	if entity != "" {
		query += ` AND entity = ?`
		args = append(args, entity)
	}
	if beforeID > 0 {
		query += ` AND id < ?`
		args = append(args, beforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, auditPage)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("admin: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

type auditData struct {
	base
	Entity   string
	Entities []string
	Entries  []AuditEntry
	NextID   int64
}

// showAudit lists the audit log, newest first (administrators only).
func (a *Admin) showAudit(c *fiber.Ctx) error {
	entity := c.Query("objet")
	before, _ := strconv.ParseInt(c.Query("avant"), 10, 64)
	list, err := auditEntries(c.UserContext(), db(c).Reader(), entity, before)
	if err != nil {
		return err
	}
	d := auditData{base: baseOf(c, "journal"), Entity: entity, Entries: list, Entities: auditEntities}
	if len(list) == auditPage {
		d.NextID = list[len(list)-1].ID
	}
	return web.Render(c, "admin/journal", "Journal des modifications", d)
}
