package main

import (
	"fmt"
	"time"
)

const platformUsage = `Usage: espacefamille platform <backup|restore> [flags]

  backup   --to DIR: a consistent copy of the platform database (communes, host
           names, parents' accounts, memberships), while serving
  restore  --from FILE: put a copy back, after its integrity check; the current
           database is first copied under <data>/before-restore/
  restore  --from-replica [--at TIME]: the same from the continuous replica
           (ESPACEFAMILLE_REPLICA_URL), as it was at TIME (default: latest)
`

func cmdPlatform(e env, args []string) error {
	return subcommand(e, "platform", platformUsage, args, map[string]func(env, []string) error{
		"backup":  cmdPlatformBackup,
		"restore": cmdPlatformRestore,
	})
}

func cmdPlatformBackup(e env, args []string) error {
	fs := newFlags(e, "platform backup", "platform backup --to DIR [--data DIR]")
	o := bind(fs, e.getenv, "data")
	to := fs.String("to", "", "directory receiving the copy")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	if *to == "" || fs.NArg() > 0 {
		return usagef("platform backup: give --to DIR and nothing else")
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	path, err := reg.BackupPlatform(e.ctx, *to, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "platform database backed up to %s\n", path)
	return nil
}

func cmdPlatformRestore(e env, args []string) error {
	fs := newFlags(e, "platform restore", "platform restore (--from FILE | --from-replica [--at TIME]) [--data DIR]")
	o := bind(fs, e.getenv, "data", "replica-url")
	from := fs.String("from", "", "backup of the platform database (platform-<time>.db)")
	fromReplica := fs.Bool("from-replica", false, "restore from the continuous replica (ESPACEFAMILLE_REPLICA_URL) instead of a backup file")
	at := fs.String("at", "", "with --from-replica: the moment to go back to, 2026-12-03 14:05[:30] (Europe/Paris) or RFC 3339 (default: the latest state)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usagef("platform restore: unexpected argument %q", fs.Arg(0))
	case *fromReplica && *from != "":
		return usagef("platform restore: --from-replica or --from FILE, not both")
	case !*fromReplica && *at != "":
		return usagef("platform restore: --at goes with --from-replica")
	case *fromReplica:
		return restoreFromReplica(e, *o["data"], *o["replica-url"], "", *at, 0)
	}
	if *from == "" {
		return usagef("platform restore: give --from FILE and nothing else")
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	before, err := reg.RestorePlatform(e.ctx, *from)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "platform database before the restore kept in %s\nplatform database restored from %s\n", before, *from)
	return nil
}
