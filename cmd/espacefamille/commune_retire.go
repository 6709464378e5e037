package main

import (
	"errors"
	"fmt"
	"time"

	"espacefamille/app/platform"
	"espacefamille/tenants"
)

func cmdCommuneArchive(e env, args []string) error { return communeRetire(e, args, false) }
func cmdCommuneDelete(e env, args []string) error  { return communeRetire(e, args, true) }

// communeRetire archives or deletes a commune: a final backup first (kept
// --archive-retention days, then deleted with everything else by the
// server's housekeeping), and the slug typed again with --confirm.
func communeRetire(e env, args []string, del bool) error {
	verb := map[bool]string{false: "archive", true: "delete"}[del]
	fs := newFlags(e, "commune "+verb, "commune "+verb+" SLUG --confirm SLUG [--backup-dir DIR] [--archive-retention DAYS] [--data DIR] [--public-url URL]")
	o := bind(fs, e.getenv, "data", "backup-dir", "archive-retention", "public-url")
	confirm := fs.String("confirm", "", "the commune's slug, typed again")
	slug, err := communeSlugCommand(e, fs, verb, args)
	if err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	switch {
	case *confirm == "":
		return usagef("commune %s: --confirm %s is required (the slug typed again)", verb, slug)
	case *confirm != slug:
		return usagef("commune %s: --confirm %q is not the slug %q", verb, *confirm, slug)
	case *o["backup-dir"] == "":
		return usagef("commune %s: --backup-dir (ESPACEFAMILLE_BACKUP_DIR) is required: the final backup goes there", verb)
	}
	_, base, err := mailSetup(e, o)
	if err != nil {
		return err
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	if _, err := commune(e, reg, slug); err != nil {
		return err
	}
	res, err := platform.RetireCommune(e.ctx, reg, platform.Retire{Slug: slug, Confirm: *confirm, Delete: del,
		BackupDir: *o["backup-dir"], Retention: days(*o["archive-retention"]), PublicURL: base, Actor: platform.CLIActor, Now: time.Now()})
	if errors.Is(err, tenants.ErrArchived) {
		return usagef("commune %s: %s: %v", verb, slug, err)
	} else if err != nil {
		return err
	}
	if res.ArchivePath != "" {
		fmt.Fprintf(e.stdout, "%s: final backup %s\n", slug, res.ArchivePath)
	}
	fmt.Fprintf(e.stdout, "%s: %sd; no longer served; its data is deleted for good on %s\n", slug, verb, res.PurgeAt.Format(time.DateOnly))
	fmt.Fprintf(e.stdout, "%s: %d parent account(s) left with no commune were told (platform outbox) they will be deleted in 30 days\n", slug, len(res.Told))
	return nil
}
