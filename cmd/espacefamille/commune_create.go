package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/admin"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// communeSetup is what commune create puts in a new commune's file before
// registering it, in the same transaction: its zone's school holidays and,
// with --admin-email, its first administrator with a set-password link.
type communeSetup struct {
	e        env
	smtp     mail.Config
	base     string // public URL of the links
	admin    admin.NewStaff
	holidays int
	invite   admin.StaffInvitation
}

// newCommuneSetup checks the administrator's address and the mail
// settings before anything is created (bad arguments create nothing).
func newCommuneSetup(e env, o map[string]*string, n tenants.NewCommune, adminName string) (*communeSetup, error) {
	s := &communeSetup{e: e}
	if n.AdminEmail == "" {
		if adminName != "" {
			return nil, usagef("commune create: --admin-name needs --admin-email")
		}
		return s, nil
	}
	if adminName == "" {
		adminName = n.AdminEmail
	}
	s.admin = admin.NewStaff{Email: n.AdminEmail, Name: adminName, Role: admin.RoleAdmin}
	if err := s.admin.Validate(); err != nil {
		return nil, usagef("commune create: administrator: %v", err)
	}
	smtp, err := mail.ConfigFromEnv(e.getenv)
	if err != nil {
		return nil, usagef("%v", err)
	}
	s.smtp, s.base = smtp, *o["public-url"]
	if s.base == "" {
		s.base = "http://localhost:8080"
		fmt.Fprintf(e.stderr, "note: --public-url not set; the administrator's link points to %s\n", s.base)
	}
	return s, nil
}

// init runs in the new commune's creating transaction.
func (s *communeSetup) init(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
	var err error
	if s.holidays, err = admin.LoadZoneHolidays(ctx, tx, c.Zone); err != nil {
		return err
	}
	if s.admin.Email == "" {
		return nil
	}
	s.invite, err = admin.AddStaff(ctx, tx, c, s.base, s.admin, nil, time.Now())
	return err
}

// report says what was set up and sends the invitation (or prints its
// link when it could not be sent now).
func (s *communeSetup) report(reg *tenants.Registry, c tenants.Commune) error {
	fmt.Fprintf(s.e.stdout, "  school holidays of zone %s: %d loaded (public holidays are computed)\n", c.Zone, s.holidays)
	if s.admin.Email == "" {
		fmt.Fprintf(s.e.stdout, "  no administrator yet: espacefamille staff add --commune %s --email E --role admin\n", c.Slug)
		return nil
	}
	fmt.Fprintf(s.e.stdout, "  administrator %s: set-password link queued (valid 7 days; staff reset sends a new one)\n", s.invite.Member.Email)
	return reg.WithCommune(s.e.ctx, c.Slug, func(db *tenants.DB) error {
		return deliverInvitation(s.e, s.smtp, c.Slug, db, s.invite)
	})
}
