package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// Work is a kind of background work that may wait in a commune's file.
//
// The platform registry keeps one flag per commune and kind (table
// commune_work) so that start-up and periodic jobs open only the communes
// that need them, not every file of the node. Nobody sets a flag by hand:
// the writer connection of every commune opened through the registry has
// an SQLite pre-update hook that notes the rows inserted into the tables
// below, and DB.Tx records the matching flags in the registry *before* the
// transaction commits (whoever wrote the rows: mail.Enqueue, an order, a
// log-in, a back-office page). Rows written straight on DB.W, outside
// DB.Tx, are not flagged (the audit finds them within a day): write work
// through DB.Tx. A flag is removed only by SettleWork, which looks for
// remaining work under the commune's write lock.
//
// Lock order: a commune's writer, then the platform's writer (never the
// reverse): flags are written inside commune transactions.
type Work string

// The kinds of background work.
const (
	WorkMail         Work = "mail"         // outbox rows to send (app/mail)
	WorkOrders       Work = "orders"       // orders waiting for their payment provider (app/billing)
	WorkHousekeeping Work = "housekeeping" // sessions, links and counters to purge one day
	// WorkReminders is when the commune's next booking cut-off reminder
	// goes out (app/reminder). Its due time is computed by the job, not
	// by the rows it writes: the job sets it with SetWork, and a commune
	// without the flag has never been looked at (MissingWork).
	WorkReminders Work = "reminders"
)

// workKind says which inserted rows create a kind of work, and how to tell
// whether any of it remains.
type workKind struct {
	kind   Work
	bit    uint32
	tables []string
	// delay is how far ahead a new flag falls due.
	delay time.Duration
	// remaining is one query returning when the work next falls due
	// (text in workTimeLayout), or NULL when none remains; ?1 is "now plus
	// the job's recheck delay" for kinds whose rows carry no due time.
	remaining string
	// recheck is how long after a settle that finds work left the job
	// should look again, when the rows do not say.
	recheck time.Duration
}

var workKinds = []workKind{
	{kind: WorkMail, bit: 1 << 0, tables: []string{"outbox"},
		remaining: `SELECT MIN(next_attempt_at) FROM outbox WHERE status IN ('pending', 'sending')`},
	{kind: WorkOrders, bit: 1 << 1, tables: []string{"orders"},
		remaining: `SELECT CASE WHEN EXISTS (SELECT 1 FROM orders WHERE status = 'pending') THEN ?1 END`},
	// A waiting list (app/booking) has offers to end when their time is
	// over: a commune with entries on a list is visited too. So is one
	// holding medical certificates (app/absences), deleted once their
	// retention is over (RGPD).
	{kind: WorkHousekeeping, bit: 1 << 2, tables: []string{"sessions", "staff_sessions", "staff_tokens", "staff_login_failures", "waitlist",
		"absence_certificates"},
		delay: time.Hour, recheck: 12 * time.Hour,
		remaining: `SELECT CASE WHEN EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM staff_sessions)
			OR EXISTS (SELECT 1 FROM staff_tokens) OR EXISTS (SELECT 1 FROM staff_login_failures)
			OR EXISTS (SELECT 1 FROM waitlist WHERE state IN ('waiting', 'offered'))
			OR EXISTS (SELECT 1 FROM absence_certificates) THEN ?1 END`},
}

// workTables maps a table name to the bit of the work its inserts create.
var workTables = func() map[string]uint32 {
	m := map[string]uint32{}
	for _, k := range workKinds {
		for _, t := range k.tables {
			m[t] |= k.bit
		}
	}
	return m
}()

// workTimeLayout is the registry's UTC time format; it sorts as text and
// is the outbox's own format.
// sqliteInsert is SQLITE_INSERT, the pre-update hook's op for a new row.
const sqliteInsert = 18

// preUpdate is the writer connection's pre-update hook: it runs inside
// SQLite for every row written, so it only sets a bit.
func (d *DB) preUpdate(data sqlite.SQLitePreUpdateData) {
	if f := d.repl.Load(); f != nil {
		f.dirty() // the replication lag counts from here (replica.go)
	}
	if data.Op != sqliteInsert {
		return
	}
	if bit := workTables[data.TableName]; bit != 0 {
		d.touched.Or(bit)
	}
}

