package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"espacefamille/tenants"
)

// usageError makes run exit with status 2 (bad arguments).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// env is what every subcommand receives.
type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve every commune of the data directory", cmdServe},
		{"demo", "create the demo commune if needed, then serve (no setup needed)", cmdDemo},
		{"commune", "create, list, migrate, back up and restore communes (commune --help)", cmdCommune},
		{"platform", "back up and restore the platform database (platform --help)", cmdPlatform},
		{"family", "invite families to create their account (family --help)", cmdFamily},
		{"staff", "add a commune's staff member, or send a new set-password link (staff --help)", cmdStaff},
		{"provider", "add an administrator of the provider's console (provider --help)", cmdProvider},
		{"billing", "monthly invoicing run and payment reconciliation (billing --help)", cmdBilling},
	}
}

const topUsage = `espacefamille: the Espace Famille server and its administration tool.

Usage:
  espacefamille <command> [flags]

Commands:
%s
Run "espacefamille <command> --help" for a command's flags.
`

// run is the whole program; it returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := env{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv}
	var list strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&list, "  %-9s %s\n", c.name, c.summary)
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, topUsage, list.String())
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(stdout, topUsage, list.String())
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(stderr, c.run(e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "espacefamille: unknown command %q\n\n"+topUsage, args[0], list.String())
	return 2
}

func exitCode(stderr io.Writer, err error) int {
	var ue *usageError
	var ve *tenants.ValidationError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue), errors.As(err, &ve),
		errors.Is(err, tenants.ErrDuplicateSlug), errors.Is(err, tenants.ErrDuplicateHost),
		errors.Is(err, tenants.ErrNotFound), errors.Is(err, tenants.ErrBadBackup),
		errors.Is(err, tenants.ErrNotInReplica), errors.Is(err, tenants.ErrOutsideReplica):
		fmt.Fprintf(stderr, "espacefamille: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "espacefamille: %v\n", err)
		return 1
	}
}

// subcommand runs the subcommand of the command name that args[0] names:
// help prints the usage on stdout; a missing or unknown one, on stderr.
func subcommand(e env, name, usage string, args []string, subs map[string]func(env, []string) error) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usagef("%s: missing subcommand", name)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	if sub, ok := subs[args[0]]; ok {
		return sub(e, args[1:])
	}
	fmt.Fprint(e.stderr, usage)
	return usagef("%s: unknown subcommand %q", name, args[0])
}

// newFlags returns a flag set whose errors are returned, not fatal.
func newFlags(e env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: espacefamille %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; --help prints the usage on stdout.
func parse(e env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openRegistry opens the data directory for a command.
func openRegistry(e env, dataDir string, cacheSize int, log *slog.Logger) (*tenants.Registry, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// Every command works on the platform store the servers use.
	dsn := e.getenv("ESPACEFAMILLE_PLATFORM_DSN")
	if err := platformDSN(dsn); err != nil {
		return nil, usagef("ESPACEFAMILLE_PLATFORM_DSN %v", err)
	}
	return tenants.Open(e.ctx, tenants.Options{DataDir: dataDir, MaxOpen: cacheSize, Logger: log, PlatformDSN: dsn})
}

// openData opens the data directory of a command that must not create it.
func openData(e env, dir string, cacheSize int) (*tenants.Registry, error) {
	if err := dataDirExists(dir); err != nil {
		return nil, err
	}
	return openRegistry(e, dir, cacheSize, nil)
}

// openCommune opens the data directory and loads the commune of the given
// slug; the registry is closed again when that fails.
func openCommune(e env, dir, slug string) (*tenants.Registry, tenants.Commune, error) {
	reg, err := openRegistry(e, dir, 1, nil)
	if err != nil {
		return nil, tenants.Commune{}, err
	}
	c, err := commune(e, reg, slug)
	if err != nil {
		reg.Close()
		return nil, c, err
	}
	return reg, c, nil
}

// commune loads the commune of the given slug; an unknown slug is named in
// the error.
func commune(e env, reg *tenants.Registry, slug string) (tenants.Commune, error) {
	c, err := reg.Commune(e.ctx, slug)
	if err != nil {
		return c, fmt.Errorf("%w: %s", err, slug)
	}
	return c, nil
}

// communes resolves --all to every commune, or else the given slugs, each
// of which must be a commune.
func communes(e env, reg *tenants.Registry, all bool, slugs []string) ([]tenants.Commune, error) {
	if all {
		list, err := reg.Communes(e.ctx)
		// Archived communes are no longer served, migrated or checked.
		return slices.DeleteFunc(list, func(c tenants.Commune) bool { return !c.ArchivedAt.IsZero() }), err
	}
	list := make([]tenants.Commune, 0, len(slugs))
	for _, s := range slugs {
		c, err := commune(e, reg, s)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, nil
}

// dataDirExists refuses to create a data directory as a side effect of a
// read-only command pointed at the wrong place.
func dataDirExists(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return usagef("data directory %s does not exist", dir)
	}
	return nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// days reads a validated number of days as a duration.
func days(s string) time.Duration { return time.Duration(atoi(s)) * 24 * time.Hour }
