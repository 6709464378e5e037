package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/billing"
	"espacefamille/app/billing/payfip"
	"espacefamille/app/booking"
	"espacefamille/app/names"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

type regiesData struct {
	base
	Regies []booking.Regie
}

func (a *Admin) listRegies(c *fiber.Ctx) error {
	list, err := booking.AllRegies(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/regies", "Régies", regiesData{base: baseOf(c, "services"), Regies: list})
}

type regieFormData struct {
	base
	Regie    booking.Regie
	Settings booking.PaymentSettings
	Error    string
	// Simulator: the built-in payment simulator may be chosen.
	Simulator bool
}

func (a *Admin) newRegie(c *fiber.Ctx) error {
	provider := billing.ProviderPayFiP
	if a.simulator {
		provider = billing.ProviderSimulator
	}
	return web.Render(c, "admin/regie-form", "Nouvelle régie", regieFormData{base: baseOf(c, "services"),
		Regie: booking.Regie{Mode: "prepaid", Provider: provider}, Settings: booking.PaymentSettings{Saisie: "T"}, Simulator: a.simulator})
}

// msgSimulatorClosed refuses the simulator outside demo mode.
const msgSimulatorClosed = "Le simulateur de paiement ne sert qu'à la démonstration : il valide les réservations sans aucun paiement. Choisissez PayFiP pour encaisser les paiements des familles."

func (a *Admin) editRegie(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := booking.LoadRegie(c.UserContext(), db(c).Reader(), id)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/regie-form", r.Name, regieFormData{base: baseOf(c, "services"), Regie: r, Settings: r.Payment, Simulator: a.simulator})
}

// saveRegie creates or updates a régie and its payment provider.
func (a *Admin) saveRegie(c *fiber.Ctx) error {
	var id int64
	if c.Params("id") != "" {
		var err error
		if id, err = idParam(c, "id"); err != nil {
			return err
		}
	}
	pos, _ := strconv.Atoi(formValue(c, "position"))
	name, nameProblem := names.Check(c.FormValue("name"), 120)
	r := booking.Regie{ID: id, Name: name, Mode: formValue(c, "mode"), InvoicePrefix: cleanText(c.FormValue("invoice_prefix")),
		Provider: formValue(c, "provider"), LegalMentions: strings.TrimSpace(c.FormValue("legal_mentions")), Position: pos}
	ps := booking.PaymentSettings{Numcli: formValue(c, "numcli"), Saisie: formValue(c, "saisie"), Endpoint: formValue(c, "endpoint")}
	msg := ""
	switch {
	case r.Name == "":
		msg = "Le nom de la régie est obligatoire (120 caractères au plus)."
	case nameProblem != "":
		msg = nameProblem
	case r.Mode != "prepaid" && r.Mode != "postpaid":
		msg = "Choisissez le mode : prépaiement ou post-paiement."
	case r.Provider != "simulator" && r.Provider != "payfip":
		msg = "Choisissez le moyen de paiement."
	case r.Provider == "simulator" && !a.simulator:
		msg = msgSimulatorClosed
	case len(r.InvoicePrefix) > 10 || len(r.LegalMentions) > 4000:
		msg = "Le préfixe (10 caractères) ou les mentions légales sont trop longs."
	case r.Provider == "payfip" && !payfip.ValidNumcli(ps.Numcli):
		msg = "Le numéro client PayFiP (numcli) est fait d'exactement 6 chiffres, tel que la DGFiP l'a donné à la régie (par exemple 012345)."
	case r.Provider == "payfip" && (!strings.Contains("TXW", ps.Saisie) || ps.Saisie == ""):
		msg = "PayFiP demande le mode (T test, X activation, W production)."
	}
	if msg != "" {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/regie-form", "Régie", regieFormData{base: baseOf(c, "services"), Regie: r, Settings: ps, Error: msg, Simulator: a.simulator})
	}
	if ps.Saisie == "" {
		ps.Saisie = "T"
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var before any
		if id != 0 {
			old, err := booking.LoadRegie(ctx, tx, id)
			if err != nil {
				return err
			}
			before = old
		}
		var err error
		if r.ID, err = booking.SaveRegie(ctx, tx, r, now); errors.Is(err, booking.ErrDuplicateRegie) {
			return errInvalid(err.Error())
		} else if err != nil {
			return err
		}
		if err := booking.SetPaymentProvider(ctx, tx, r.ID, r.Provider, ps); err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return audit(ctx, tx, currentStaff(c), action, "regie", r.ID, before, map[string]any{"regie": r, "provider": ps}, now)
	})
	if err != nil {
		if m := publicMessage(err); m != "" {
			return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/regie-form", "Régie", regieFormData{base: baseOf(c, "services"), Regie: r, Settings: ps, Error: m, Simulator: a.simulator})
		}
		return err
	}
	web.AddFlash(c, "success", "Régie enregistrée.")
	return web.RedirectTo(c, "/admin/regies")
}

// PrestationRow is one prestation in the list.
type PrestationRow struct {
	booking.Prestation
	Regie string
}

// CancelLine is the cancellation rule as parents read it under the
// agenda (a forfait's deadline counted from the start of its period:
// "jusqu'à 7 jours avant le 1er du mois"), capitalised for its own line
// under BookingRule.
func (p PrestationRow) CancelLine() string {
	return "A" + strings.TrimPrefix(p.CancelRule(), "a")
}

// PriceText is the price in French.
func (p PrestationRow) PriceText() string { return priceText(p.Price.FlatCents, p.Price.Brackets) }

type prestationsData struct {
	base
	Prestations []PrestationRow
}

