package main

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/admin"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

const staffUsage = `Usage: espacefamille staff <add|reset> [flags]

  add    --commune SLUG --email E --role admin|agent [--name "…"] [--data DIR] [--public-url URL]
         add a member to the commune's back office and email them a
         set-password link (valid 7 days)
  reset  --commune SLUG --email E [--role admin|agent] [--data DIR] [--public-url URL]
         send an existing member a new set-password link (the unused ones
         stop working), enable them again if they were disabled, and give
         them the role when --role is set: for a lost invitation, a forgotten
         password, or a commune whose administrators are all locked out

With SMTP_HOST set the mail is sent at once; otherwise it waits in the
commune's outbox for the server (or the demo mailbox) and the link is
printed here, to be handed over by another channel.
`

func cmdStaff(e env, args []string) error {
	return subcommand(e, "staff", staffUsage, args, map[string]func(env, []string) error{
		"add":   cmdStaffAdd,
		"reset": cmdStaffReset,
	})
}

func cmdStaffAdd(e env, args []string) error {
	return staffCommand(e, args, "add", `staff add --commune SLUG --email E --role admin|agent [--name "…"] [--data DIR] [--public-url URL]`)
}

func cmdStaffReset(e env, args []string) error {
	return staffCommand(e, args, "reset", "staff reset --commune SLUG --email E [--role admin|agent] [--data DIR] [--public-url URL]")
}

func staffCommand(e env, args []string, verb, usage string) error {
	fs := newFlags(e, "staff "+verb, usage)
	o := bind(fs, e.getenv, "data", "public-url")
	slug := fs.String("commune", "", "the commune's slug")
	email := fs.String("email", "", "the member's email address (their log-in)")
	role := fs.String("role", "", "admin (configures the commune) or agent (lists and attendance)")
	var name *string
	if verb == "add" {
		name = fs.String("name", "", "the member's name (default: the email address)")
	}
	if err := parse(e, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("staff %s: unexpected argument %q", verb, fs.Arg(0))
	case *slug == "":
		return usagef("staff %s: --commune is required", verb)
	case *email == "":
		return usagef("staff %s: --email is required", verb)
	case verb == "add" && *role == "":
		return usagef("staff add: --role admin or --role agent is required")
	case *role != "" && *role != admin.RoleAdmin && *role != admin.RoleAgent:
		return usagef("staff %s: --role must be admin or agent", verb)
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	if err := tenants.ValidateSlug(*slug); err != nil {
		return err
	}
	n := admin.NewStaff{Email: *email, Role: *role}
	if name != nil {
		n.Name = *name
	}
	if n.Name == "" {
		n.Name = *email
	}
	if err := n.Validate(); verb == "add" && err != nil {
		return usagef("staff add: %v", err)
	}
	smtp, base, err := mailSetup(e, o)
	if err != nil {
		return err
	}
	if *o["public-url"] == "" {
		fmt.Fprintf(e.stderr, "note: --public-url not set; the link points to %s\n", base)
	}
	reg, c, err := openCommune(e, *o["data"], *slug)
	if err != nil {
		return err
	}
	defer reg.Close()
	return reg.WithCommune(e.ctx, c.Slug, func(db *tenants.DB) error {
		var inv admin.StaffInvitation
		err := db.Tx(e.ctx, func(tx *sql.Tx) error {
			var err error
			if verb == "add" {
				inv, err = admin.AddStaff(e.ctx, tx, c, base, n, nil, time.Now())
			} else {
				inv, err = admin.InviteStaffAgain(e.ctx, tx, c, base, n.Email, *role, nil, time.Now())
			}
			return err
		})
		if errors.Is(err, admin.ErrStaffExists) || errors.Is(err, admin.ErrNoSuchStaff) {
			return usagef("staff %s: %s: %v", verb, n.Email, err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s (%s) in %s: set-password link queued for %s\n", inv.Member.Name, inv.Member.Role, c.Name, inv.Member.Email)
		return deliverInvitation(e, smtp, c.Slug, db, inv)
	})
}

// deliverInvitation sends the queued invitation when SMTP is configured,
// and prints its link when it could not be delivered now.
func deliverInvitation(e env, smtp mail.Config, slug string, db *tenants.DB, inv admin.StaffInvitation) error {
	delivered, err := sendQueued(e, smtp, slug, db)
	if !delivered {
		fmt.Fprintf(e.stdout, "link (valid 7 days, once; hand it to %s): %s\n", inv.Member.Email, inv.Link)
	}
	return err
}
