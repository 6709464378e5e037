package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// PlatformTarget names the platform database in the backups table (a slug
// never contains a colon).
const PlatformTarget = ":platform"

// backupStamp is the UTC time format of backup file names.
const backupStamp = "20060102T150405Z"

// Backup writes a consistent snapshot of slug's database to dir as
// <slug>-<UTC timestamp>.db with VACUUM INTO, without stopping writers for
// longer than the copy of one read transaction, and records the outcome in
// the platform registry (BackupStates). It returns the file's path.
func (r *Registry) Backup(ctx context.Context, slug, dir string, now time.Time) (string, error) {
	if _, err := r.Commune(ctx, slug); err != nil {
		return "", err
	}
	return r.backupFile(ctx, slug, r.CommunePath(slug), dir, slug, now)
}

// ErrPlatformOnPostgres refuses the file operations of platform.db
// (backup, restore, restore from the replica) when the platform store is
// in PostgreSQL, which has its own tools.
var ErrPlatformOnPostgres = errors.New("the platform store is in PostgreSQL (ESPACEFAMILLE_PLATFORM_DSN): " +
	"platform backup and restore work on platform.db only; use PostgreSQL's own tools " +
	"(pg_dump and pg_restore, or the server's point-in-time recovery; docs/scale-out.md)")

// BackupPlatform writes a consistent snapshot of the platform database
// (communes, host names, parents' accounts, memberships) to dir as
// platform-<UTC timestamp>.db, recorded under PlatformTarget.
func (r *Registry) BackupPlatform(ctx context.Context, dir string, now time.Time) (string, error) {
	if r.platform.dialect == Postgres {
		return "", ErrPlatformOnPostgres
	}
	return r.backupFile(ctx, PlatformTarget, r.platform.Path(), dir, "platform", now)
}

func (r *Registry) backupFile(ctx context.Context, target, src, dir, prefix string, now time.Time) (string, error) {
	stamp := contentStamp(src)
	path, size, err := snapshot(ctx, src, dir, prefix, now)
	if rerr := r.recordBackup(ctx, target, now, path, size, stamp, err); rerr != nil && err == nil {
		err = rerr
	}
	return path, err
}

// snapshot copies src into dir/<prefix>-<timestamp>.db through a
// temporary file, so that a file under its final name is always complete.
func snapshot(ctx context.Context, src, dir, prefix string, now time.Time) (string, int64, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", 0, fmt.Errorf("tenants: backup directory: %w", err)
	}
	dest, tmp, err := reserveBackupName(dir, prefix, now)
	if err != nil {
		return "", 0, err
	}
	// A dedicated read-only connection: the database's writer stays free.
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO '`+tmp+`'`); err != nil {
		os.Remove(tmp)
		return "", 0, fmt.Errorf("tenants: backup %s: %w", prefix, err)
	}
	st, err := os.Stat(tmp)
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, fmt.Errorf("tenants: backup %s: %w", prefix, err)
	}
	return dest, st.Size(), nil
}

// reserveBackupName picks the name of a new backup of prefix in dir,
// <prefix>-<UTC timestamp>.db, or <prefix>-<UTC timestamp>-2.db (-3 …)
// when a backup was taken within the same second (two restores of one
// commune in a row each keep their before-restore copy), and reserves it
// by creating its empty temporary file exclusively (VACUUM INTO accepts
// an empty file): two backups at once never pick the same name.
func reserveBackupName(dir, prefix string, now time.Time) (dest, tmp string, err error) {
	base := prefix + "-" + now.UTC().Format(backupStamp)
	for n := 1; n <= maxSameSecond; n++ {
		name := base + ".db"
		if n > 1 {
			name = fmt.Sprintf("%s-%d.db", base, n)
		}
		if dest, err = filepath.Abs(filepath.Join(dir, name)); err != nil {
			return "", "", err
		}
		if strings.ContainsAny(dest, "'?#") {
			return "", "", fmt.Errorf("tenants: unsupported character in backup path %q", dest)
		}
		if _, err := os.Stat(dest); err == nil {
			continue
		}
		f, err := os.OpenFile(dest+".partial", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("tenants: backup %s: %w", prefix, err)
		}
		if err := f.Close(); err != nil {
			return "", "", err
		}
		return dest, dest + ".partial", nil
	}
	return "", "", fmt.Errorf("tenants: %d backups of %s within one second already exist in %s", maxSameSecond, prefix, dir)
}

// maxSameSecond bounds the backups of one prefix named within one second.
const maxSameSecond = 100

// contentStamp describes the content of a database as its files' sizes and
// modification times: equal stamps mean nothing was written in between. An
// empty WAL (left by opening and closing the file) does not count.
func contentStamp(path string) string {
	var b strings.Builder
	for _, suffix := range []string{"", "-wal"} {
		st, err := os.Stat(path + suffix)
		if err != nil || (suffix != "" && st.Size() == 0) {
			continue
		}
		fmt.Fprintf(&b, "%s:%d:%d;", suffix, st.Size(), st.ModTime().UnixNano())
	}
	return b.String()
}

// BackupState is the last backup of a commune or of the platform database.
type BackupState struct {
	Target      string // a slug, or PlatformTarget
	AttemptedAt time.Time
	Error       string // of the last attempt; "" when it succeeded
	OKAt        time.Time
	// CoveredAt is when the last good backup was last known to hold the
	// current data: when it was taken, or when a later run found nothing
	// changed since. Its age is the "backup age" alerts watch.
	CoveredAt time.Time
	Path      string
	Bytes     int64
	stamp     string
}

func (r *Registry) recordBackup(ctx context.Context, target string, now time.Time, path string, size int64, stamp string, failed error) error {
	at := FormatTime(now)
	return r.platform.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if failed != nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO backups (target, attempted_at, error) VALUES (?, ?, ?)
				ON CONFLICT (target) DO UPDATE SET attempted_at = excluded.attempted_at, error = excluded.error`,
				target, at, failed.Error())
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO backups (target, attempted_at, error, ok_at, covered_at, path, bytes, source_stamp)
				VALUES (?, ?, '', ?, ?, ?, ?, ?)
				ON CONFLICT (target) DO UPDATE SET attempted_at = excluded.attempted_at, error = '', ok_at = excluded.ok_at,
				covered_at = excluded.covered_at, path = excluded.path, bytes = excluded.bytes, source_stamp = excluded.source_stamp`,
				target, at, at, at, path, size, stamp)
		}
		if err != nil {
			return fmt.Errorf("tenants: record backup of %s: %w", target, err)
		}
		return nil
	})
}

// markCovered records that target's last good backup still holds its data.
func (r *Registry) markCovered(ctx context.Context, target string, now time.Time) error {
	at := FormatTime(now)
	return r.platform.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE backups SET attempted_at = ?, covered_at = ?, error = '' WHERE target = ?`, at, at, target)
		return err
	})
}

