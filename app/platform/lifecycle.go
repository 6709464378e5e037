package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/admin"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Retire is how the console and the command line archive or delete a
// commune.
type Retire struct {
	Slug, Confirm string // Confirm: the slug, typed again
	Delete        bool   // delete the live file too
	BackupDir     string
	Retention     time.Duration // of the archive (tenants.DefaultArchiveRetention when 0)
	PublicURL     string        // the platform's address, in the parents' notice
	Actor         string        // for the audit log
	Now           time.Time
}

// Retired is what Retire did.
type Retired struct {
	tenants.Archived
	Told []string // accounts told they are linked to no commune any more
}

// RetireCommune archives (or deletes) a commune: it stops being served,
// the parents' and staff sessions in it end, a final backup is written and
// kept for the retention, its memberships go, and every parent's account
// left with no commune is told it will be deleted in 30 days (RGPD). The
// action is written to the platform audit log.
func RetireCommune(ctx context.Context, reg *tenants.Registry, r Retire) (Retired, error) {
	var out Retired
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	keep := r.Retention
	if keep <= 0 {
		keep = tenants.DefaultArchiveRetention
	}
	before := func(ctx context.Context, db *tenants.DB) error {
		return errors.Join(accounts.EndCommuneSessions(ctx, db), admin.EndAllSessions(ctx, db))
	}
	action := "commune_archive"
	if r.Delete {
		action = "commune_delete"
	}
	a, err := reg.Archive(ctx, r.Slug, tenants.ArchiveOptions{
		Confirm: r.Confirm, BackupDir: r.BackupDir, Retention: r.Retention, DeleteFile: r.Delete, Now: r.Now, Before: before,
		InTx: func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
			told, err := accounts.DetachCommune(ctx, tx, c, r.PublicURL, r.Now)
			out.Told = told
			if err != nil {
				return err
			}
			return writeAudit(ctx, tx, r.Actor, action, r.Slug, retireDetail(r.Now.Add(keep), len(told)), r.Now)
		},
	})
	out.Archived = a
	if err != nil {
		return out, err
	}
	if a.ArchivePath == "" {
		// Deleting a commune archived before: its audit line is written here.
		err = Audit(ctx, reg.Platform(), r.Actor, action, r.Slug, "fichier supprimé ; archive conservée jusqu'au "+frDate(a.PurgeAt), r.Now)
	}
	return out, err
}

func retireDetail(purge time.Time, told int) string {
	return fmt.Sprintf("sauvegarde finale conservée jusqu'au %s ; %d compte(s) sans commune prévenu(s)", frDate(purge), told)
}

func frDate(t time.Time) string { return calendar.Today(t).FR() }
