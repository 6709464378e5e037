package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const billingUsage = `Usage: espacefamille billing <run|reconcile> [flags]

  run        --commune SLUG --month YYYY-MM [--data DIR] [--public-url URL]
             invoice the month's validated bookings of every post-paid régie
             ("en cours"), once: running it again creates nothing new; queues
             "une nouvelle facture est disponible" for each family invoiced.
  reconcile  (--commune SLUG | --all) [--data DIR]
             ask the payment providers about every order left pending (lost
             notifications) and expire those whose 30 minutes are over.
`

func cmdBilling(e env, args []string) error {
	return subcommand(e, "billing", billingUsage, args, map[string]func(env, []string) error{
		"run":       cmdBillingRun,
		"reconcile": cmdBillingReconcile,
	})
}

var monthRE = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

func cmdBillingRun(e env, args []string) error {
	fs := newFlags(e, "billing run", "billing run --commune SLUG --month YYYY-MM [--data DIR] [--public-url URL]")
	o := bind(fs, e.getenv, "data", "public-url")
	slug := fs.String("commune", "", "the commune's slug")
	month := fs.String("month", "", "the month to invoice, e.g. 2026-11")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	m := monthRE.FindStringSubmatch(*month)
	switch {
	case fs.NArg() > 0:
		return usagef("billing run: unexpected argument %q", fs.Arg(0))
	case *slug == "":
		return usagef("billing run: --commune is required")
	case m == nil:
		return usagef("billing run: --month must be YYYY-MM, e.g. 2026-11")
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	smtp, base, err := mailSetup(e, o)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(m[1])
	mon, _ := strconv.Atoi(m[2])
	reg, c, err := openCommune(e, *o["data"], *slug)
	if err != nil {
		return err
	}
	defer reg.Close()
	svc := billing.NewService(billing.Options{Platform: reg.Platform(),
		AbsURL: func(c tenants.Commune, p string) string { return web.CommuneURL(base, c, p) }})
	return reg.WithCommune(e.ctx, c.Slug, func(db *tenants.DB) error {
		rep, err := svc.RunMonth(e.ctx, db, c, year, time.Month(mon), web.CommuneURL(base, c, "/famille/factures"))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s: %d post-paid régie(s), %d invoice(s) created (%s), %d already invoiced\n",
			c.Slug, *month, rep.Regies, rep.Created, billing.FormatCents(rep.TotalCents), rep.Existing)
		return flushMail(e, smtp, c.Slug, db)
	})
}

func cmdBillingReconcile(e env, args []string) error {
	fs := newFlags(e, "billing reconcile", "billing reconcile (--commune SLUG | --all) [--data DIR]")
	o := bind(fs, e.getenv, "data")
	slug := fs.String("commune", "", "the commune's slug")
	all := fs.Bool("all", false, "every commune of the data directory")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("billing reconcile: unexpected argument %q", fs.Arg(0))
	case (*slug != "") == *all:
		return usagef("billing reconcile: give either --commune SLUG or --all")
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	reg, err := openData(e, *o["data"], 8)
	if err != nil {
		return err
	}
	defer reg.Close()
	list, err := communes(e, reg, *all, []string{*slug})
	if err != nil {
		return err
	}
	svc := billing.NewService(billing.Options{})
	var failed int
	for _, c := range list {
		if c.Status != tenants.StatusActive {
			continue
		}
		err := reg.WithCommune(e.ctx, c.Slug, func(db *tenants.DB) error {
			rep, err := svc.Reconcile(e.ctx, db, c)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d pending checked, %d paid, %d failed, %d expired, %d still pending, %d recently closed checked again, %d errors\n",
				c.Slug, rep.Checked, rep.Paid, rep.Failed, rep.Expired, rep.Pending, rep.Watched, rep.Errors)
			for _, p := range rep.Problems {
				fmt.Fprintf(e.stderr, "%s: order %s\n", c.Slug, p)
			}
			if rep.Broken() {
				return fmt.Errorf("%d order(s) could not be reconciled", rep.Errors)
			}
			return nil
		})
		if err != nil {
			failed++
			fmt.Fprintf(e.stderr, "%s: %v\n", c.Slug, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("billing reconcile: %d commune(s) failed", failed)
	}
	return nil
}
