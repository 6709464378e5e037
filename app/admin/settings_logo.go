package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/branding"
	"espacefamille/app/web"
)

// uploadLogo stores the commune's logo from a multipart form (field
// "logo", with the _csrf field like every form). The file is judged by its
// content (branding.Check); the audit log records its hash, size and
// dimensions, never its bytes.
func (a *Admin) uploadLogo(c *fiber.Ctx) error {
	fh, err := c.FormFile("logo")
	if err != nil {
		return a.renderSettings(c, fiber.StatusUnprocessableEntity, nil, nil, "Choisissez un fichier image (PNG ou JPEG).")
	}
	if fh.Size > branding.MaxBytes {
		return a.renderSettings(c, fiber.StatusUnprocessableEntity, nil, nil,
			fmt.Sprintf("Le fichier pèse %d Ko : le logo ne doit pas dépasser 512 Ko.", (fh.Size+1023)/1024))
	}
	data, err := readUpload(fh, branding.MaxBytes+1)
	if err != nil {
		return fmt.Errorf("admin: logo upload: %w", err)
	}
	logo, err := branding.Check(data)
	var ie *branding.InvalidError
	if errors.As(err, &ie) {
		return a.renderSettings(c, fiber.StatusUnprocessableEntity, nil, nil, ie.Message)
	} else if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := branding.Current(ctx, tx)
		if err != nil {
			return err
		}
		if err := branding.Save(ctx, tx, data, logo, now); err != nil {
			return err
		}
		action := "create"
		var b any
		if before != nil {
			action, b = "update", before
		}
		return audit(ctx, tx, currentStaff(c), action, "logo", "", b, logo, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Logo enregistré : il apparaît en haut de toutes les pages de la commune.")
	return web.RedirectTo(c, "/admin/parametres")
}

// removeLogo deletes the commune's logo (audited).
func (a *Admin) removeLogo(c *fiber.Ctx) error {
	removed := false
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := branding.Current(ctx, tx)
		if err != nil || before == nil {
			return err
		}
		if err := branding.Remove(ctx, tx); err != nil {
			return err
		}
		removed = true
		return audit(ctx, tx, currentStaff(c), "delete", "logo", "", before, nil, now)
	})
	if err != nil {
		return err
	}
	if removed {
		web.AddFlash(c, "success", "Logo supprimé.")
	} else {
		web.AddFlash(c, "info", "La commune n'a pas de logo.")
	}
	return web.RedirectTo(c, "/admin/parametres")
}
