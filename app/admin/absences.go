package admin

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/absences"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
)

// The absences families declare (app/absences): their list with the
// certificates, and the commune's rule.

type absencesData struct {
	base
	Rule     absences.Rule
	List     []absences.Absence
	From, To calendar.Date
}

// showAbsences lists the declared absences of a range of days (the last
// 30 days and the next 7 by default).
func (a *Admin) showAbsences(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	today := calendar.Today(a.now())
	d := absencesData{base: baseOf(c, "absences"), From: today.AddDays(-30), To: today.AddDays(7)}
	for _, f := range []struct {
		key string
		dst *calendar.Date
	}{{"du", &d.From}, {"au", &d.To}} {
		if v := strings.TrimSpace(c.Query(f.key)); v != "" {
			day, err := calendar.ParseDate(v)
			if err != nil {
				return errInvalid("Les dates doivent être au format JJ/MM/AAAA.")
			}
			*f.dst = day
		}
	}
	var err error
	if d.Rule, err = absences.LoadRule(ctx, q); err != nil {
		return err
	}
	if d.List, err = absences.List(ctx, q, absences.Filter{From: d.From, To: d.To}); err != nil {
		return err
	}
	return web.Render(c, "admin/absences", "Absences signalées", d)
}

// showAbsenceCertificate shows a family's medical certificate to staff.
func (a *Admin) showAbsenceCertificate(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f, err := absences.Certificate(c.UserContext(), db(c).Reader(), 0, id)
	if err != nil {
		return err
	}
	return absences.ServeCertificate(c, f)
}

type absenceRuleData struct {
	base
	Rule   absences.Rule
	Values map[string]string
	Errors formErrors
}

func (a *Admin) showAbsenceRule(c *fiber.Ctx) error {
	r, err := absences.LoadRule(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/absences-regle", "Règle des absences", absenceRuleData{base: baseOf(c, "absences"), Rule: r, Values: ruleValues(r)})
}

func ruleValues(r absences.Rule) map[string]string {
	v := map[string]string{"deadline": r.Deadline(), "carence": strconv.Itoa(r.CarenceDays), "certificate": "optional", "enabled": "",
		"months": strconv.Itoa(r.CertificateMonths)}
	if r.CertificateRequired {
		v["certificate"] = "required"
	}
	if r.Enabled {
		v["enabled"] = "1"
	}
	return v
}

// saveAbsenceRule validates and stores the rule, audited.
func (a *Admin) saveAbsenceRule(c *fiber.Ctx) error {
	v := map[string]string{"deadline": formValue(c, "deadline"), "carence": formValue(c, "carence"),
		"certificate": formValue(c, "certificate"), "enabled": formValue(c, "enabled"), "months": formValue(c, "months")}
	errs := formErrors{}
	r := absences.Rule{Enabled: v["enabled"] == "1", CertificateRequired: v["certificate"] == "required"}
	var ok bool
	if r.DeadlineHour, r.DeadlineMinute, ok = absences.ParseDeadline(v["deadline"]); !ok {
		errs.add("deadline", "Indiquez une heure au format HH:MM, par exemple 09:00.")
	}
	n, err := strconv.Atoi(v["carence"])
	if err != nil || n < 0 || n > 30 {
		errs.add("carence", "Le nombre de jours de carence est un nombre entier de 0 à 30.")
	}
	r.CarenceDays = n
	months, err := strconv.Atoi(v["months"])
	if err != nil || months < absences.MinCertificateMonths || months > absences.MaxCertificateMonths {
		errs.add("months", fmt.Sprintf("La durée de conservation des certificats est un nombre de mois de %d à %d.",
			absences.MinCertificateMonths, absences.MaxCertificateMonths))
	}
	r.CertificateMonths = months
	if v["certificate"] != "required" && v["certificate"] != "optional" {
		errs.add("certificate", "Choisissez si le certificat médical est obligatoire.")
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/absences-regle", "Règle des absences",
			absenceRuleData{base: baseOf(c, "absences"), Rule: r, Values: v, Errors: errs})
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := absences.LoadRule(ctx, tx)
		if err != nil {
			return err
		}
		if err := absences.SaveRule(ctx, tx, r); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "", ruleValues(before), ruleValues(r), now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Règle des absences enregistrée : les familles la voient avant de signaler une absence.")
	return web.RedirectTo(c, "/admin/absences/regle")
}
