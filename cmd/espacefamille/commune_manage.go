package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"espacefamille/app/platform"
	"espacefamille/tenants"
)

// communeSlugCommand parses "commune VERB [flags] SLUG [flags]": flags may
// come before or after the slug, as people type them.
func communeSlugCommand(e env, fs *flag.FlagSet, verb string, args []string) (string, error) {
	if err := parse(e, fs, args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", usagef("commune %s: the commune's slug is required", verb)
	}
	slug := fs.Arg(0)
	if err := parse(e, fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", usagef("commune %s: unexpected argument %q", verb, fs.Arg(0))
	}
	if err := tenants.ValidateSlug(slug); err != nil {
		return "", usagef("commune %s: %v", verb, err)
	}
	return slug, nil
}

// communeChange opens the data directory (platformHost: the platform's
// own host, which no commune may take), checks the commune exists, runs
// change and writes it to the platform audit log.
func communeChange(e env, data, platformHost, slug, action string, change func(reg *tenants.Registry, c tenants.Commune) (string, error)) error {
	if err := dataDirExists(data); err != nil {
		return err
	}
	reg, err := tenants.Open(e.ctx, tenants.Options{DataDir: data, MaxOpen: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PlatformHost: normalHost(platformHost)})
	if err != nil {
		return err
	}
	defer reg.Close()
	c, err := commune(e, reg, slug)
	if err != nil {
		return err
	}
	detail, err := change(reg, c)
	if err != nil {
		return err
	}
	return platform.Audit(e.ctx, reg.Platform(), platform.CLIActor, action, slug, detail, time.Now())
}

func cmdCommuneSuspend(e env, args []string) error { return communeStatus(e, args, "suspend") }
func cmdCommuneResume(e env, args []string) error  { return communeStatus(e, args, "resume") }

// communeStatus suspends (a French 503 page for its parents and staff) or
// resumes a commune.
func communeStatus(e env, args []string, verb string) error {
	fs := newFlags(e, "commune "+verb, "commune "+verb+" [--data DIR] SLUG")
	o := bind(fs, e.getenv, "data")
	slug, err := communeSlugCommand(e, fs, verb, args)
	if err != nil {
		return err
	}
	status := map[string]string{"suspend": tenants.StatusSuspended, "resume": tenants.StatusActive}[verb]
	return communeChange(e, *o["data"], "", slug, "commune_"+verb, func(reg *tenants.Registry, c tenants.Commune) (string, error) {
		if err := reg.SetStatus(e.ctx, slug, status); err != nil {
			return "", err
		}
		fmt.Fprintf(e.stdout, "%s (%s): %s\n", c.Name, slug, map[string]string{"suspend": "suspended (its pages answer 503)", "resume": "active"}[verb])
		return "", nil
	})
}

// cmdCommuneRename changes the name every page of the commune shows.
func cmdCommuneRename(e env, args []string) error {
	fs := newFlags(e, "commune rename", `commune rename [--data DIR] SLUG --name "…"`)
	o := bind(fs, e.getenv, "data")
	name := fs.String("name", "", "the commune's new name")
	slug, err := communeSlugCommand(e, fs, "rename", args)
	if err != nil {
		return err
	}
	if _, err := tenants.ValidateName(*name); err != nil {
		return usagef("commune rename: --name: %v", err)
	}
	return communeChange(e, *o["data"], "", slug, "commune_rename", func(reg *tenants.Registry, c tenants.Commune) (string, error) {
		if err := reg.SetName(e.ctx, slug, *name); err != nil {
			return "", err
		}
		after, err := reg.Commune(e.ctx, slug)
		fmt.Fprintf(e.stdout, "%s: renamed %q\n", slug, after.Name)
		return c.Name + " → " + after.Name, err
	})
}

// cmdCommuneHosts replaces the host names a commune answers at (none:
// reached by /SLUG/ only).
func cmdCommuneHosts(e env, args []string) error {
	fs := newFlags(e, "commune hosts", "commune hosts [--data DIR] SLUG [--host H]…")
	o := bind(fs, e.getenv, "data", "platform-host")
	var hosts stringList
	fs.Var(&hosts, "host", "a host name of the commune (repeatable; none: reached by /SLUG/ only)")
	slug, err := communeSlugCommand(e, fs, "hosts", args)
	if err != nil {
		return err
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	return communeChange(e, *o["data"], *o["platform-host"], slug, "commune_hosts", func(reg *tenants.Registry, c tenants.Commune) (string, error) {
		got, err := reg.SetHosts(e.ctx, slug, hosts)
		var ve *tenants.ValidationError
		if errors.As(err, &ve) || errors.Is(err, tenants.ErrDuplicateHost) {
			return "", usagef("commune hosts: %v", err)
		} else if err != nil {
			return "", err
		}
		fmt.Fprintf(e.stdout, "%s: host names: %s\n", slug, strings.Join(got, " "))
		return strings.Join(c.Hosts, " ") + " → " + strings.Join(got, " "), nil
	})
}
