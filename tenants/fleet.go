package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// opened is what the registry knows of a handle it opened.
type opened struct {
	commune Commune // as the registry had it at open
	stamp   string  // the file's stamp at open
}

// fileStamp identifies a file's state cheaply: its size and modification
// time, as the registry records them when this node closes it.
func fileStamp(st fs.FileInfo) string {
	return strconv.FormatInt(st.Size(), 10) + ":" + strconv.FormatInt(st.ModTime().UnixNano(), 10)
}

// quickCheckMax bounds the files quick-checked on open: PRAGMA quick_check
// reads the whole file, cheap for a commune (a few MiB), not for a giant;
// larger files are checked by the background audit and `commune check`.
const quickCheckMax = 64 << 20

// openCommune opens slug's file for the cache. A file this node closed
// cleanly at the binary's schema (same size and modification time since,
// and no write-ahead log left with frames) is trusted: it opens lazily, without a schema check, and a page that
// only reads connects one reader. Any other file is checked: header,
// schema version (migrated when behind) and, when it was touched elsewhere
// (a crash, a copy, a restore), PRAGMA quick_check. A file that is
// missing, damaged or fails its check marks the commune broken.
func (r *Registry) openCommune(ctx context.Context, slug string) (_ *DB, err error) {
	c, err := r.communeForOpen(ctx, slug)
	if err != nil {
		return nil, fmt.Errorf("tenants: commune %s: %w", slug, err)
	}
	if c.Broken != "" {
		return nil, &BrokenError{Slug: slug, Reason: c.Broken}
	}
	// Among several nodes, only the holder of the commune's lease opens
	// its file (lease_commune.go); nil on a single node.
	lease, grant, err := r.nodes.gate(ctx, slug)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && grant != nil {
			r.nodes.drop(lease)
		}
	}()
	path := r.CommunePath(slug)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) && r.nodes != nil {
		// This node has no copy (and the replica none, or there is no
		// replica): another node may have one. The commune is not
		// marked broken for them all; this node gives the lease up.
		if lease != nil && grant == nil {
			r.nodes.drop(lease)
		}
		return nil, fmt.Errorf("%w: %s (%s)", ErrFileNotHere, slug, path)
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil, r.MarkBroken(ctx, slug, "fichier introuvable ("+path+")")
	} else if err != nil {
		return nil, fmt.Errorf("tenants: commune %s: %w", slug, err)
	}
	stamp := fileStamp(st)
	latest, err := CommuneSchema.Latest()
	if err != nil {
		return nil, err
	}
	repl, err := r.opt.Replica.openReplicated(ctx, path, replicaName(slug))
	if err != nil {
		return nil, fmt.Errorf("tenants: commune %s: %w", slug, err)
	}
	defer func() {
		if err != nil {
			r.opt.Replica.closeReplicated(repl)
		}
	}()
	var db *DB
	if c.SchemaVersion == latest && c.fileStamp == stamp && walEmpty(path) {
		if db, err = OpenDB(path, OpenOptions{ReadConns: r.opt.ReadConns, ReadIdle: r.opt.ReadIdle, Lazy: true, WriteWait: r.opt.Hooks.WriteWait,
			Replicated: repl != nil, Lease: lease}); err != nil {
			return nil, err
		}
		// Untouched since this node closed it: the values it had
		// memoised then still hold, each at its configuration version.
		r.memos.restore(slug, stamp, db)
	} else {
		r.memos.drop(slug)
		if db, err = r.openChecked(ctx, c, path, st, latest, repl != nil, lease); err != nil {
			return nil, err
		}
	}
	db.attach(repl)
	db.work = &workRecorder{platform: r.platform, communeID: c.ID}
	db.opened = &opened{commune: c, stamp: stamp}
	if lease != nil {
		repl.fence(lease)
		if err = r.nodes.opened(ctx, db, grant); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

// walEmpty reports whether the file has no write-ahead log with frames in
// it: a read-only session leaves an empty one, a clean close of a writer
// none; frames mean a writer did not close (a crash, another process),
// and the writer's connection, which may recover them, should open first.
func walEmpty(path string) bool {
	st, err := os.Stat(path + "-wal")
	return errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0)
}

