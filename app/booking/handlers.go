package booking

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/menus"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// The French messages of bad requests.
var (
	errBadRequest = web.NewError(fiber.StatusBadRequest, "La demande est invalide : rechargez la page et recommencez.")
	errUnknown    = web.NewError(fiber.StatusNotFound, "Cet enfant, ce service ou cette prestation n'existe pas dans votre espace.")
	errNoPayment  = web.NewError(fiber.StatusServiceUnavailable, "Le paiement en ligne n'est pas encore disponible pour ce service. Vos demandes restent dans votre panier.")
)

// publicError maps domain errors to the French pages.
func publicError(err error) error {
	if errors.Is(err, ErrNotFound) {
		return errUnknown
	}
	return err
}

// selection is the régie, child and week a page is about, from the query
// or the form, with the family's régies and children for the selectors.
type selection struct {
	Regies   []Regie
	Regie    Regie
	Children []families.Child
	Child    families.Child
	Week     calendar.Date
	cfg      *communeConfig // the commune's booking configuration
}

// agendaPath is the agenda's commune-relative URL for a week.
func (s selection) agendaPath(week calendar.Date) string {
	return "/famille/reservations?" + url.Values{
		"regie": {strconv.FormatInt(s.Regie.ID, 10)}, "enfant": {strconv.FormatInt(s.Child.ID, 10)}, "semaine": {week.String()},
	}.Encode()
}

// AgendaPath is the agenda of the selection's week.
func (s selection) AgendaPath() string { return s.agendaPath(s.Week) }

// RegiePath and ChildPath are the selectors' links.
func (s selection) RegiePath(id int64) string {
	return fmt.Sprintf("/famille/reservations?regie=%d&semaine=%s", id, s.Week)
}

// ChildPath links to a child's agenda of the selected régie and week.
func (s selection) ChildPath(id int64) string {
	return fmt.Sprintf("/famille/reservations?regie=%d&enfant=%d&semaine=%s", s.Regie.ID, id, s.Week)
}

// PeriodPath links to the Vue Période of the selection.
func (s selection) PeriodPath() string {
	return fmt.Sprintf("/famille/reservations/periode?regie=%d&enfant=%d", s.Regie.ID, s.Child.ID)
}

// parseID reads an optional positive identifier; "" is 0.
func parseID(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errBadRequest
	}
	return id, nil
}

// selectFrom resolves the régie, child and week of the request (get reads
// the query or the form); identifiers are looked up in this commune and
// this family only (404 otherwise), and default to the first ones.
func (svc *Service) selectFrom(c *fiber.Ctx, get func(string) string) (selection, error) {
	ctx, db, fam := c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID
	var sel selection
	regieID, err := parseID(get("regie"))
	if err != nil {
		return sel, err
	}
	childID, err := parseID(get("enfant"))
	if err != nil {
		return sel, err
	}
	sel.Week = calendar.Today(svc.now())
	if w := get("semaine"); w != "" {
		if sel.Week, err = calendar.ParseISO(w); err != nil {
			return sel, errBadRequest
		}
	}
	if sel.cfg, err = loadConfig(ctx, db, db.Reader()); err != nil {
		return sel, err
	}
	sel.Regies = sel.cfg.regies
	if sel.Children, err = families.GuardedChildren(ctx, db.Reader(), fam); err != nil {
		return sel, err
	}
	if len(sel.Regies) == 0 || len(sel.Children) == 0 {
		return sel, web.NewError(fiber.StatusNotFound, "Aucun service ou aucun enfant n'est encore inscrit : contactez votre mairie.")
	}
	sel.Regie, sel.Child = sel.Regies[0], sel.Children[0]
	if regieID != 0 {
		i := indexBy(sel.Regies, func(r Regie) bool { return r.ID == regieID })
		if i < 0 {
			return sel, errUnknown
		}
		sel.Regie = sel.Regies[i]
	}
	if childID != 0 {
		i := indexBy(sel.Children, func(ch families.Child) bool { return ch.ID == childID })
		if i < 0 {
			return sel, errUnknown
		}
		sel.Child = sel.Children[i]
	}
	return sel, nil
}

func indexBy[T any](list []T, f func(T) bool) int {
	for i, v := range list {
		if f(v) {
			return i
		}
	}
	return -1
}

