package admin

import (
	"context"
	"database/sql"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

type staffData struct {
	base
	Members []Staff
	Form    map[string]string
	Errors  formErrors
}

func (a *Admin) showStaff(c *fiber.Ctx) error {
	list, err := staffList(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/agents", "Agents", staffData{base: baseOf(c, "agents"), Members: list})
}

// inviteStaff creates a member and emails a one-time set-password link.
func (a *Admin) inviteStaff(c *fiber.Ctx) error {
	n := NewStaff{Email: formValue(c, "email"), Name: formValue(c, "name"), Role: formValue(c, "role")}.normalize()
	errs := n.validate()
	if len(errs) == 0 {
		if _, err := staffByEmail(c.UserContext(), db(c).Reader(), n.Email); err == nil {
			errs.add("email", "Cette adresse est déjà celle d'un agent de la commune.")
		}
	}
	if len(errs) > 0 {
		list, err := staffList(c.UserContext(), db(c).Reader())
		if err != nil {
			return err
		}
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/agents", "Agents", staffData{
			base: baseOf(c, "agents"), Members: list, Errors: errs,
			Form: map[string]string{"email": n.Email, "name": n.Name, "role": n.Role}})
	}
	t := tenants.From(c)
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		_, err := AddStaff(ctx, tx, t.Commune, a.srv.PublicURL, n, currentStaff(c), now)
		return err
	})
	if err != nil {
		return err
	}
	a.notify(t.Commune.Slug)
	web.AddFlash(c, "success", "Invitation envoyée à "+n.Email+".")
	return web.RedirectTo(c, "/admin/agents")
}

// reinviteStaff sends a new set-password link (also a password reset).
func (a *Admin) reinviteStaff(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	t := tenants.From(c)
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		st, err := staffByID(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = reinvite(ctx, tx, t.Commune, a.srv.PublicURL, st, "", false, currentStaff(c), now)
		return err
	})
	if err != nil {
		return err
	}
	a.notify(t.Commune.Slug)
	web.AddFlash(c, "success", "Un nouveau lien a été envoyé.")
	return web.RedirectTo(c, "/admin/agents")
}

// updateStaff changes a member's role or disables/enables them.
func (a *Admin) updateStaff(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	role := formValue(c, "role")
	disabled := checked(c, "disabled")
	me := currentStaff(c)
	if role != RoleAdmin && role != RoleAgent {
		return errInvalid("Choisissez un rôle.")
	}
	if id == me.ID && (role != RoleAdmin || disabled) {
		return errInvalid("Vous ne pouvez pas retirer vos propres droits d'administrateur.")
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := staffByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := setStaffRole(ctx, tx, id, role, disabled); err != nil {
			return err
		}
		if disabled {
			if err := deleteStaffSessions(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, me, "update", "staff", id,
			map[string]any{"role": before.Role, "disabled": before.Disabled},
			map[string]any{"role": role, "disabled": disabled}, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Agent mis à jour.")
	return web.RedirectTo(c, "/admin/agents")
}
