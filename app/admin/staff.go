package admin

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	appmail "espacefamille/app/mail"
	"espacefamille/app/names"
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
	list, err := staffList(c.UserContext(), db(c).R)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/agents", "Agents", staffData{base: baseOf(c, "agents"), Members: list})
}

// inviteStaff creates a member and emails a one-time set-password link.
func (a *Admin) inviteStaff(c *fiber.Ctx) error {
	email := strings.ToLower(formValue(c, "email"))
	name, problem := names.Check(c.FormValue("name"), 200)
	role := formValue(c, "role")
	errs := formErrors{}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		errs.add("email", "Saisissez une adresse email valide.")
	}
	if name == "" {
		errs.add("name", "Saisissez le nom de la personne.")
	} else if problem != "" {
		errs.add("name", problem)
	}
	if role != RoleAdmin && role != RoleAgent {
		errs.add("role", "Choisissez un rôle.")
	}
	if len(errs) == 0 {
		if _, err := staffByEmail(c.UserContext(), db(c).R, email); err == nil {
			errs.add("email", "Cette adresse est déjà celle d'un agent de la commune.")
		}
	}
	if len(errs) > 0 {
		list, err := staffList(c.UserContext(), db(c).R)
		if err != nil {
			return err
		}
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/agents", "Agents", staffData{
			base: baseOf(c, "agents"), Members: list, Errors: errs,
			Form: map[string]string{"email": email, "name": name, "role": role}})
	}
	t := tenants.From(c)
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO staff (email, name, role, created_at) VALUES (?, ?, ?, ?)`, email, name, role, ts(now))
		if err != nil {
			return fmt.Errorf("admin: create staff: %w", err)
		}
		id, _ := res.LastInsertId()
		st := Staff{ID: id, Email: email, Name: name, Role: role}
		if err := a.queueStaffInvitation(ctx, tx, t, st, now); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "create", "staff", id, nil, map[string]string{"email": email, "name": name, "role": role}, now)
	})
	if err != nil {
		return err
	}
	a.notify(t.Commune.Slug)
	web.AddFlash(c, "success", "Invitation envoyée à "+email+".")
	return web.RedirectTo(c, "/admin/agents")
}

// queueStaffInvitation issues a set-password link and queues its email.
func (a *Admin) queueStaffInvitation(ctx context.Context, tx *sql.Tx, t *tenants.Tenant, st Staff, now time.Time) error {
	token, err := createInviteToken(ctx, tx, st.ID, now)
	if err != nil {
		return err
	}
	link := a.srv.CommuneURL(t.Commune, "/admin/mot-de-passe/"+token)
	text := fmt.Sprintf("Bonjour %s,\n\nVous êtes invité(e) à rejoindre l'espace des agents de l'Espace Famille de la %s, avec le rôle %s.\n\nChoisissez votre mot de passe en suivant ce lien (valable 72 heures, une seule fois) :\n%s\n\nVotre identifiant est votre adresse email : %s\n\nSi vous n'attendiez pas ce message, ignorez-le.\n",
		st.Name, t.Commune.Name, st.RoleLabel(), link, st.Email)
	html := fmt.Sprintf(`<p>Bonjour %s,</p><p>Vous êtes invité(e) à rejoindre l'espace des agents de l'Espace Famille de la %s, avec le rôle %s.</p><p><a href="%s">Choisir mon mot de passe</a> (lien valable 72 heures, une seule fois).</p><p>Votre identifiant est votre adresse email : %s</p><p>Si vous n'attendiez pas ce message, ignorez-le.</p>`,
		htmlEscape(st.Name), htmlEscape(t.Commune.Name), st.RoleLabel(), htmlEscape(link), htmlEscape(st.Email))
	_, err = appmail.Enqueue(ctx, tx, appmail.Message{
		Kind: "staff_invitation", To: st.Email, ToName: st.Name, FromName: senderName(ctx, tx, t.Commune.Name),
		Subject: "Votre accès à l'espace des agents – " + t.Commune.Name, Text: text, HTML: html,
	}, now)
	return err
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
			return web.ErrNotFound
		}
		if err := a.queueStaffInvitation(ctx, tx, t, st, now); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "reinvite", "staff", id, nil, map[string]string{"email": st.Email}, now)
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
			return web.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET role = ?, disabled = ? WHERE id = ?`, role, disabled, id); err != nil {
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

// senderName is the commune's sender name setting, or its name.
func senderName(ctx context.Context, q querier, communeName string) string {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'sender_name'`).Scan(&v); err != nil || strings.TrimSpace(v) == "" {
		return communeName
	}
	return v
}

var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace
