package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"espacefamille/tenants"
)

// stringList is a repeatable flag (--host a --host b).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

const communeUsage = `Usage: espacefamille commune <create|list|migrate|check|backup|replicate|restore|suspend|resume|rename|hosts|archive|move|delete> [flags]

  create   --slug S --name "Commune de …" [--host H]… [--zone A|B|C|Corse] [--admin-email E [--admin-name N]]
           with the zone's school holidays; the administrator is emailed a
           set-password link (printed when SMTP_HOST is not set)
  list     slug, name, status, schema version, size and counts of every commune (from the registry)
  migrate  [--all | SLUG…] [--jobs N]: bring communes to this binary's schema, N at once
  check    [--all | SLUG…]: PRAGMA integrity_check of commune files; a damaged one is taken out of service
  backup   --to DIR [--all | SLUG…]: consistent copies of commune files, while serving
  replicate [--all | SLUG…]: ship commune files as they are now to the replica
           (ESPACEFAMILLE_REPLICA_URL), so that any node can take them over; a commune
           a node serves or served is left to it (it replicates it)
  restore  SLUG --from FILE [--as NEWSLUG]: put a backup back (after its integrity
           check), or beside the commune as a new one
  restore  SLUG --from-replica [--at TIME]: put the commune back as the continuous
           replica (ESPACEFAMILLE_REPLICA_URL) holds it at TIME (default: latest),
           suspended meanwhile
  suspend  SLUG: its parents and staff get a French 503 page until resume
  resume   SLUG: open a suspended commune again
  rename   SLUG --name "…": the name every page of the commune shows
  hosts    SLUG [--host H]…: replace its host names (none: reached by /SLUG/ only)
  archive  SLUG --confirm SLUG [--backup-dir DIR] [--archive-retention DAYS]: final backup, then
           no longer served (French 410 page), sessions and memberships removed, parents
           left with no commune told their account goes in 30 days; all deleted after the retention
  move     SLUG --to NODE [--wait 30s]: among several nodes, hand the commune over to NODE
           (a few seconds of maintenance page; every confirmed write goes with it)
  delete   SLUG --confirm SLUG [--backup-dir DIR] [--archive-retention DAYS]: archive, and delete
           the commune's file and host names now (the final backup stays for the retention)
`

func cmdCommune(e env, args []string) error {
	return subcommand(e, "commune", communeUsage, args, map[string]func(env, []string) error{
		"create":    cmdCommuneCreate,
		"list":      cmdCommuneList,
		"migrate":   cmdCommuneMigrate,
		"check":     cmdCommuneCheck,
		"backup":    cmdCommuneBackup,
		"replicate": cmdCommuneReplicate,
		"restore":   cmdCommuneRestore,
		"suspend":   cmdCommuneSuspend,
		"resume":    cmdCommuneResume,
		"rename":    cmdCommuneRename,
		"hosts":     cmdCommuneHosts,
		"archive":   cmdCommuneArchive,
		"delete":    cmdCommuneDelete,
		"move":      cmdCommuneMove,
	})
}

