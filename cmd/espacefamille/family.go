package main

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const familyUsage = `Usage: espacefamille family <invite> [flags]

  invite  --commune SLUG (--family ID | --all-pending) [--data DIR] [--public-url URL]
          issue a fresh code d'adhésion and email the invitation (the code of the
          same label is replaced). --all-pending invites every family that no
          account is linked to yet. With SMTP_HOST set the mail is sent at once;
          otherwise it waits in the commune's outbox for the server (or the
          demo mailbox).
`

func cmdFamily(e env, args []string) error {
	return subcommand(e, "family", familyUsage, args, map[string]func(env, []string) error{
		"invite": cmdFamilyInvite,
	})
}

func cmdFamilyInvite(e env, args []string) error {
	fs := newFlags(e, "family invite", "family invite --commune SLUG (--family ID | --all-pending) [--data DIR] [--public-url URL]")
	o := bind(fs, e.getenv, "data", "public-url")
	slug := fs.String("commune", "", "the commune's slug")
	family := fs.Int64("family", 0, "identifier of the family to invite")
	pending := fs.Bool("all-pending", false, "invite every family no account is linked to yet")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("family invite: unexpected argument %q", fs.Arg(0))
	case *slug == "":
		return usagef("family invite: --commune is required")
	case (*family > 0) == *pending:
		return usagef("family invite: give either --family ID or --all-pending")
	case *family < 0:
		return usagef("family invite: --family must be a positive identifier")
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	if err := tenants.ValidateSlug(*slug); err != nil {
		return err
	}
	smtp, base, err := mailSetup(e, o)
	if err != nil {
		return err
	}
	if *o["public-url"] == "" {
		fmt.Fprintf(e.stderr, "note: --public-url not set; links in the emails point to %s\n", base)
	}
	reg, c, err := openCommune(e, *o["data"], *slug)
	if err != nil {
		return err
	}
	defer reg.Close()
	return reg.WithCommune(e.ctx, c.Slug, func(db *tenants.DB) error {
		ids := []int64{*family}
		if *pending {
			if ids, err = accounts.PendingFamilies(e.ctx, db.Reader()); err != nil {
				return err
			}
		}
		// What was queued is sent even when some families failed.
		ierr := invite(e, db, c, ids, web.CommuneURL(base, c, "/"), *pending)
		var ue *usageError
		if errors.As(ierr, &ue) {
			return ierr // nothing was queued
		}
		return errors.Join(ierr, flushMail(e, smtp, c.Slug, db))
	})
}

// invite queues one invitation per family, each in its own transaction, and
// reports progress. With one family, its failure is the command's.
func invite(e env, db *tenants.DB, c tenants.Commune, ids []int64, portal string, bulk bool) error {
	var failed int
	for i, id := range ids {
		var inv accounts.Invitation
		err := db.Tx(e.ctx, func(tx *sql.Tx) error {
			var err error
			inv, err = accounts.InviteFamily(e.ctx, tx, c, id, portal, time.Now())
			return err
		})
		if !bulk {
			if errors.Is(err, accounts.ErrFamilyNotFound) || errors.Is(err, accounts.ErrNoEmail) {
				return usagef("family invite: %v", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s (n° %d): invitation queued for %s\n", inv.FamilyName, id, inv.Email)
			return nil
		}
		if err != nil {
			failed++
			fmt.Fprintf(e.stdout, "[%d/%d] family n° %d: NOT invited: %v\n", i+1, len(ids), id, err)
			continue
		}
		fmt.Fprintf(e.stdout, "[%d/%d] %s (n° %d): invitation queued for %s\n", i+1, len(ids), inv.FamilyName, id, inv.Email)
	}
	fmt.Fprintf(e.stdout, "summary: %d invitation(s) queued, %d failed (of %d pending)\n", len(ids)-failed, failed, len(ids))
	if failed > 0 {
		return errors.New("some families could not be invited")
	}
	return nil
}

// mailSetup checks what a command that mails families needs besides its
// flags: the SMTP settings (from the environment), the data directory and
// the public address the mail links to (--public-url, else the local server).
func mailSetup(e env, o map[string]*string) (mail.Config, string, error) {
	smtp, err := mail.ConfigFromEnv(e.getenv)
	if err != nil {
		return smtp, "", usagef("%v", err)
	}
	if err := dataDirExists(*o["data"]); err != nil {
		return smtp, "", err
	}
	base := *o["public-url"]
	if base == "" {
		base = "http://localhost:8080"
	}
	return smtp, base, nil
}

// flushMail sends the commune's queued mail now when SMTP is configured.
func flushMail(e env, cfg mail.Config, slug string, db *tenants.DB) error {
	_, err := sendQueued(e, cfg, slug, db)
	return err
}

// sendQueued is flushMail, reporting whether everything queued was
// delivered now.
func sendQueued(e env, cfg mail.Config, slug string, db *tenants.DB) (bool, error) {
	if !cfg.Enabled() {
		fmt.Fprintln(e.stdout, "mail: SMTP_HOST is not set; the invitations wait in the commune's outbox for the server (demo: its mailbox page)")
		return false, nil
	}
	s, err := mail.NewSender(cfg, mail.Sources{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return false, err
	}
	n, err := s.Flush(e.ctx, mail.Source{Name: slug, DB: db})
	if err != nil {
		return false, err
	}
	fmt.Fprintf(e.stdout, "mail: %d sent, %d to retry later (the server retries), %d failed\n", n.Sent, n.Retried, n.Failed)
	return n.Retried == 0 && n.Failed == 0, nil
}