// workRecorder writes a commune's work flags to the platform registry.
type workRecorder struct {
	platform  *DB
	communeID int64
	// deferred collects the kinds instead, for a file not registered yet
	// (CreateCommune records them with the registration).
	deferred *uint32
}

// record makes sure a flag falling due by now+delay exists for each kind
// in kinds. It runs inside the commune's write transaction: a flag read
// here cannot be removed before that transaction ends (SettleWork removes
// flags under the same lock), so reading first spares the platform's
// writer when the flag is already there, as it is for a busy commune.
func (w *workRecorder) record(ctx context.Context, kinds uint32) error {
	if w.deferred != nil {
		*w.deferred |= kinds
		return nil
	}
	now := time.Now()
	var missing []workKind
	for _, k := range workKinds {
		if kinds&k.bit == 0 {
			continue
		}
		var due string
		err := w.platform.Reader().QueryRowContext(ctx,
			`SELECT due_at FROM commune_work WHERE commune_id = ? AND kind = ?`, w.communeID, string(k.kind)).Scan(&due)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			missing = append(missing, k)
		case err != nil:
			return err
		case due > FormatTime(now.Add(k.delay)):
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return w.platform.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range missing {
			if err := upsertWork(ctx, tx, w.communeID, k.kind, FormatTime(now.Add(k.delay)), true); err != nil {
				return err
			}
		}
		return nil
	})
}

// upsertWork sets a flag's due time (keeping an earlier one when earliest).
func upsertWork(ctx context.Context, tx *sql.Tx, communeID int64, kind Work, due string, earliest bool) error {
	q := `INSERT INTO commune_work (commune_id, kind, due_at) VALUES (?, ?, ?)
		ON CONFLICT (commune_id, kind) DO UPDATE SET due_at = excluded.due_at`
	if earliest {
		q += ` WHERE excluded.due_at < commune_work.due_at`
	}
	if _, err := tx.ExecContext(ctx, q, communeID, string(kind), due); err != nil {
		return fmt.Errorf("tenants: flag %s work: %w", kind, err)
	}
	return nil
}

// noLimit is "LIMIT ?"'s argument for "all": PostgreSQL refuses
// SQLite's -1.
const noLimit = math.MaxInt32