// openChecked opens a file the registry cannot vouch for.
// Under a lease (nil on a single node) every commit, the migrations'
// included, is fenced by it.
func (r *Registry) openChecked(ctx context.Context, c Commune, path string, st fs.FileInfo, latest int64, replicated bool, lease *Lease) (*DB, error) {
	slug := c.Slug
	if reason, err := checkHeader(path); err != nil {
		return nil, fmt.Errorf("tenants: commune %s: %w", slug, err)
	} else if reason != "" {
		return nil, r.MarkBroken(ctx, slug, reason)
	}
	db, err := OpenDB(path, OpenOptions{ReadConns: r.opt.ReadConns, ReadIdle: r.opt.ReadIdle, WriteWait: r.opt.Hooks.WriteWait, Replicated: replicated, Lease: lease})
	if err != nil {
		if IsCorrupt(err) {
			return nil, r.MarkBroken(ctx, slug, err.Error())
		}
		return nil, err
	}
	fail := func(err error) (*DB, error) {
		db.Close()
		if IsCorrupt(err) {
			return nil, r.MarkBroken(ctx, slug, err.Error())
		}
		return nil, err
	}
	v, err := Version(ctx, db.W)
	if err != nil {
		return fail(fmt.Errorf("tenants: commune %s: %w", slug, err))
	}
	if c.fileStamp != fileStamp(st) && st.Size() <= quickCheckMax {
		problems, err := integrity(ctx, db.W, "quick_check")
		if err != nil {
			return fail(err)
		}
		if problems != "" {
			db.Close()
			return nil, r.MarkBroken(ctx, slug, "quick_check: "+problems)
		}
	}
	switch {
	case v < latest:
		from, to, err := CommuneSchema.migrateFenced(ctx, path, db.fence())
		if lerr := lease.Check(); err != nil && lerr != nil {
			db.Close() // not a migration error: the fence stopped it
			return nil, fmt.Errorf("tenants: commune %s: migration from %d stopped at %d: %w", slug, from, to, lerr)
		}
		r.migrated(slug, from, to, err)
		if rerr := r.recordMigration(ctx, c.ID, from, to, err); rerr != nil {
			r.log.Warn("tenants: record migration", "commune", slug, "err", rerr)
		}
		if err != nil {
			r.log.Error("commune migration failed", "commune", slug, "from", from, "to", to, "err", err)
			if IsCorrupt(err) {
				return fail(err)
			}
			db.Close()
			return nil, fmt.Errorf("%w: %s: %v", ErrSchemaBehind, slug, err)
		}
		r.log.Info("commune migrated", "commune", slug, "from", from, "to", to)
	case v > latest:
		db.Close()
		return nil, fmt.Errorf("tenants: commune %s: %w", slug, ErrNewerSchema)
	}
	if c.SchemaVersion != latest {
		if _, err := r.platform.W.ExecContext(ctx, `UPDATE communes SET schema_version = ? WHERE id = ?`, latest, c.ID); err != nil {
			db.Close()
			return nil, fmt.Errorf("tenants: record schema version of %s: %w", slug, err)
		}
	}
	return db, nil
}