func cmdCommuneCreate(e env, args []string) error {
	fs := newFlags(e, "commune create", `commune create --slug S --name "…" [--host H]… [--zone A|B|C|Corse] [--admin-email E [--admin-name N]] [--public-url URL]`)
	o := bind(fs, e.getenv, "data", "public-url")
	slug := fs.String("slug", "", "identifier: 3–63 lowercase letters, digits and hyphens (also the URL path)")
	name := fs.String("name", "", `display name, e.g. "Commune de Malemort du Comtat"`)
	zone := fs.String("zone", "B", "school-holiday zone: A, B, C or Corse")
	admin := fs.String("admin-email", "", "email of the commune's first administrator (emailed a set-password link)")
	adminName := fs.String("admin-name", "", "name of the first administrator (default: the email address)")
	var hosts stringList
	fs.Var(&hosts, "host", "host name serving this commune (repeatable)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("commune create: unexpected argument %q", fs.Arg(0))
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	n := tenants.NewCommune{Slug: *slug, Name: *name, Hosts: hosts, Zone: *zone, AdminEmail: *admin}
	// Validate before touching the data directory: bad arguments create nothing.
	if err := tenants.ValidateNew(n); err != nil {
		return err
	}
	setup, err := newCommuneSetup(e, o, n, *adminName)
	if err != nil {
		return err
	}
	reg, err := openRegistry(e, *o["data"], 1, nil)
	if err != nil {
		return err
	}
	defer reg.Close()
	c, err := reg.CreateCommune(e.ctx, n, setup.init)
	if err != nil {
		return err
	}
	if u := e.getenv("ESPACEFAMILLE_REPLICA_URL"); u != "" {
		// Among several nodes, the one that first serves the commune
		// restores it from the replica: it must be there.
		rep, err := tenants.NewReplicator(e.ctx, u, tenants.ReplicaOptions{})
		if err != nil {
			return err
		}
		err = reg.ShipToReplica(e.ctx, rep, c.Slug)
		_ = rep.Close(e.ctx)
		if err != nil {
			return fmt.Errorf("commune create: copy to the replica: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "commune %s created: %s (zone %s)\n", c.Slug, c.Name, c.Zone)
	fmt.Fprintf(e.stdout, "  served at /%s/", c.Slug)
	for _, h := range c.Hosts {
		fmt.Fprintf(e.stdout, " and https://%s/", h)
	}
	fmt.Fprintln(e.stdout)
	return setup.report(reg, c)
}

func cmdCommuneList(e env, args []string) error {
	fs := newFlags(e, "commune list", "commune list [--data DIR]")
	o := bind(fs, e.getenv, "data")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	// The registry's figures: no commune file is opened, whatever their number.
	list, err := reg.Fleet(e.ctx)
	if err != nil {
		return err
	}
	latest, _ := tenants.CommuneSchema.Latest()
	// tabwriter writes each cell and its padding on its own: buffered, the
	// list of 10,000 communes is a few writes instead of 170,000.
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tSTATUS\tSCHEMA\tSIZE\tFAMILIES\tCHILDREN\tHOSTS")
	broken := 0
	for _, c := range list {
		status := c.Status
		switch {
		case !c.FileDeletedAt.IsZero():
			status = "deleted (data kept until " + c.PurgeAt.Format(time.DateOnly) + ")"
		case !c.ArchivedAt.IsZero():
			status = "archived (until " + c.PurgeAt.Format(time.DateOnly) + ")"
		case c.Broken != "":
			status, broken = "en panne", broken+1
		case c.MigrateError != "":
			status = "maintenance (migration failed)"
		}
		schema := "?"
		if c.SchemaVersion > 0 {
			schema = fmt.Sprintf("%d/%d", c.SchemaVersion, latest)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", c.Slug, c.Name, status, schema, tenants.HumanBytes(c.SizeBytes),
			c.Families, c.Children, strings.Join(c.Hosts, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d commune(s)\n", len(list))
	if broken > 0 {
		fmt.Fprintf(e.stdout, "%d en panne:\n", broken)
		for _, c := range list {
			if c.Broken != "" {
				fmt.Fprintf(e.stdout, "  %s (depuis %s): %s\n", c.Slug, c.BrokenAt.Format("02/01/2006 15:04"), c.Broken)
			}
		}
		fmt.Fprintln(e.stdout, "once a file is repaired or restored: espacefamille commune check SLUG")
	}
	return nil
}

func cmdCommuneCheck(e env, args []string) error {
	reg, slugs, err := fleetCommand(e, args, "check", "commune check [--all | SLUG…] [--data DIR]", nil)
	if err != nil {
		return err
	}
	defer reg.Close()
	var broken, failed, done int
	for i, s := range slugs {
		done++
		r := reg.Check(e.ctx, s)
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(e.stdout, "[%d/%d] %s: CHECK FAILED: %v\n", i+1, len(slugs), s, r.Err)
		case r.Problems != "":
			broken++
			fmt.Fprintf(e.stdout, "[%d/%d] %s: EN PANNE: %s\n", i+1, len(slugs), s, r.Problems)
		default:
			fmt.Fprintf(e.stdout, "[%d/%d] %s: ok\n", i+1, len(slugs), s)
		}
		if e.ctx.Err() != nil {
			break
		}
	}
	failed += len(slugs) - done // interrupted
	fmt.Fprintf(e.stdout, "summary: %d ok, %d en panne, %d not checked (of %d)\n", done-broken-(failed-(len(slugs)-done)), broken, failed, len(slugs))
	if broken+failed > 0 {
		return errors.New("some commune files are damaged or could not be checked; damaged ones answer 503 until repaired or restored and checked again")
	}
	return nil
}

func cmdCommuneMigrate(e env, args []string) error {
	var jobs *int
	reg, slugs, err := fleetCommand(e, args, "migrate", "commune migrate [--all | SLUG…] [--jobs N] [--data DIR]", func(fs *flag.FlagSet) func() error {
		jobs = fs.Int("jobs", 0, "communes migrated at once (default: four per core)")
		return func() error {
			if *jobs < 0 || *jobs > 1000 {
				return usagef("commune migrate: --jobs must be between 1 and 1000 (0: four per core), got %d", *jobs)
			}
			return nil
		}
	})
	if err != nil {
		return err
	}
	defer reg.Close()
	results := reg.MigrateCommunesBounded(e.ctx, slugs, *jobs, func(done, total int, r tenants.MigrateResult) {
		status := fmt.Sprintf("%d → %d", r.From, r.To)
		if r.From == r.To && r.Err == nil {
			status += " (already current)"
		}
		if r.Err != nil {
			status = "FAILED, stays at " + fmt.Sprint(r.To) + ": " + r.Err.Error()
		}
		fmt.Fprintf(e.stdout, "[%d/%d] %s: %s\n", done, total, r.Slug, status)
	})
	var migrated, current, failed int
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
		case r.From == r.To:
			current++
		default:
			migrated++
		}
	}
	fmt.Fprintf(e.stdout, "summary: %d migrated, %d already current, %d failed (of %d)\n", migrated, current, failed, len(results))
	if failed > 0 {
		return errors.New("some communes failed to migrate; they stay at their previous version")
	}
	return nil
}

// fleetCommand parses the flags of `commune WHAT [--all | SLUG…]` (and
// those more adds, checked by it after parsing), opens the data directory
// and resolves the communes to act on; the caller closes the registry.
func fleetCommand(e env, args []string, what, usage string, more func(fs *flag.FlagSet) func() error) (*tenants.Registry, []string, error) {
	fs := newFlags(e, "commune "+what, usage)
	o := bind(fs, e.getenv, "data")
	all := fs.Bool("all", false, what+" every commune")
	var check func() error
	if more != nil {
		check = more(fs)
	}
	if err := parse(e, fs, args); err != nil {
		return nil, nil, err
	}
	if err := validate(o); err != nil {
		return nil, nil, usagef("%v", err)
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, nil, err
		}
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return nil, nil, err
	}
	slugs, err := selectCommunes(e, reg, *all, fs.Args(), what)
	if err != nil {
		reg.Close()
		return nil, nil, err
	}
	return reg, slugs, nil
}

// selectCommunes resolves --all or explicit slugs to the communes to act on.
func selectCommunes(e env, reg *tenants.Registry, all bool, args []string, what string) ([]string, error) {
	if all == (len(args) > 0) {
		return nil, usagef("commune %s: give either --all or one or more slugs", what)
	}
	list, err := communes(e, reg, all, args)
	if err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(list))
	for _, c := range list {
		slugs = append(slugs, c.Slug)
	}
	return slugs, nil
}

func cmdCommuneBackup(e env, args []string) error {
	var to *string
	reg, slugs, err := fleetCommand(e, args, "backup", "commune backup --to DIR [--all | SLUG…] [--data DIR]",
		func(fs *flag.FlagSet) func() error {
			to = fs.String("to", "", "directory receiving the copies")
			return func() error {
				if *to == "" {
					return usagef("commune backup: --to DIR is required")
				}
				return nil
			}
		})
	if err != nil {
		return err
	}
	defer reg.Close()
	failed := 0
	now := time.Now()
	for i, s := range slugs {
		path, err := reg.Backup(e.ctx, s, *to, now)
		if err != nil {
			failed++
			fmt.Fprintf(e.stdout, "[%d/%d] %s: FAILED: %v\n", i+1, len(slugs), s, err)
			continue
		}
		fmt.Fprintf(e.stdout, "[%d/%d] %s: %s\n", i+1, len(slugs), s, path)
	}
	fmt.Fprintf(e.stdout, "summary: %d backed up, %d failed (of %d)\n", len(slugs)-failed, failed, len(slugs))
	if failed > 0 {
		return errors.New("some communes could not be backed up")
	}
	return nil
}

func cmdCommuneRestore(e env, args []string) error {
	fs := newFlags(e, "commune restore", "commune restore SLUG (--from FILE [--as NEWSLUG] | --from-replica [--at TIME]) [--data DIR]")
	o := bind(fs, e.getenv, "data", "replica-url")
	from := fs.String("from", "", "backup file to restore (from `commune backup` or the scheduled backups)")
	as := fs.String("as", "", "restore as a new commune of this slug, beside the original (which stays untouched)")
	fromReplica := fs.Bool("from-replica", false, "restore from the continuous replica (ESPACEFAMILLE_REPLICA_URL) instead of a backup file")
	at := fs.String("at", "", "with --from-replica: the moment to go back to, 2026-12-03 14:05[:30] (Europe/Paris) or RFC 3339 (default: the latest state)")
	settle := fs.Duration("settle", 5*time.Second, "with --from-replica: wait after suspending the commune, for the serving nodes to see it")
	slug, err := parseWithSlug(e, fs, args)
	if err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	switch {
	case *fromReplica && (*from != "" || *as != ""):
		return usagef("commune restore: --from-replica restores in place: not with --from or --as")
	case !*fromReplica && *at != "":
		return usagef("commune restore: --at goes with --from-replica")
	case *fromReplica && slug == "":
		return usagef("commune restore: give the commune's SLUG")
	case *fromReplica:
		if err := tenants.ValidateSlug(slug); err != nil {
			return usagef("commune restore: %v", err)
		}
		return restoreFromReplica(e, *o["data"], *o["replica-url"], slug, *at, *settle)
	}
	if slug == "" || *from == "" {
		return usagef("commune restore: give the commune's SLUG and --from FILE")
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	c, before, err := reg.RestoreCommune(e.ctx, slug, *from, *as)
	if err != nil {
		return err
	}
	if before != "" {
		fmt.Fprintf(e.stdout, "data of %s before the restore kept in %s\n", c.Slug, before)
	}
	fmt.Fprintf(e.stdout, "commune %s restored from %s\n", c.Slug, *from)
	return nil
}

// parseWithSlug parses a command of the form "SLUG [flags]" or
// "[flags] SLUG" and returns the slug ("" when missing).
func parseWithSlug(e env, fs *flag.FlagSet, args []string) (string, error) {
	slug := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		slug, args = args[0], args[1:]
	}
	if err := parse(e, fs, args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 && slug == "" {
		slug = fs.Arg(0)
		if fs.NArg() > 1 {
			return "", usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return "", usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return slug, nil
}
