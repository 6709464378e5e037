package accounts

import (
	"database/sql"
	"slices"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/notify"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// notificationChoices are "Mes notifications" on Mon compte: the emails
// of this commune the account's address receives (app/notify).
func (svc *Service) notificationChoices(c *fiber.Ctx, email string) ([]notify.Choice, error) {
	return notify.Choices(c.UserContext(), tenants.From(c).DB().Reader(), email)
}

// saveNotifications stores "Mes notifications": each kind ticked is
// received, each other one is not (the same as its unsubscribe link).
func (svc *Service) saveNotifications(c *fiber.Ctx) error {
	u := web.User(c)
	ctx := c.UserContext()
	acc, err := accountByID(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return err
	}
	ticked := c.Request().PostArgs().PeekMulti("notification")
	wanted := map[notify.Kind]bool{}
	for _, k := range notify.Kinds {
		wanted[k] = slices.ContainsFunc(ticked, func(b []byte) bool { return string(b) == string(k) })
	}
	if err := tenants.From(c).DB().Tx(ctx, func(tx *sql.Tx) error {
		return notify.SetChoices(ctx, tx, acc.Email, wanted, svc.now())
	}); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Vos choix de notifications sont enregistrés.")
	return web.RedirectTo(c, "/mon-compte#notifications")
}