// closeCommunes is the cache's closer: for each handle it settles the
// work flags, reads its figures when it wrote, closes it, and then records
// in one platform transaction the files' new stamps, sizes and figures.
func (r *Registry) closeCommunes(dbs []*DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type update struct {
		id        int64
		stamp     string
		size      int64
		figures   figures
		lastWrite time.Time
		counted   bool
	}
	now := time.Now()
	var updates []update
	for _, db := range dbs {
		o := db.opened
		if o == nil {
			_ = r.closeDB(db)
			continue
		}
		if err := r.SettleWork(ctx, db); err != nil {
			r.log.Warn("tenants: settle work flags", "commune", o.commune.Slug, "err", err)
		}
		u := update{id: o.commune.ID, lastWrite: db.LastWrite()}
		if db.writes.Load() > 0 || o.commune.fileStamp == "" {
			u.figures, u.counted = readFigures(ctx, db, now)
		}
		// Closed, then replicated to the last write: the file's stamp is
		// read after Litestream's final checkpoint.
		if err := r.closeDB(db); err != nil {
			r.log.Warn("tenants: close commune", "commune", o.commune.Slug, "err", err)
			continue // not a clean close: the next open checks the file
		}
		st, err := os.Stat(db.path)
		if err != nil {
			continue
		}
		u.stamp, u.size = fileStamp(st), st.Size()
		r.memos.keep(o.commune.Slug, u.stamp, db)
		if u.stamp != o.commune.fileStamp || u.counted {
			updates = append(updates, u)
		}
	}
	if len(updates) == 0 {
		return
	}
	at := FormatTime(now)
	err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
		for _, u := range updates {
			q, args := `UPDATE communes SET file_stamp = ?, size_bytes = ? WHERE id = ?`, []any{u.stamp, u.size, u.id}
			if u.counted {
				last := ""
				if !u.lastWrite.IsZero() {
					last = FormatTime(u.lastWrite)
				}
				q = `UPDATE communes SET file_stamp = ?, size_bytes = ?, families = ?, children = ?, bookings_7d = ?, stats_at = ?, activity_at = ?,
					last_activity_at = CASE WHEN ? > last_activity_at THEN ? ELSE last_activity_at END WHERE id = ?`
				args = []any{u.stamp, u.size, u.figures.families, u.figures.children, u.figures.bookings7d, at, at, last, last, u.id}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.log.Warn("tenants: record closed communes", "communes", len(updates), "err", err)
	}
}

// FleetEntry is what the registry knows of one commune without opening
// its file: `commune list`, the provider's console.
type FleetEntry struct {
	Commune
	SizeBytes          int64
	Families, Children int64
	// Bookings7d is the number of reservations validated in the seven days
	// before ActivityAt, when it was read (activity.go says how often).
	Bookings7d int64
	StatsAt    time.Time // when the counts were last read (zero: never)
	ActivityAt time.Time // when Bookings7d was last read (zero: never)
	// LastActivity is the commune's last write transaction (a booking, a
	// log-in, a back-office change) seen by this node (zero: none seen).
	LastActivity time.Time
	// LinkedAccounts is the number of parents' accounts with a membership.
	LinkedAccounts int64
	AuditedAt      time.Time // when the background audit last read the file
	BrokenAt       time.Time
	MigrateErrorAt time.Time
	// ArchivePath is the archived commune's final backup; FileDeletedAt
	// when its live file was deleted (zero: kept).
	ArchivePath   string
	FileDeletedAt time.Time
	// Backup is the commune's last backup (zero Target: none attempted).
	Backup BackupState
	Work   []Work // kinds of work flagged, in kind order
}

// BackupAge is how old the commune's last good backup still known current
// is at now; ok is false when it never had one.
func (f FleetEntry) BackupAge(now time.Time) (age time.Duration, ok bool) {
	if f.Backup.OKAt.IsZero() {
		return 0, false
	}
	return now.Sub(f.Backup.CoveredAt), true
}

// Fleet lists every commune with the figures kept in the registry, ordered
// by slug; it opens no commune file.
func (r *Registry) Fleet(ctx context.Context) ([]FleetEntry, error) {
	return r.fleet(ctx, "")
}

// FleetCommune is Fleet for one commune.
func (r *Registry) FleetCommune(ctx context.Context, slug string) (FleetEntry, error) {
	list, err := r.fleet(ctx, `c.slug = ?`, slug)
	if err != nil {
		return FleetEntry{}, err
	}
	if len(list) == 0 {
		return FleetEntry{}, ErrNotFound
	}
	return list[0], nil
}

// FleetByID is Fleet for the communes ids, in the order of ids (unknown
// ids are left out): one page of a list sorted by FleetKeys.
func (r *Registry) FleetByID(ctx context.Context, ids []int64) ([]FleetEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	list, err := r.fleet(ctx, `c.id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]FleetEntry, len(list))
	for _, f := range list {
		byID[f.ID] = f
	}
	out := make([]FleetEntry, 0, len(list))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// FleetKey is what a list of every commune needs to search and sort them
// before reading the figures of one page (FleetByID): 10,000 full rows
// cost more to read than to show.
type FleetKey struct {
	ID                int64
	Slug, Name, Hosts string
	// Key is the value of the sort field asked (int64, or string), nil
	// for the fields above.
	Key any
}

// fleetSortFields are the sort fields FleetKeys knows beside slug, name
// and hosts, as SQL over communes c and backups b.
var fleetSortFields = map[string]string{
	"zone": `c.zone`, "schema": `c.schema_version`, "size": `c.size_bytes`, "families": `c.families`, "children": `c.children`,
	"accounts": `(SELECT count(*) FROM memberships m WHERE m.commune_id = c.id)`, "bookings": `c.bookings_7d`,
	"activity": `c.last_activity_at`,
	// A commune never backed up sorts as the oldest backup.
	"backup": `CASE WHEN COALESCE(b.ok_at, '') = '' THEN '' ELSE b.covered_at END`,
	// The order of FleetEntry's states: deleted, archived, broken, in
	// maintenance, suspended, active.
	"status": `CASE WHEN c.file_deleted_at != '' THEN 0 WHEN c.archived_at != '' THEN 1 WHEN c.broken != '' THEN 2
		WHEN c.migrate_error != '' THEN 3 WHEN c.status = 'suspended' THEN 4 ELSE 5 END`,
}

// FleetKeys lists every commune's slug and name, its host names when
// hosts (a search, a sort by host: they cost a subquery per commune), and
// the value of the sort field (see fleetSortFields; "" or another: none).
func (r *Registry) FleetKeys(ctx context.Context, field string, hosts bool) ([]FleetKey, error) {
	expr, ok := fleetSortFields[field]
	if !ok {
		expr = `NULL`
	}
	hostsExpr, join := `''`, ``
	if hosts {
		hostsExpr = `COALESCE((SELECT string_agg(h.host, ' ' ORDER BY h.seq, h.host) FROM commune_hosts h WHERE h.commune_id = c.id), '')`
	}
	if strings.Contains(expr, "b.") {
		join = ` LEFT JOIN backups b ON b.target = c.slug`
	}
	rows, err := r.platform.Reader().QueryContext(ctx, `SELECT c.id, c.slug, c.name, `+hostsExpr+`, `+expr+`
		FROM communes c`+join)
	if err != nil {
		return nil, fmt.Errorf("tenants: fleet keys: %w", err)
	}
	return Collect(rows, func(row interface{ Scan(...any) error }) (FleetKey, error) {
		var k FleetKey
		err := row.Scan(&k.ID, &k.Slug, &k.Name, &k.Hosts, &k.Key)
		return k, err
	})
}

// FleetSummary is the fleet at a glance, from the registry.
type FleetSummary struct {
	// Versions counts the communes in service (not archived) by the
	// schema version of their file.
	Versions map[int64]int
	// Trouble lists the communes broken or whose migration failed (at
	// most the limit asked); TroubleCount counts them all.
	Trouble      []FleetEntry
	TroubleCount int
	// StaleBackups counts the communes in service with no good backup,
	// one known current for longer than the age asked, or whose last
	// backup attempt failed.
	StaleBackups int
}

// Summary reads the FleetSummary: backups older than staleAfter at now
// are stale; at most limit communes in trouble are listed.
func (r *Registry) Summary(ctx context.Context, now time.Time, staleAfter time.Duration, limit int) (FleetSummary, error) {
	s := FleetSummary{Versions: map[int64]int{}}
	rows, err := r.platform.Reader().QueryContext(ctx, `SELECT schema_version, count(*) FROM communes WHERE archived_at = '' GROUP BY schema_version`)
	if err != nil {
		return s, fmt.Errorf("tenants: fleet summary: %w", err)
	}
	type vc struct {
		v int64
		n int
	}
	counts, err := Collect(rows, func(row interface{ Scan(...any) error }) (vc, error) {
		var c vc
		return c, row.Scan(&c.v, &c.n)
	})
	if err != nil {
		return s, err
	}
	for _, c := range counts {
		s.Versions[c.v] = c.n
	}
	err = r.platform.Reader().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM communes WHERE archived_at = '' AND (broken != '' OR migrate_error != '')),
		(SELECT count(*) FROM communes c LEFT JOIN backups b ON b.target = c.slug WHERE c.archived_at = ''
			AND (COALESCE(b.ok_at, '') = '' OR b.covered_at < ? OR b.error != ''))`,
		FormatTime(now.Add(-staleAfter))).Scan(&s.TroubleCount, &s.StaleBackups)
	if err != nil {
		return s, fmt.Errorf("tenants: fleet summary: %w", err)
	}
	if s.TroubleCount > 0 {
		s.Trouble, err = r.fleet(ctx, `c.archived_at = '' AND (c.broken != '' OR c.migrate_error != '') ORDER BY c.slug LIMIT ?`, limit)
	}
	return s, err
}

func (r *Registry) fleet(ctx context.Context, where string, args ...any) ([]FleetEntry, error) {
	q := `SELECT ` + communeColumns + `, c.size_bytes, c.families, c.children, c.bookings_7d,
		c.stats_at, c.activity_at, c.last_activity_at, c.audited_at, c.broken_at, c.migrate_error_at, c.archive_path, c.file_deleted_at,
		(SELECT count(*) FROM memberships m WHERE m.commune_id = c.id),
		COALESCE(b.target, ''), COALESCE(b.attempted_at, ''), COALESCE(b.error, ''), COALESCE(b.ok_at, ''), COALESCE(b.covered_at, ''),
		COALESCE(b.path, ''), COALESCE(b.bytes, 0),
		COALESCE((SELECT string_agg(w.kind, ' ' ORDER BY w.kind) FROM commune_work w WHERE w.commune_id = c.id), '')
		FROM communes c LEFT JOIN backups b ON b.target = c.slug`
	if where == "" {
		where = `TRUE ORDER BY c.slug`
	}
	rows, err := r.platform.Reader().QueryContext(ctx, q+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("tenants: fleet: %w", err)
	}
	return Collect(rows, func(row interface{ Scan(...any) error }) (FleetEntry, error) {
		var f FleetEntry
		var statsAt, activityAt, lastActivity, auditedAt, brokenAt, migrateAt, deletedAt, work string
		var bAttempted, bOK, bCovered string
		err := scanCommuneInto(row, &f.Commune, &f.SizeBytes, &f.Families, &f.Children, &f.Bookings7d,
			&statsAt, &activityAt, &lastActivity, &auditedAt, &brokenAt, &migrateAt, &f.ArchivePath, &deletedAt,
			&f.LinkedAccounts,
			&f.Backup.Target, &bAttempted, &f.Backup.Error, &bOK, &bCovered, &f.Backup.Path, &f.Backup.Bytes,
			&work)
		if err != nil {
			return f, err
		}
		for _, t := range []struct {
			dst *time.Time
			s   string
		}{{&f.StatsAt, statsAt}, {&f.ActivityAt, activityAt}, {&f.LastActivity, lastActivity}, {&f.AuditedAt, auditedAt},
			{&f.BrokenAt, brokenAt}, {&f.MigrateErrorAt, migrateAt}, {&f.FileDeletedAt, deletedAt},
			{&f.Backup.AttemptedAt, bAttempted}, {&f.Backup.OKAt, bOK}, {&f.Backup.CoveredAt, bCovered}} {
			*t.dst, _ = ParseTime(t.s)
		}
		for _, w := range strings.Fields(work) {
			f.Work = append(f.Work, Work(w))
		}
		return f, nil
	})
}
