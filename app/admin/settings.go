package admin

import (
	"context"
	"database/sql"
	"net/mail"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

// settingKeys are the commune settings the back office edits; the portal
// reads them (app/portal/legal.go, the mails' sender name).
var settingKeys = []string{"address", "contact_email", "sender_name", "accessibility_compliance",
	"accessibility_audit_date", "privacy_notice", "waiting_days"}

// Compliance levels of the accessibility statement (RGAA).
var complianceLevels = []string{"non conforme", "partiellement conforme", "totalement conforme"}

type settingsData struct {
	base
	Values     map[string]string
	Compliance []string
	Errors     formErrors
}

func loadSettings(ctx context.Context, q querier) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range settingKeys {
		v, err := setting(ctx, q, k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func (a *Admin) showSettings(c *fiber.Ctx) error {
	vals, err := loadSettings(c.UserContext(), db(c).R)
	if err != nil {
		return err
	}
	if vals["accessibility_audit_date"] != "" {
		vals["accessibility_audit_date"] = web.FormatDate(vals["accessibility_audit_date"])
	}
	return web.Render(c, "admin/parametres", "Paramètres", settingsData{base: baseOf(c, "parametres"), Values: vals, Compliance: complianceLevels})
}

// saveSettings validates and stores the settings, auditing every change.
func (a *Admin) saveSettings(c *fiber.Ctx) error {
	vals := map[string]string{}
	for _, k := range settingKeys {
		vals[k] = strings.TrimSpace(c.FormValue(k))
	}
	errs := formErrors{}
	if e := vals["contact_email"]; e != "" {
		if ad, err := mail.ParseAddress(e); err != nil || ad.Address != e {
			errs.add("contact_email", "L'adresse email de contact n'est pas valide.")
		}
	}
	if strings.ContainsAny(vals["sender_name"], "\r\n") || len(vals["sender_name"]) > 100 {
		errs.add("sender_name", "Le nom d'expéditeur tient sur une ligne (100 caractères au plus).")
	}
	ok := false
	for _, l := range complianceLevels {
		ok = ok || vals["accessibility_compliance"] == l
	}
	if !ok {
		errs.add("accessibility_compliance", "Choisissez l'état de conformité.")
	}
	vals["accessibility_audit_date"] = parseOptionalDate(errs, "accessibility_audit_date", vals["accessibility_audit_date"], "La date de l'audit")
	if w := vals["waiting_days"]; w != "" && (len(w) > 2 || strings.Trim(w, "0123456789") != "") {
		errs.add("waiting_days", "Le nombre de jours de carence est un nombre entier.")
	}
	for k, v := range vals {
		if len(v) > 20000 {
			errs.add(k, "Texte trop long.")
		}
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/parametres", "Paramètres",
			settingsData{base: baseOf(c, "parametres"), Values: vals, Compliance: complianceLevels, Errors: errs})
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		changedBefore, changedAfter := map[string]string{}, map[string]string{}
		for _, k := range settingKeys {
			if before[k] == vals[k] {
				continue
			}
			changedBefore[k], changedAfter[k] = before[k], vals[k]
			if err := setSetting(ctx, tx, k, vals[k]); err != nil {
				return err
			}
		}
		if len(changedAfter) == 0 {
			return nil
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "", changedBefore, changedAfter, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Paramètres enregistrés.")
	return web.RedirectTo(c, "/admin/parametres")
}
