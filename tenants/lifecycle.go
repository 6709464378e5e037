package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Archiving and deleting a commune (issue 12).
//
// Archive takes the commune out of service for good: it is suspended (no
// request, no job reaches it), its sessions are ended, a final backup is
// written to <backup dir>/archives/, and then, in one platform
// transaction, the registry records the archive and its retention, frees
// nothing but removes the commune's work flags, and runs the caller's
// InTx (app/accounts removes the memberships and tells the parents left
// with no commune). Delete is Archive plus the removal of the live file
// and of the host names. Either way, PurgeArchived deletes everything
// (live file, final backup, daily backups, the registry row) once the
// retention has passed.

// DefaultArchiveRetention is how long an archived commune's data is kept
// before PurgeArchived deletes it (ESPACEFAMILLE_ARCHIVE_RETENTION).
const DefaultArchiveRetention = 365 * 24 * time.Hour

// Errors of the lifecycle, with French messages for people.
var (
	ErrArchived        = errors.New("cette commune est archivée")
	ErrConfirmation    = errors.New("confirmation incorrecte : tapez exactement l'identifiant de la commune")
	ErrNoBackupDir     = errors.New("aucun répertoire de sauvegarde n'est configuré (ESPACEFAMILLE_BACKUP_DIR)")
	errAlreadyArchived = fmt.Errorf("%w (déjà)", ErrArchived)
)

// ArchiveOptions says how to archive a commune.
type ArchiveOptions struct {
	// Confirm must be the commune's slug, typed by the person.
	Confirm string
	// BackupDir is the backup directory; the final backup goes to its
	// archives/ folder.
	BackupDir string
	// Retention is how long the data is kept (DefaultArchiveRetention when 0).
	Retention time.Duration
	// DeleteFile removes the live file and the host names too (`commune
	// delete`); an archived commune may be deleted later.
	DeleteFile bool
	Now        time.Time
	// Before runs on the commune's database after it is suspended and
	// before its final backup (end its sessions).
	Before func(ctx context.Context, db *DB) error
	// InTx runs in the platform transaction that records the archive.
	InTx func(ctx context.Context, tx *sql.Tx, c Commune) error
}

// Archived is the outcome of Archive.
type Archived struct {
	Commune     Commune
	ArchivePath string // the final backup ("" when a deletion followed an archive)
	PurgeAt     time.Time
}

// Archive archives (or deletes, with DeleteFile) the commune slug.
func (r *Registry) Archive(ctx context.Context, slug string, opt ArchiveOptions) (Archived, error) {
	c, err := r.Commune(ctx, slug)
	if err != nil {
		return Archived{}, err
	}
	if opt.Confirm != slug {
		return Archived{}, ErrConfirmation
	}
	if opt.BackupDir == "" {
		return Archived{}, ErrNoBackupDir
	}
	if opt.Retention <= 0 {
		opt.Retention = DefaultArchiveRetention
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	out := Archived{Commune: c, PurgeAt: opt.Now.Add(opt.Retention).UTC().Truncate(time.Second)}
	if !c.ArchivedAt.IsZero() {
		if !opt.DeleteFile {
			return out, errAlreadyArchived
		}
		// Deleting an archived commune: its file has not changed since
		// its final backup (nothing serves it); the retention runs on.
		out.PurgeAt = c.PurgeAt
		return out, r.deleteLive(ctx, c, opt.Now)
	}
	if err := r.SetStatus(ctx, slug, StatusSuspended); err != nil {
		return out, err
	}
	if opt.Before != nil {
		if err := r.WithCommune(ctx, slug, func(db *DB) error { return opt.Before(ctx, db) }); err != nil {
			return out, fmt.Errorf("tenants: archive %s: %w", slug, err)
		}
	}
	r.cache.Evict(slug) // closed cleanly before the copy
	if out.ArchivePath, err = r.Backup(ctx, slug, filepath.Join(opt.BackupDir, "archives"), opt.Now); err != nil {
		return out, fmt.Errorf("tenants: archive %s: final backup: %w", slug, err)
	}
	at := FormatTime(opt.Now)
	err = r.platform.Tx(ctx, func(tx *sql.Tx) error {
		deleted := ""
		if opt.DeleteFile {
			deleted = at
			if _, err := tx.ExecContext(ctx, `DELETE FROM commune_hosts WHERE commune_id = ?`, c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE communes SET status = 'suspended', archived_at = ?, purge_at = ?, archive_path = ?,
			file_deleted_at = ? WHERE id = ?`, at, FormatTime(out.PurgeAt), out.ArchivePath, deleted, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM commune_work WHERE commune_id = ?`, c.ID); err != nil {
			return err
		}
		if opt.InTx != nil {
			return opt.InTx(ctx, tx, c)
		}
		return nil
	})
	r.forget()
	if err != nil {
		return out, fmt.Errorf("tenants: archive %s: %w", slug, err)
	}
	if opt.DeleteFile {
		return out, removeDBFiles(r.CommunePath(slug))
	}
	return out, nil
}

// deleteLive removes an archived commune's live file and host names.
func (r *Registry) deleteLive(ctx context.Context, c Commune, now time.Time) error {
	r.cache.Evict(c.Slug)
	err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM commune_hosts WHERE commune_id = ?`, c.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE communes SET file_deleted_at = ? WHERE id = ? AND file_deleted_at = ''`,
			FormatTime(now), c.ID)
		return err
	})
	r.forget()
	if err != nil {
		return fmt.Errorf("tenants: delete %s: %w", c.Slug, err)
	}
	return removeDBFiles(r.CommunePath(c.Slug))
}

