package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"espacefamille/tenants"
)

const platformUsage = `Usage: espacefamille platform <migrate|backup|restore|copy> [flags]

  migrate  bring the platform store to this binary's schema: <data>/platform.db,
           or the PostgreSQL database of ESPACEFAMILLE_PLATFORM_DSN (servers
           also migrate it when they start; nodes starting together migrate
           it once)
  backup   --to DIR: a consistent copy of the platform database (communes, host
           names, parents' accounts, memberships), while serving
  restore  --from FILE: put a copy back, after its integrity check; the current
           database is first copied under <data>/before-restore/
  restore  --from-replica [--at TIME]: the same from the continuous replica
           (ESPACEFAMILLE_REPLICA_URL), as it was at TIME (default: latest)

  copy     --to-dsn postgres://… [--from FILE]: copy platform.db (default
           <data>/platform.db, or --platform-db) into an empty PostgreSQL
           store, to run several nodes (docs/scale-out.md); stop the
           servers first: what they write after the copy starts stays behind

backup and restore act on platform.db (--platform-db or
ESPACEFAMILLE_PLATFORM_DB when the nodes of one machine share another file):
with ESPACEFAMILLE_PLATFORM_DSN the platform store is PostgreSQL's, backed
up with its own tools (pg_dump).
`

func cmdPlatform(e env, args []string) error {
	return subcommand(e, "platform", platformUsage, args, map[string]func(env, []string) error{
		"migrate": cmdPlatformMigrate,
		"backup":  cmdPlatformBackup,
		"restore": cmdPlatformRestore,
		"copy":    cmdPlatformCopy,
	})
}

func cmdPlatformBackup(e env, args []string) error {
	fs := newFlags(e, "platform backup", "platform backup --to DIR [--data DIR] [--platform-db FILE]")
	o := bind(fs, e.getenv, "data", "platform-db")
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
	reg, err := openData(e.withPlatformDB(*o["platform-db"]), *o["data"], 1)
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
	fs := newFlags(e, "platform restore", "platform restore (--from FILE | --from-replica [--at TIME]) [--data DIR] [--platform-db FILE]")
	o := bind(fs, e.getenv, "data", "replica-url", "platform-db")
	from := fs.String("from", "", "backup of the platform database (platform-<time>.db)")
	fromReplica := fs.Bool("from-replica", false, "restore from the continuous replica (ESPACEFAMILLE_REPLICA_URL) instead of a backup file")
	at := fs.String("at", "", "with --from-replica: the moment to go back to, 2026-12-03 14:05[:30] (Europe/Paris) or RFC 3339 (default: the latest state)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	e = e.withPlatformDB(*o["platform-db"])
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

func cmdPlatformMigrate(e env, args []string) error {
	fs := newFlags(e, "platform migrate", "platform migrate [--data DIR] [--platform-db FILE] (ESPACEFAMILLE_PLATFORM_DSN: the PostgreSQL store)")
	o := bind(fs, e.getenv, "data", "platform-dsn", "platform-db")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("platform migrate: unexpected argument %q", fs.Arg(0))
	}
	var from, to int64
	var err error
	where := "PostgreSQL platform store"
	if dsn := *o["platform-dsn"]; dsn != "" {
		from, to, err = tenants.PlatformSchema.MigratePostgres(e.ctx, dsn)
	} else {
		if err := dataDirExists(*o["data"]); err != nil {
			return err
		}
		where = platformFile(*o["data"], *o["platform-db"])
		if _, serr := os.Stat(where); serr != nil {
			return fmt.Errorf("platform migrate: %w", serr)
		}
		from, to, err = tenants.PlatformSchema.Migrate(e.ctx, where)
	}
	if err != nil {
		return fmt.Errorf("platform migrate: %s: %w", where, err)
	}
	if from == to {
		fmt.Fprintf(e.stdout, "%s: already at version %d\n", where, to)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: migrated from version %d to %d\n", where, from, to)
	return nil
}

// platformFile is the platform database's file: --platform-db, else
// <data>/platform.db.
func platformFile(data, platformDB string) string {
	if platformDB != "" {
		return platformDB
	}
	return filepath.Join(data, "platform.db")
}

// withPlatformDB is e with ESPACEFAMILLE_PLATFORM_DB set to path (the
// --platform-db flag), which openRegistry reads; e itself when path is "".
func (e env) withPlatformDB(path string) env {
	if path == "" {
		return e
	}
	get := e.getenv
	e.getenv = func(k string) string {
		if k == "ESPACEFAMILLE_PLATFORM_DB" {
			return path
		}
		return get(k)
	}
	return e
}

func cmdPlatformCopy(e env, args []string) error {
	fs := newFlags(e, "platform copy", "platform copy --to-dsn postgres://… [--from FILE] [--data DIR] [--platform-db FILE]")
	o := bind(fs, e.getenv, "data", "platform-db")
	to := fs.String("to-dsn", e.getenv("ESPACEFAMILLE_PLATFORM_DSN"),
		"the PostgreSQL store to fill, postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=… (default: ESPACEFAMILLE_PLATFORM_DSN)")
	from := fs.String("from", "", "the SQLite platform database to copy (default: --platform-db, else <data>/platform.db)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usagef("platform copy: unexpected argument %q", fs.Arg(0))
	case *to == "":
		return usagef("platform copy: give --to-dsn postgres://… (or ESPACEFAMILLE_PLATFORM_DSN)")
	}
	if err := platformDSN(*to); err != nil {
		return usagef("platform copy: --to-dsn %v", err)
	}
	src := *from
	if src == "" {
		src = platformFile(*o["data"], *o["platform-db"])
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("platform copy: %w", err)
	}
	started := time.Now()
	out, err := tenants.CopyPlatformToPostgres(e.ctx, src, *to, func(step string) { fmt.Fprintln(e.stdout, step) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "platform database %s copied into %s in %s: start the nodes with ESPACEFAMILLE_PLATFORM_DSN set to it\n",
		src, out.Target, time.Since(started).Round(time.Millisecond))
	return nil
}
