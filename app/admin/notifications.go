package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/notify"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// notificationsData is the back office's "Notifications" page.
type notificationsData struct {
	base
	Settings notify.Settings
	// Form is the form as posted when it comes back with errors.
	Form   map[string]string
	Errors formErrors
}

// showNotifications shows the commune's notification settings.
func (a *Admin) showNotifications(c *fiber.Ctx) error {
	st, err := notify.LoadSettings(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	form := map[string]string{"heure_rappel": st.Time(), "jours_avant": strconv.Itoa(st.DaysBefore)}
	return web.Render(c, "admin/notifications", "Notifications", notificationsData{base: baseOf(c, "notifications"),
		Settings: st, Form: form, Errors: formErrors{}})
}

// auditedSettings is what the journal records of the settings.
func auditedSettings(s notify.Settings) map[string]any {
	return map[string]any{"cutoff_reminder": s.CutoffReminder, "new_invoice": s.NewInvoice, "payment_failed": s.PaymentFailed,
		"reminder_time": s.Time(), "days_before": s.DaysBefore}
}

// saveNotifications stores the settings, audited, and asks the reminder
// job to plan the commune's reminders again at once.
func (a *Admin) saveNotifications(c *fiber.Ctx) error {
	st, fe := notify.ParseSettings(func(k string) string { return c.FormValue(k) })
	if len(fe) > 0 {
		errs := formErrors{}
		for _, e := range fe {
			errs.add(e.Field, e.Message)
		}
		form := map[string]string{"heure_rappel": c.FormValue("heure_rappel"), "jours_avant": c.FormValue("jours_avant")}
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/notifications", "Notifications",
			notificationsData{base: baseOf(c, "notifications"), Settings: st, Form: form, Errors: errs})
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := notify.LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if before == st {
			return nil
		}
		if err := notify.SaveSettings(ctx, tx, st); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "notifications", auditedSettings(before), auditedSettings(st), now)
	})
	var fields calendar.FieldErrors
	if errors.As(err, &fields) {
		return errInvalid(fields.Error())
	}
	if err != nil {
		return err
	}
	if err := a.srv.Registry.SetWork(c.UserContext(), commune(c).Slug, tenants.WorkReminders, a.now()); err != nil && !errors.Is(err, tenants.ErrNotFound) {
		return fmt.Errorf("admin: plan reminders: %w", err)
	}
	web.AddFlash(c, "success", "Notifications enregistrées.")
	return web.RedirectTo(c, "/admin/notifications")
}