// removeDBFiles deletes a database file and its companions; a file
// already gone is fine.
func removeDBFiles(path string) error {
	var errs []error
	for _, suffix := range []string{"", "-wal", "-shm", ".migrate-lock"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// Litestream's staging of a replicated file (the replica keeps its history).
	if err := os.RemoveAll(litestreamMeta(path)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PurgeArchived deletes, for every archived commune whose retention has
// passed by now, its live file, its final backup, its daily backups in
// backupDir/communes/ and its registry row (memberships, host names and
// work flags go with it). It returns how many communes it deleted; one
// that fails is left for the next pass.
func (r *Registry) PurgeArchived(ctx context.Context, backupDir string, now time.Time) (int64, error) {
	rows, err := r.platform.Reader().QueryContext(ctx, `SELECT c.id, c.slug, c.archive_path, COALESCE(b.path, '')
		FROM communes c LEFT JOIN backups b ON b.target = c.slug
		WHERE c.purge_at <> '' AND c.purge_at <= ?`, FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("tenants: archives to purge: %w", err)
	}
	type due struct {
		id                  int64
		slug, archive, last string
	}
	list, err := Collect(rows, func(row interface{ Scan(...any) error }) (due, error) {
		var d due
		return d, row.Scan(&d.id, &d.slug, &d.archive, &d.last)
	})
	if err != nil {
		return 0, err
	}
	var n int64
	var errs []error
	for _, d := range list {
		r.cache.Evict(d.slug)
		files := []string{r.CommunePath(d.slug), d.archive, d.last}
		dirs := map[string]bool{}
		for _, f := range []string{d.archive, d.last} {
			if f != "" {
				dirs[filepath.Dir(f)] = true
			}
		}
		if backupDir != "" {
			dirs[filepath.Join(backupDir, "communes")] = true
			dirs[filepath.Join(backupDir, "archives")] = true
		}
		for dir := range dirs {
			files = append(files, backupsOf(dir, d.slug)...)
		}
		var ferr []error
		for _, f := range files {
			if f != "" {
				ferr = append(ferr, removeDBFiles(f))
			}
		}
		if err := errors.Join(ferr...); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.slug, err))
			continue
		}
		err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM backups WHERE target = ?`, d.slug); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM communes WHERE id = ?`, d.id)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.slug, err))
			continue
		}
		r.log.Info("archived commune deleted after its retention", "commune", d.slug)
		n++
	}
	r.forget()
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("tenants: purge archives: %w", err)
	}
	return n, nil
}

// backupsOf lists the backup files of exactly slug in dir (not those of
// a commune whose slug merely starts with it).
func backupsOf(dir, slug string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if m := backupName.FindStringSubmatch(e.Name()); m != nil && m[1] == slug && !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