// agendaData is the binding of the agenda page.
type agendaData struct {
	selection
	Agenda     Agenda
	Cart       CartView
	Prev, Next string
	Today      string
	Rules      []string
	Notices    []string                 // demandes dropped because their deadline passed, places kept for the family
	UsualWeek  bool                     // the commune offers "Ma semaine habituelle"
	Waiting    int                      // the family's entries in waiting lists
	menus      map[string]template.HTML // by week anchor (agendaMenus)
}

// MenusOf is the menus shown under the week of anchor (app/menus).
func (d agendaData) MenusOf(anchor string) template.HTML { return d.menus[anchor] }

// showAgenda renders "Mes réservations": selectors, the Vue Agenda and the
// cart, after dropping demandes whose deadline has passed (with a notice).
func (svc *Service) showAgenda(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	return svc.renderAgenda(c, sel)
}

// renderAgenda renders the agenda page of a selection (showAgenda, and
// toggleCell's answer to the agenda's script).
func (svc *Service) renderAgenda(c *fiber.Ctx, sel selection) error {
	ctx, db, fam, now := c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID, svc.now()
	gone, err := purgeExpired(ctx, db, sel.cfg, fam, sel.Regie.ID, now)
	if err != nil {
		return err
	}
	ag, err := cachedAgendaOf(ctx, db, sel.cfg, fam, sel.Regie.ID, sel.Child.ID, sel.Week, now)
	if err != nil {
		return publicError(err)
	}
	cart, err := svc.cart(c, sel)
	if err != nil {
		return err
	}
	d := agendaData{selection: sel, Agenda: ag, Cart: cart,
		Prev: sel.agendaPath(ag.Prev), Next: sel.agendaPath(ag.Next), Today: sel.agendaPath(calendar.Today(now))}
	for _, g := range gone {
		d.Notices = append(d.Notices, "Demande retirée du panier, "+g.Text()+".")
	}
	waits, err := FamilyWaits(ctx, db.Reader(), fam, calendar.Today(now))
	if err != nil {
		return err
	}
	d.Notices = append(d.Notices, offerNotices(waits)...)
	d.Waiting = len(waits)
	if d.UsualWeek, err = UsualWeekOn(ctx, db.Reader()); err != nil {
		return err
	}
	for _, row := range firstRows(ag) {
		d.Rules = append(d.Rules, row.Prestation.RuleText())
	}
	places := make([]string, len(ag.Weeks))
	for i, w := range ag.Weeks {
		places[i] = w.Anchor()
	}
	if n := len(ag.Weeks); n > 0 {
		render := func(week []menus.DayView) (template.HTML, error) { return web.Partial(c, "partials/menus-week", week) }
		if d.menus, err = agendaMenus(ctx, db, sel.cfg.version, ag.Weeks[0].From, ag.Weeks[n-1].From.AddDays(6), sel.Child.PAI, render); err != nil {
			return err
		}
	}
	web.FlashPlaces(c, places...)
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/reservations", "Mes réservations", d)
}

func firstRows(a Agenda) []Row {
	if len(a.Weeks) == 0 {
		return nil
	}
	return a.Weeks[0].Rows
}

// limit turns removed lines into at most n texts (flash cookies are small).
func limit(gone []RemovedLine, n int) []string {
	var out []string
	for i, g := range gone {
		if i == n {
			if rest := len(gone) - n; rest == 1 {
				out = append(out, "et 1 autre demande.")
			} else {
				out = append(out, fmt.Sprintf("et %d autres demandes.", rest))
			}
			break
		}
		out = append(out, g.Text()+".")
	}
	return out
}

