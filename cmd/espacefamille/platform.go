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
	fs := newFlags(e, "platform restore", "platform restore --from FILE [--data DIR]")
	o := bind(fs, e.getenv, "data")
	from := fs.String("from", "", "backup of the platform database (platform-<time>.db)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	if *from == "" || fs.NArg() > 0 {
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
