package platform

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Delivery is the delivery of the commune's first administrator's
// invitation, as its outbox has it.
type Delivery struct {
	Found bool
	mail.Entry
}

// StatusLabel is the delivery status in French.
func (i Delivery) StatusLabel() string {
	switch i.Status {
	case mail.StatusPending:
		if i.Attempts > 0 {
			return fmt.Sprintf("en attente d'un nouvel essai (%d essai(s) en échec)", i.Attempts)
		}
		return "en file d'attente"
	case mail.StatusSending:
		return "en cours d'envoi"
	case mail.StatusSent:
		return "envoyée"
	case mail.StatusFailed:
		return "échec de l'envoi"
	}
	return i.Status
}

// delivery reads the newest invitation mail to the commune's first
// administrator (one commune file opened, for its page only).
func (p *Console) delivery(ctx context.Context, r Row) (Delivery, error) {
	if r.AdminEmail == "" || !r.FileDeletedAt.IsZero() || r.Broken != "" || r.MigrateError != "" {
		return Delivery{}, nil
	}
	var inv Delivery
	err := p.reg.WithCommune(ctx, r.Slug, func(db *tenants.DB) error {
		e, err := mail.Last(ctx, db.Reader(), "staff_invitation", r.AdminEmail)
		if errors.Is(err, mail.ErrNotFound) {
			return nil
		}
		inv = Delivery{Found: err == nil, Entry: e}
		return err
	})
	if tenants.IsNotOwner(err) {
		// Another node serves the commune (or it is moving): its outbox
		// is that node's to read; the page shows no invitation line.
		return Delivery{}, nil
	}
	return inv, err
}

// backupNow backs the commune up at once into the backup directory, and
// says how it went.
func (p *Console) backupNow(c *fiber.Ctx) error {
	ctx, slug := c.UserContext(), c.Params("slug")
	com, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	switch {
	case p.backupDir == "":
		return p.renderCommune(c, fiber.StatusConflict, communeData{BackupError: "Aucun répertoire de sauvegarde n'est configuré (ESPACEFAMILLE_BACKUP_DIR) : la sauvegarde est impossible."})
	case !com.ArchivedAt.IsZero():
		return p.renderCommune(c, fiber.StatusConflict, communeData{BackupError: "Cette commune est archivée : sa sauvegarde finale est conservée."})
	}
	start := time.Now()
	path, err := p.reg.Backup(ctx, slug, filepath.Join(p.backupDir, "communes"), p.now())
	if err != nil {
		_ = p.audit(c, "commune_backup_failed", slug, err.Error())
		return p.renderCommune(c, fiber.StatusInternalServerError, communeData{BackupError: "La sauvegarde a échoué : " + err.Error()})
	}
	if err := p.audit(c, "commune_backup", slug, path); err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Sauvegarde terminée en %s : %s.", time.Since(start).Round(time.Millisecond), path))
	return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
}

// retire archives (or, with del, deletes) the commune after a final
// backup, once its slug is typed again.
func (p *Console) retire(del bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, slug := c.UserContext(), c.Params("slug")
		if _, err := p.commune(ctx, slug); err != nil {
			return err
		}
		confirm := strings.TrimSpace(c.FormValue("confirm"))
		res, err := RetireCommune(ctx, p.reg, Retire{Slug: slug, Confirm: confirm, Delete: del, BackupDir: p.backupDir,
			Retention: p.archiveRetention, PublicURL: p.publicURL, Actor: current(c).Email, Now: p.now()})
		d := communeData{RetireDelete: del}
		switch {
		case errors.Is(err, tenants.ErrConfirmation):
			d.RetireError = "Tapez exactement l'identifiant « " + slug + " » pour confirmer."
			return p.renderCommune(c, fiber.StatusUnprocessableEntity, d)
		case errors.Is(err, tenants.ErrNoBackupDir), errors.Is(err, tenants.ErrArchived):
			d.RetireError = upperFirst(err.Error()) + "."
			return p.renderCommune(c, fiber.StatusConflict, d)
		case err != nil:
			d.RetireError = "Rien n'a été archivé : " + err.Error()
			return p.renderCommune(c, fiber.StatusInternalServerError, d)
		}
		if len(res.Told) > 0 {
			p.notify(accounts.PlatformOutbox)
		}
		what := "archivée"
		if del {
			what = "supprimée"
		}
		web.AddFlash(c, "success", fmt.Sprintf("La commune %s est %s. Sa sauvegarde finale est conservée jusqu'au %s ; %d compte(s) de parents sans autre commune ont été prévenus.",
			slug, what, frDate(res.PurgeAt), len(res.Told)))
		return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
	}
}