// toggleCell handles a click on an agenda cell (a plain form post).
func (svc *Service) toggleCell(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	if v := c.FormValue("attente"); v != "" {
		return svc.joinWaitlist(c, sel, v)
	}
	// A cell's button sends "prestation|day|intent"; separate fields are
	// accepted too (scripts, tests).
	prest, day, intent := c.FormValue("prestation"), c.FormValue("jour"), c.FormValue("intention")
	if v := c.FormValue("case"); v != "" {
		parts := strings.Split(v, "|")
		if len(parts) != 3 {
			return errBadRequest
		}
		prest, day, intent = parts[0], parts[1], parts[2]
	}
	pid, err := parseID(prest)
	if err != nil || pid == 0 {
		return errBadRequest
	}
	d, err := calendar.ParseISO(day)
	if err != nil {
		return errBadRequest
	}
	switch Intent(intent) {
	case "", IntentBook, IntentRemove, IntentCancel, IntentUncancel:
	default:
		return errBadRequest
	}
	click := Click{FamilyID: web.User(c).FamilyID, RegieID: sel.Regie.ID, ChildID: sel.Child.ID, PrestationID: pid, Day: d, Intent: Intent(intent)}
	ch, err := ToggleCell(c.UserContext(), tenants.From(c).DB(), click, svc.now())
	// The click's messages go beside the week of the tapped cell, and the
	// page comes back anchored there (issue 13: not two screens above).
	week := Week{From: d.Monday()}.Anchor()
	said := false
	say := func(kind, text string) { web.AddFlashAt(c, week, kind, text); said = true }
	var refusal *Refusal
	var skip *Skip
	switch {
	case errors.As(err, &refusal):
		say("error", refusal.Message)
	case errors.As(err, &skip):
		say("error", skip.Error())
	case err != nil:
		return publicError(err)
	default:
		for _, l := range ch.Insert {
			if l.Action == ActionAdd && !l.ForfaitFrom.IsZero() {
				say("success", fmt.Sprintf("Forfait %s demandé pour toute la période du %s au %s.", l.PrestationName, l.ForfaitFrom.FR(), l.ForfaitUntil.FR()))
			}
			if l.Action == ActionAdd {
				for _, r := range ch.Replaced {
					say("info", r.Text(l.PrestationName, l.Day))
				}
			}
		}
	}
	if c.Get("X-Requested-With") == "fetch" {
		// The agenda's script (templates/static/agenda.js) swaps the
		// week tables, their messages and the cart from the page: no
		// redirect to follow, and this click's messages shown at once.
		web.FlashNow(c)
		return svc.renderAgenda(c, sel)
	}
	anchor := "#" + week
	if said {
		anchor = "#retour-" + week
	}
	return web.RedirectTo(c, sel.agendaPath(sel.Week)+anchor)
}

// validateCart confirms a post-paid régie's cart at once.
func (svc *Service) validateCart(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	res, err := ValidatePostpaid(c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID, sel.Regie.ID, svc.now())
	var refusal *Refusal
	if errors.As(err, &refusal) {
		web.AddFlash(c, "error", refusal.Message)
		return web.RedirectTo(c, sel.agendaPath(sel.Week))
	}
	if err != nil {
		return publicError(err)
	}
	if n := len(res.Confirmed); n > 0 {
		web.AddFlash(c, "success", fmt.Sprintf("%d demande(s) validée(s). Elles apparaissent en « Demande validée » et seront facturées en fin de mois.", n))
	}
	for _, g := range limit(res.Removed, 5) {
		web.AddFlash(c, "error", "Non validée : "+g)
	}
	return web.RedirectTo(c, sel.agendaPath(sel.Week))
}

// clearData is the page that asks once before "Vider" empties the cart.
type clearData struct {
	selection
	Cart CartView
}

// clearCart empties the cart of the selected régie ("Vider"), once the
// parent confirmed: the cart's button opens a dialog (agenda's script), or
// without JavaScript this page, whose "Oui, vider le panier" posts again
// with confirme=1. An empty cart has nothing to confirm.
func (svc *Service) clearCart(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	if c.FormValue("confirme") != "1" {
		lines, err := CartLines(c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID, sel.Regie.ID)
		if err != nil {
			return err
		}
		if cart := Summarize(lines); !cart.Empty() {
			web.SetTab(c, "reservations")
			return web.Render(c, "famille/vider", "Vider le panier", clearData{selection: sel, Cart: cart})
		}
	}
	n, err := ClearCart(c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID, sel.Regie.ID)
	if err != nil {
		return err
	}
	web.AddFlash(c, "info", fmt.Sprintf("Panier vidé (%d demande(s) retirée(s)).", n))
	return web.RedirectTo(c, sel.agendaPath(sel.Week))
}

// startCheckout hands a prepaid cart's "Valider" to billing.
func (svc *Service) startCheckout(c *fiber.Ctx) error {
	sel, err := svc.selectFrom(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	if !sel.Regie.Prepaid() {
		return svc.validateCart(c)
	}
	if svc.checkout == nil {
		return errNoPayment
	}
	return svc.checkout(c, CheckoutRequest{FamilyID: web.User(c).FamilyID, RegieID: sel.Regie.ID})
}
