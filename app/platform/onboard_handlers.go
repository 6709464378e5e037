package platform

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

type onboardData struct {
	Form     Onboarding
	Hosts    string
	Errors   FieldErrors
	Communes []tenants.Commune // the configurations that can be copied
}

// Zones are the school-holiday zones offered.
func (onboardData) Zones() []string { return []string{"A", "B", "C", "Corse"} }

func (p *Console) renderOnboard(c *fiber.Ctx, status int, d onboardData) error {
	var err error
	if d.Communes, err = p.reg.Communes(c.UserContext()); err != nil {
		return err
	}
	return web.RenderStatus(c, status, "plateforme/nouvelle-commune", "Nouvelle collectivité", d)
}

func (p *Console) showOnboard(c *fiber.Ctx) error {
	return p.renderOnboard(c, fiber.StatusOK, onboardData{Form: Onboarding{Zone: "B", Start: StartDefaults}})
}

// onboard creates the collectivité and its first administrator, whose
// invitation leaves at once.
func (p *Console) onboard(c *fiber.Ctx) error {
	hosts := c.FormValue("hosts")
	o := Onboarding{
		Name: c.FormValue("name"), Slug: c.FormValue("slug"), Hosts: splitHosts(hosts),
		Zone: c.FormValue("zone"), AdminEmail: c.FormValue("admin_email"), Start: c.FormValue("start"),
		MealPrice: c.FormValue("meal_price"), CopyFrom: c.FormValue("copy_from"),
	}
	done, err := Onboard(c.UserContext(), p.reg, o, p.publicURL, current(c).Email, p.now())
	var fe FieldErrors
	if errors.As(err, &fe) {
		return p.renderOnboard(c, fiber.StatusUnprocessableEntity, onboardData{Form: o, Hosts: hosts, Errors: fe})
	}
	if err != nil {
		return err
	}
	p.notify(done.Commune.Slug)
	web.AddFlash(c, "success", "La collectivité "+done.Commune.Name+" est créée ("+done.Commune.Slug+
		"). Invitation envoyée à "+done.Invitation.Member.Email+" : lien valable 7 jours pour choisir son mot de passe.")
	return c.Redirect("/plateforme/", fiber.StatusSeeOther)
}
