package main

import (
	"errors"
	"fmt"
	"time"

	"espacefamille/app/platform"
)

const providerUsage = `Usage: espacefamille provider add-admin --email E [--reset] [--data DIR] [--platform-host H | --public-url URL]

  add-admin  create an administrator of the hosting provider's console
             (/plateforme/ on the platform's own host) and email them a
             set-password link (valid 3 days); at their first log-in they
             enrol a second factor (TOTP) and receive recovery codes.
             --reset sends an existing administrator a new link: password
             and second factor are chosen again (a lost phone).

With SMTP_HOST set the mail is sent at once; otherwise the link is printed
here, to be handed over by another channel.
`

func cmdProvider(e env, args []string) error {
	return subcommand(e, "provider", providerUsage, args, map[string]func(env, []string) error{
		"add-admin": cmdProviderAddAdmin,
	})
}

func cmdProviderAddAdmin(e env, args []string) error {
	fs := newFlags(e, "provider add-admin", "provider add-admin --email E [--reset] [--data DIR] [--platform-host H | --public-url URL]")
	o := bind(fs, e.getenv, "data", "public-url", "platform-host")
	email := fs.String("email", "", "the administrator's email address (their log-in)")
	reset := fs.Bool("reset", false, "send an existing administrator a new link (password and second factor chosen again)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("provider add-admin: unexpected argument %q", fs.Arg(0))
	case *email == "":
		return usagef("provider add-admin: --email is required")
	}
	if _, err := platform.NormalizeEmail(*email); err != nil {
		return usagef("provider add-admin: --email: %v", err)
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	smtp, base, err := mailSetup(e, o)
	if err != nil {
		return err
	}
	if h := normalHost(*o["platform-host"]); h != "" {
		base = "https://" + h
	} else if *o["public-url"] == "" {
		fmt.Fprintf(e.stderr, "note: neither --platform-host nor --public-url is set; the link points to %s\n", base)
	}
	reg, err := openData(e, *o["data"], 1)
	if err != nil {
		return err
	}
	defer reg.Close()
	inv, err := platform.Invite(e.ctx, reg.Platform(), *email, base, *reset, time.Now())
	switch {
	case errors.Is(err, platform.ErrAdminExists):
		return usagef("provider add-admin: %s: %v (--reset sends a new link)", *email, err)
	case errors.Is(err, platform.ErrNotFound):
		return usagef("provider add-admin --reset: no provider administrator has the address %s", *email)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "provider administrator %s: set-password link queued\n", inv.Email)
	delivered, err := sendQueued(e, smtp, "platform", reg.Platform())
	if !delivered {
		fmt.Fprintf(e.stdout, "link (valid 3 days, once; hand it to %s): %s\n", inv.Email, inv.Link)
	}
	return err
}
