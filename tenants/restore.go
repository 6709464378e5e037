package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// ErrBadBackup means a file offered for restoring is not a sound backup of
// the expected kind; nothing was changed.
var ErrBadBackup = errors.New("fichier de sauvegarde inutilisable")

// backupInfo is what CheckBackup learns of a backup file.
type backupInfo struct {
	Version    int64
	Name, Zone string // a commune's, from its settings
}

// checkBackup opens the file read-only and runs PRAGMA integrity_check; it
// must hold a goose-migrated database of schema s, with the given table,
// at a version this binary knows.
func checkBackup(ctx context.Context, path string, s *Schema, table string) (backupInfo, error) {
	var info backupInfo
	abs, err := filepath.Abs(path)
	if err != nil {
		return info, err
	}
	if strings.ContainsAny(abs, "?#%") { // the path goes into a URI
		return info, fmt.Errorf("%w: unsupported character in path %q", ErrBadBackup, abs)
	}
	if st, err := os.Stat(abs); err != nil || !st.Mode().IsRegular() {
		return info, fmt.Errorf("%w: %s: not a readable file", ErrBadBackup, path)
	}
	// immutable: a backup is never written, and no -wal/-shm appears beside it.
	db, err := sql.Open("sqlite", "file:"+abs+"?mode=ro&immutable=1")
	if err != nil {
		return info, err
	}
	defer db.Close()
	problems, err := integrity(ctx, db, "integrity_check")
	if err != nil {
		return info, fmt.Errorf("%w: %s: %v", ErrBadBackup, path, err)
	}
	if problems != "" {
		return info, fmt.Errorf("%w: %s: integrity_check: %s", ErrBadBackup, path, problems)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n == 0 {
		return info, fmt.Errorf("%w: %s holds no %s table (wrong kind of database?)", ErrBadBackup, path, table)
	}
	if info.Version, err = Version(ctx, db); err != nil {
		return info, fmt.Errorf("%w: %s: %v", ErrBadBackup, path, err)
	}
	latest, err := s.Latest()
	if err != nil {
		return info, err
	}
	if info.Version > latest {
		return info, fmt.Errorf("%w: %s is at schema %d, newer than this binary's %d", ErrBadBackup, path, info.Version, latest)
	}
	if table == "settings" {
		_ = db.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE key = 'name'), ''),
			COALESCE((SELECT value FROM settings WHERE key = 'zone'), '')`).Scan(&info.Name, &info.Zone)
	}
	return info, nil
}

// restoreInto overwrites the database behind dst with the file src through
// SQLite's online backup API: other connections, in this process or
// another, wait for its lock and then see the restored content (never a
// half-copied file), and the destination keeps its WAL mode.
func restoreInto(ctx context.Context, dst *sql.DB, src string) error {
	conn, err := dst.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		if kc, ok := dc.(*keepConn); ok {
			dc = kc.inner // the statement-keeping wrapper (driver.go)
		}
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("tenants: the sqlite driver cannot restore")
		}
		b, err := r.NewRestore("file:" + src + "?mode=ro&immutable=1")
		if err != nil {
			return err
		}
		for {
			more, err := b.Step(-1)
			if err != nil {
				_ = b.Finish()
				return err
			}
			if !more {
				return b.Finish()
			}
		}
	})
}

// RestoreCommune puts the backup file from back as the commune slug, after
// its integrity check, and migrates it to this binary's schema. The current
// data of slug is first backed up under <data>/before-restore/, and the
// commune is replaced in place (its host names, status and parents'
// memberships stay). With as != "", the backup becomes a new commune of
// that slug instead (no host names; the original is untouched). A slug not
// registered any more (a deleted commune) is registered again from the
// backup's settings. It returns the restored commune and, when there was
// one, the path of the copy taken before.
func (r *Registry) RestoreCommune(ctx context.Context, slug, from, as string) (Commune, string, error) {
	target := slug
	if as != "" {
		target = as
	}
	if err := ValidateSlug(target); err != nil {
		return Commune{}, "", err
	}
	info, err := checkBackup(ctx, from, CommuneSchema, "settings")
	if err != nil {
		return Commune{}, "", err
	}
	src, _ := filepath.Abs(from)
	c, err := r.Commune(ctx, target)
	switch {
	case err == nil && as != "":
		return Commune{}, "", fmt.Errorf("%w: %s", ErrDuplicateSlug, as)
	case err == nil:
		before, err := r.restoreInPlace(ctx, c, src)
		return c, before, err
	case !errors.Is(err, ErrNotFound):
		return Commune{}, "", err
	}
	c, err = r.restoreAsNew(ctx, target, src, info)
	return c, "", err
}

func (r *Registry) restoreInPlace(ctx context.Context, c Commune, src string) (string, error) {
	path := r.CommunePath(c.Slug)
	var before string
	if _, err := os.Stat(path); err == nil {
		if before, err = r.Backup(ctx, c.Slug, filepath.Join(r.dir, "before-restore"), time.Now()); err != nil {
			return "", fmt.Errorf("tenants: restore %s: copy of the current data: %w", c.Slug, err)
		}
	}
	// This process's handle reopens (and re-reads everything) afterwards.
	r.cache.Evict(c.Slug)
	db, err := OpenDB(path, OpenOptions{Create: true, ReadConns: 1})
	if err != nil {
		return before, err
	}
	err = restoreInto(ctx, db.W, src)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, _, err = CommuneSchema.Migrate(ctx, path)
	}
	r.cache.Evict(c.Slug)
	if err == nil {
		// A commune taken out of service for a damaged file serves again.
		err = r.clearBroken(ctx, c.Slug)
	}
	if err != nil {
		return before, fmt.Errorf("tenants: restore %s: %w", c.Slug, err)
	}
	return before, nil
}

func (r *Registry) restoreAsNew(ctx context.Context, slug, src string, info backupInfo) (Commune, error) {
	final := r.CommunePath(slug)
	if _, err := os.Stat(final); err == nil {
		return Commune{}, fmt.Errorf("%w (le fichier %s existe déjà)", ErrDuplicateSlug, final)
	}
	zone := info.Zone
	if !ValidZone(zone) {
		zone = "B"
	}
	name := info.Name
	if name == "" {
		name = slug
	}
	c := Commune{Slug: slug, Name: name, Status: StatusActive, Zone: zone, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	tmp := final + ".restoring"
	cleanup := func() {
		for _, suffix := range []string{"", "-wal", "-shm", ".migrate-lock"} {
			os.Remove(tmp + suffix)
		}
	}
	cleanup()
	db, err := OpenDB(tmp, OpenOptions{Create: true, ReadConns: 1})
	if err != nil {
		return Commune{}, err
	}
	err = restoreInto(ctx, db.W, src)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, c.SchemaVersion, err = CommuneSchema.Migrate(ctx, tmp)
	}
	if err == nil {
		err = r.platform.Tx(ctx, func(tx *sql.Tx) error {
			// No file stamp: the first open checks the file; no host names.
			err := tx.QueryRowContext(ctx, `INSERT INTO communes (slug, name, status, zone, created_at, schema_version)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.Slug, c.Name, c.Status, c.Zone, FormatTime(c.CreatedAt), c.SchemaVersion).Scan(&c.ID)
			if IsUnique(err) {
				return ErrDuplicateSlug
			} else if err != nil {
				return err
			}
			return os.Rename(tmp, final)
		})
	}
	cleanup()
	if err != nil {
		return Commune{}, fmt.Errorf("tenants: restore as %s: %w", slug, err)
	}
	r.forget()
	return c, nil
}

// RestorePlatform puts the backup file from back as the platform database
// (communes, host names, accounts, memberships), after its integrity check,
// and migrates it to this binary's schema. The current platform database
// is first backed up under <data>/before-restore/.
func (r *Registry) RestorePlatform(ctx context.Context, from string) (string, error) {
	if r.platform.dialect == Postgres {
		return "", ErrPlatformOnPostgres
	}
	if _, err := checkBackup(ctx, from, PlatformSchema, "communes"); err != nil {
		return "", err
	}
	src, _ := filepath.Abs(from)
	before, err := r.BackupPlatform(ctx, filepath.Join(r.dir, "before-restore"), time.Now())
	if err != nil {
		return "", fmt.Errorf("tenants: restore platform: copy of the current data: %w", err)
	}
	if err := restoreInto(ctx, r.platform.W, src); err != nil {
		return before, fmt.Errorf("tenants: restore platform: %w", err)
	}
	// The file the registry serves: <data>/platform.db, or the one
	// Options.PlatformPath names (--platform-db).
	if _, _, err := PlatformSchema.Migrate(ctx, r.platform.Path()); err != nil {
		return before, fmt.Errorf("tenants: restore platform: %w", err)
	}
	r.forget()
	return before, nil
}