func (a *Admin) listPrestations(c *fiber.Ctx) error {
	ctx := c.UserContext()
	rs, err := booking.AllRegies(ctx, db(c).Reader())
	if err != nil {
		return err
	}
	d := prestationsData{base: baseOf(c, "services")}
	for _, r := range rs {
		ps, err := booking.Prestations(ctx, db(c).Reader(), r.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			d.Prestations = append(d.Prestations, PrestationRow{Prestation: p, Regie: r.Name})
		}
	}
	return web.Render(c, "admin/prestations", "Prestations", d)
}

type prestationFormData struct {
	base
	ID      int64
	Form    PrestationForm
	Regies  []booking.Regie
	Schools []School
	Errors  formErrors
}

// School is a school a prestation may be restricted to.
type School struct {
	ID   int64
	Name string
}

// Value is the checkbox value.
func (s School) Value() string { return strconv.FormatInt(s.ID, 10) }

func schoolList(ctx context.Context, q tenants.Querier) ([]School, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (School, error) {
		var s School
		err := row.Scan(&s.ID, &s.Name)
		return s, err
	}, `SELECT id, name FROM schools ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("admin: schools: %w", err)
	}
	return out, nil
}

// WeekdayChoices are the weekday checkboxes.
func (prestationFormData) WeekdayChoices() any { return WeekdayChoices }

// DeadlineField is one deadline fieldset of the form.
type DeadlineField struct {
	Prefix, Label string
	Form          DeadlineForm
}

// Deadlines are the booking and cancellation fieldsets.
func (d prestationFormData) Deadlines() []DeadlineField {
	return []DeadlineField{{"booking", "Réservation possible jusqu'à", d.Form.Booking}, {"cancel", "Annulation possible jusqu'à", d.Form.Cancel}}
}

func (a *Admin) prestationPage(c *fiber.Ctx, status int, d prestationFormData) error {
	var err error
	if d.Regies, err = booking.AllRegies(c.UserContext(), db(c).Reader()); err != nil {
		return err
	}
	if d.Schools, err = schoolList(c.UserContext(), db(c).Reader()); err != nil {
		return err
	}
	d.base = baseOf(c, "services")
	return web.RenderStatus(c, status, "admin/prestation-form", "Prestation", d)
}

func (a *Admin) newPrestation(c *fiber.Ctx) error {
	return a.prestationPage(c, fiber.StatusOK, prestationFormData{Form: defaultPrestationForm()})
}

func (a *Admin) editPrestation(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := booking.LoadPrestation(c.UserContext(), db(c).Reader(), id)
	if errors.Is(err, booking.ErrNotFound) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	s, err := booking.PrestationSurcharge(c.UserContext(), db(c).Reader(), id)
	if err != nil {
		return err
	}
	return a.prestationPage(c, fiber.StatusOK, prestationFormData{ID: id, Form: formOfPrestation(p, s)})
}

// savePrestation creates or updates a prestation through booking's domain
// API; bookings already made keep their price.
func (a *Admin) savePrestation(c *fiber.Ctx) error {
	var id int64
	if c.Params("id") != "" {
		var err error
		if id, err = idParam(c, "id"); err != nil {
			return err
		}
	}
	form := prestationFormOf(c)
	// The grid's buttons and the kind's refresh re-show the form, saving
	// nothing: they work without JavaScript.
	if c.FormValue("add_bracket") != "" && len(form.Brackets) < maxBracketRows {
		form.Brackets = padBracketRows(append(form.Brackets, BracketRow{}))
		return a.prestationPage(c, fiber.StatusOK, prestationFormData{ID: id, Form: form})
	}
	if v := c.FormValue("remove_bracket"); v != "" {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(form.Brackets) {
			form.Brackets = slices.Delete(form.Brackets, i, i+1)
		}
		form.Brackets = padBracketRows(form.Brackets)
		return a.prestationPage(c, fiber.StatusOK, prestationFormData{ID: id, Form: form})
	}
	if c.FormValue("refresh") != "" {
		form.Brackets = padBracketRows(form.Brackets)
		return a.prestationPage(c, fiber.StatusOK, prestationFormData{ID: id, Form: form})
	}
	in, brackets, sur, errs := form.parse()
	form.Brackets = padBracketRows(form.Brackets)
	if len(errs) > 0 {
		return a.prestationPage(c, fiber.StatusUnprocessableEntity, prestationFormData{ID: id, Form: form, Errors: errs})
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var before any
		var err error
		if id == 0 {
			if id, err = booking.CreatePrestation(ctx, tx, in, now); err != nil {
				return err
			}
		} else {
			old, err := booking.LoadPrestation(ctx, tx, id)
			if err != nil {
				return err
			}
			before = old
			if err := booking.UpdatePrestation(ctx, tx, id, in); err != nil {
				return err
			}
			// A capacity raised frees places for the waiting lists.
			if err := booking.OfferFreedPlaces(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := booking.SetPriceBrackets(ctx, tx, id, brackets); err != nil {
			return err
		}
		if err := booking.SetSurcharge(ctx, tx, id, sur); err != nil {
			return err
		}
		action := "update"
		if before == nil {
			action = "create"
		}
		return audit(ctx, tx, currentStaff(c), action, "prestation", id, before,
			map[string]any{"prestation": in, "brackets": brackets, "surcharge": sur}, now)
	})
	if err != nil {
		if fe := fieldErrorsOf(err); fe != nil {
			return a.prestationPage(c, fiber.StatusUnprocessableEntity, prestationFormData{ID: id, Form: form, Errors: fe})
		}
		return err
	}
	web.AddFlash(c, "success", "Prestation enregistrée. Les réservations déjà faites gardent leur prix.")
	return web.RedirectTo(c, "/admin/prestations")
}