// WorkDue lists the active, healthy communes whose flag of kind has fallen
// due by now, earliest first, at most limit (all when limit <= 0).
func (r *Registry) WorkDue(ctx context.Context, kind Work, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var out []string
	var err error
	if r.nodes == nil {
		out, err = Values[string](ctx, r.platform.Reader(), `
		SELECT c.slug FROM commune_work w JOIN communes c ON c.id = w.commune_id
		WHERE w.kind = ? AND w.due_at <= ? AND c.status = 'active' AND c.broken = ''
		ORDER BY w.due_at, c.slug LIMIT ?`, string(kind), FormatTime(now), limit)
	} else {
		// Among several nodes, a commune's jobs run on its owner: the
		// communes another live node holds are its work, not this node's
		// (one nobody holds is claimed by the node whose job opens it).
		out, err = Values[string](ctx, r.platform.Reader(), `
		SELECT c.slug FROM commune_work w JOIN communes c ON c.id = w.commune_id
		WHERE w.kind = ? AND w.due_at <= ? AND c.status = 'active' AND c.broken = ''
		  AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.name = 'commune:' || c.slug
		                  AND l.node <> '' AND l.node <> ? AND l.expires_at > ?)
		ORDER BY w.due_at, c.slug LIMIT ?`, string(kind), FormatTime(now), r.nodes.id, FormatTime(time.Now()), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("tenants: communes with %s work: %w", kind, err)
	}
	return out, nil
}

// MarkWork flags work of kind in slug's commune, due at due: for a job
// that leaves work for later in a way the hook does not see (a retry).
func (r *Registry) MarkWork(ctx context.Context, slug string, kind Work, due time.Time) error {
	return r.flagWork(ctx, slug, kind, due, true)
}

// SetWork sets slug's flag of kind to fall due exactly at due (later or
// earlier than before): for a job that computes its commune's next turn
// itself (WorkReminders). ErrNotFound for an unknown commune.
func (r *Registry) SetWork(ctx context.Context, slug string, kind Work, due time.Time) error {
	return r.flagWork(ctx, slug, kind, due, false)
}

// flagWork writes slug's flag of kind (keeping an earlier due time when
// earliest).
func (r *Registry) flagWork(ctx context.Context, slug string, kind Work, due time.Time, earliest bool) error {
	return r.platform.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM communes WHERE slug = ?`, slug).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		return upsertWork(ctx, tx, id, kind, FormatTime(due), earliest)
	})
}

// MissingWork lists, by slug, at most limit active and healthy communes
// that have no flag of kind at all: those a job that keeps its flag set
// (WorkReminders) has never looked at, such as a commune just created.
func (r *Registry) MissingWork(ctx context.Context, kind Work, limit int) ([]string, error) {
	if limit <= 0 {
		limit = noLimit
	}
	rows, err := r.platform.Reader().QueryContext(ctx, `
		SELECT c.slug FROM communes c
		WHERE c.status = 'active' AND c.broken = ''
		  AND NOT EXISTS (SELECT 1 FROM commune_work w WHERE w.commune_id = c.id AND w.kind = ?)
		ORDER BY c.id LIMIT ?`, string(kind), limit)
	if err != nil {
		return nil, fmt.Errorf("tenants: communes without %s work: %w", kind, err)
	}
	return Column[string](rows)
}

// SettleWork looks, under the commune's write lock, for work of each kind
// flagged for db's commune (every kind when none is given): a flag with
// nothing behind it is removed, the others fall due when their work does.
// No transaction creating work can commit meanwhile, in this process or
// another, so a flag is never removed while its work is on its way.
func (r *Registry) SettleWork(ctx context.Context, db *DB, kinds ...Work) error {
	if db.work == nil || db.work.deferred != nil {
		return errors.New("tenants: settle work: database not opened through the registry")
	}
	flagged, err := r.flags(ctx, db.work.communeID)
	if err != nil || len(flagged) == 0 {
		return err
	}
	var todo []workKind
	for _, k := range workKinds {
		if flagged[k.kind] && (len(kinds) == 0 || containsWork(kinds, k.kind)) {
			todo = append(todo, k)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	now := time.Now()
	return db.Tx(ctx, func(tx *sql.Tx) error {
		next := make([]sql.NullString, len(todo))
		for i, k := range todo {
			err := tx.QueryRowContext(ctx, k.remaining, FormatTime(now.Add(k.recheck))).Scan(&next[i])
			if err != nil && !strings.Contains(err.Error(), "no such table") {
				return fmt.Errorf("tenants: %s work left: %w", k.kind, err)
			}
		}
		return r.platform.Tx(ctx, func(ptx *sql.Tx) error {
			for i, k := range todo {
				if !next[i].Valid {
					if _, err := ptx.ExecContext(ctx, `DELETE FROM commune_work WHERE commune_id = ? AND kind = ?`,
						db.work.communeID, string(k.kind)); err != nil {
						return err
					}
					continue
				}
				if err := upsertWork(ctx, ptx, db.work.communeID, k.kind, next[i].String, false); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// flags returns the kinds flagged for a commune.
func (r *Registry) flags(ctx context.Context, communeID int64) (map[Work]bool, error) {
	rows, err := r.platform.Reader().QueryContext(ctx, `SELECT kind FROM commune_work WHERE commune_id = ?`, communeID)
	if err != nil {
		return nil, fmt.Errorf("tenants: work flags: %w", err)
	}
	kinds, err := Column[string](rows)
	if err != nil {
		return nil, err
	}
	out := make(map[Work]bool, len(kinds))
	for _, k := range kinds {
		out[Work(k)] = true
	}
	return out, nil
}

func containsWork(list []Work, k Work) bool {
	for _, w := range list {
		if w == k {
			return true
		}
	}
	return false
}

// findWork reads, without any lock, which kinds of work a commune's file
// holds (the audit: a flag is only ever added from this, never removed).
func findWork(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, now time.Time) (map[Work]string, error) {
	out := map[Work]string{}
	for _, k := range workKinds {
		var next sql.NullString
		err := q.QueryRowContext(ctx, k.remaining, FormatTime(now)).Scan(&next)
		if err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue
			}
			return nil, fmt.Errorf("tenants: %s work: %w", k.kind, err)
		}
		if next.Valid {
			out[k.kind] = next.String
		}
	}
	return out, nil
}
