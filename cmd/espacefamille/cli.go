package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

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
		{"commune", "create, list and migrate communes (commune --help)", cmdCommune},
		{"family", "invite families to create their account (family --help)", cmdFamily},
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
		errors.Is(err, tenants.ErrNotFound):
		fmt.Fprintf(stderr, "espacefamille: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "espacefamille: %v\n", err)
		return 1
	}
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
	return tenants.Open(e.ctx, tenants.Options{DataDir: dataDir, MaxOpen: cacheSize, Logger: log})
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
