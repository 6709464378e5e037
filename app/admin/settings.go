package admin

import (
	"context"
	"database/sql"
	"espacefamille/app/booking"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/branding"
	"espacefamille/app/names"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// settingKeys are the commune settings the back office edits; the portal
// reads them (app/portal/legal.go, the mails' sender name).
var settingKeys = []string{"address", "contact_email", "sender_name", "accessibility_compliance",
	"accessibility_audit_date", "privacy_notice"}

// Compliance levels of the accessibility statement (RGAA).
var complianceLevels = []string{"non conforme", "partiellement conforme", "totalement conforme"}

type settingsData struct {
	base
	Values     map[string]string // the settings, plus "name": the commune's display name
	Compliance []string
	Errors     formErrors
	Logo       *branding.Logo // nil when the commune has no logo
	LogoURL    string
	LogoError  string // French refusal of an uploaded logo
}

// renderSettings shows the settings page with vals (the form as posted,
// or nil to load the stored settings), errs and a refused logo's message.
func (a *Admin) renderSettings(c *fiber.Ctx, status int, vals map[string]string, errs formErrors, logoErr string) error {
	ctx := c.UserContext()
	if vals == nil {
		var err error
		if vals, err = loadSettings(ctx, db(c).Reader()); err != nil {
			return err
		}
		if vals["accessibility_audit_date"] != "" {
			vals["accessibility_audit_date"] = web.FormatDate(vals["accessibility_audit_date"])
		}
		vals["name"] = commune(c).Name
	}
	logo, err := branding.Current(ctx, db(c).Reader())
	if err != nil {
		return err
	}
	d := settingsData{base: baseOf(c, "parametres"), Values: vals, Compliance: complianceLevels, Errors: errs,
		Logo: logo, LogoError: logoErr}
	if logo != nil {
		d.LogoURL = branding.URL(c)
	}
	return web.RenderStatus(c, status, "admin/parametres", "Paramètres", d)
}

func loadSettings(ctx context.Context, q tenants.Querier) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range settingKeys {
		v, err := booking.Setting(ctx, q, k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func (a *Admin) showSettings(c *fiber.Ctx) error {
	return a.renderSettings(c, fiber.StatusOK, nil, nil, "")
}

// saveSettings validates and stores the settings, auditing every change.
// The commune's display name lives in two places: its settings (the
// commune's own record, audited) and the platform registry, which every
// page reads (tenants.Registry.SetName).
func (a *Admin) saveSettings(c *fiber.Ctx) error {
	vals := map[string]string{}
	for _, k := range settingKeys {
		vals[k] = strings.TrimSpace(c.FormValue(k))
	}
	errs := formErrors{}
	oldName := commune(c).Name
	rawName := c.FormValue("name")
	if rawName == "" && !c.Request().PostArgs().Has("name") {
		rawName = oldName // a form without the field keeps the name
	}
	name, nerr := tenants.ValidateName(rawName)
	if nerr != nil {
		errs.add("name", "Le nom de la commune est obligatoire et tient sur une ligne (200 caractères au plus).")
	}
	vals["name"] = name
	// A sender name that only repeated the commune's name follows it.
	if vals["sender_name"] == oldName && name != oldName && nerr == nil {
		vals["sender_name"] = name
	}
	if e := vals["contact_email"]; e != "" {
		if ad, err := mail.ParseAddress(e); err != nil || ad.Address != e {
			errs.add("contact_email", "L'adresse email de contact n'est pas valide.")
		}
	}
	if sender, problem := names.Check(vals["sender_name"], 100); problem != "" {
		errs.add("sender_name", problem)
	} else {
		vals["sender_name"] = sender
	}
	ok := false
	for _, l := range complianceLevels {
		ok = ok || vals["accessibility_compliance"] == l
	}
	if !ok {
		errs.add("accessibility_compliance", "Choisissez l'état de conformité.")
	}
	vals["accessibility_audit_date"] = parseOptionalDate(errs, "accessibility_audit_date", vals["accessibility_audit_date"], "La date de l'audit")
	for k, v := range vals {
		if len(v) > 20000 {
			errs.add(k, "Texte trop long.")
		}
	}
	if len(errs) > 0 {
		return a.renderSettings(c, fiber.StatusUnprocessableEntity, vals, errs, "")
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		changedBefore, changedAfter := map[string]string{}, map[string]string{}
		storedName, err := booking.Setting(ctx, tx, "name")
		if err != nil {
			return err
		}
		if storedName != name {
			if err := booking.SetSetting(ctx, tx, "name", name); err != nil {
				return err
			}
		}
		// Audited against the name people saw (the registry's): re-posting
		// the form after a failed registry update below repairs it.
		if storedName != name || oldName != name {
			changedBefore["name"], changedAfter["name"] = oldName, name
		}
		for _, k := range settingKeys {
			if before[k] == vals[k] {
				continue
			}
			changedBefore[k], changedAfter[k] = before[k], vals[k]
			if err := booking.SetSetting(ctx, tx, k, vals[k]); err != nil {
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
	if name != oldName {
		if err := a.srv.Registry.SetName(c.UserContext(), commune(c).Slug, name); err != nil {
			return fmt.Errorf("admin: registry name: %w", err)
		}
	}
	web.AddFlash(c, "success", "Paramètres enregistrés.")
	return web.RedirectTo(c, "/admin/parametres")
}