// BackupStates returns the last backup of every target that has one,
// ordered by target (the platform database first).
func (r *Registry) BackupStates(ctx context.Context) ([]BackupState, error) {
	out, err := All(ctx, r.platform.Reader(), func(row Row) (BackupState, error) {
		var s BackupState
		var attempted, ok, covered string
		err := row.Scan(&s.Target, &attempted, &s.Error, &ok, &covered, &s.Path, &s.Bytes, &s.stamp)
		s.AttemptedAt, _ = ParseTime(attempted)
		s.OKAt, _ = ParseTime(ok)
		s.CoveredAt, _ = ParseTime(covered)
		return s, err
	}, `SELECT target, attempted_at, error, ok_at, covered_at, path, bytes, source_stamp FROM backups ORDER BY target`)
	if err != nil {
		return nil, fmt.Errorf("tenants: backup states: %w", err)
	}
	return out, nil
}

// backupName matches a backup file's name: <prefix>-<UTC timestamp>.db,
// or <prefix>-<UTC timestamp>-<n>.db for the n-th within one second
// (reserveBackupName); m[3] is n, "" for the first.
var backupName = regexp.MustCompile(`^(.+)-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$`)

// PruneBackups deletes from dir the backups (<prefix>-<time>.db) older
// than keep, always keeping each prefix's newest: a commune that has not
// changed for months still has its last backup. One pass over the
// directory, whatever the number of communes.
func PruneBackups(dir string, keep time.Duration, now time.Time) (removed int, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	newest := map[string]time.Time{}
	type file struct {
		name, prefix string
		at           time.Time
	}
	var files []file
	for _, e := range entries {
		m := backupName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		at, perr := time.Parse(backupStamp, m[2])
		if perr != nil {
			continue
		}
		files = append(files, file{e.Name(), m[1], at})
		if at.After(newest[m[1]]) {
			newest[m[1]] = at
		}
	}
	for _, f := range files {
		if f.at.Equal(newest[f.prefix]) || now.Sub(f.at) <= keep {
			continue
		}
		if rerr := os.Remove(filepath.Join(dir, f.name)); rerr != nil {
			err = errors.Join(err, rerr)
			continue
		}
		removed++
	}
	return removed, err
}
