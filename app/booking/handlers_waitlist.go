package booking

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// joinWaitlist is the "M'inscrire sur la liste d'attente" button of a
// full day in the agenda (value "prestation|day"), or of the notice of a
// line Valider could not hold.
func (svc *Service) joinWaitlist(c *fiber.Ctx, sel selection, value string) error {
	parts := strings.Split(value, "|")
	if len(parts) != 2 {
		return errBadRequest
	}
	pid, err := parseID(parts[0])
	if err != nil || pid == 0 {
		return errBadRequest
	}
	day, err := calendar.ParseISO(parts[1])
	if err != nil {
		return errBadRequest
	}
	click := Click{FamilyID: web.User(c).FamilyID, RegieID: sel.Regie.ID, ChildID: sel.Child.ID, PrestationID: pid, Day: day}
	rank, err := JoinWaitlist(c.UserContext(), tenants.From(c).DB(), click, svc.now())
	week := Week{From: day.Monday()}.Anchor()
	var refusal *Refusal
	switch {
	case errors.As(err, &refusal):
		web.AddFlashAt(c, week, "error", refusal.Message)
	case err != nil:
		return publicError(err)
	default:
		web.AddFlashAt(c, week, "success", sel.Child.FirstName+" est inscrit(e) sur la liste d'attente du "+day.FR()+" ("+
			WaitEntry{State: WaitWaiting, Rank: rank}.StateText()+"). Si une place se libère, vous recevrez un courriel et elle vous sera gardée quelques heures.")
	}
	return web.RedirectTo(c, sel.agendaPath(day)+"#retour-"+week)
}

type waitsData struct {
	Entries []WaitEntry
	Hours   int
}

// showWaits is the family's waiting lists ("Liste d'attente").
func (svc *Service) showWaits(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), tenants.From(c).DB().Reader()
	list, err := FamilyWaits(ctx, q, web.User(c).FamilyID, calendar.Today(svc.now()))
	if err != nil {
		return err
	}
	set, err := LoadWaitlistSettings(ctx, q)
	if err != nil {
		return err
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/liste-attente", "Liste d'attente", waitsData{Entries: list, Hours: set.OfferHours})
}

// leaveWait is "Quitter la liste d'attente".
func (svc *Service) leaveWait(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errUnknown
	}
	if err := LeaveWaitlist(c.UserContext(), tenants.From(c).DB(), web.User(c).FamilyID, id, svc.now()); err != nil {
		return publicError(err)
	}
	web.AddFlash(c, "info", "Vous avez quitté la liste d'attente.")
	return web.RedirectTo(c, "/famille/liste-attente")
}

// offerNotices are the agenda's notices of places kept for the family.
func offerNotices(list []WaitEntry) []string {
	var out []string
	for _, e := range list {
		if e.State == WaitOffered && !e.OfferedUntil.IsZero() {
			out = append(out, "Une place s'est libérée : "+e.PrestationName+" le "+e.Day.FR()+" pour "+e.ChildName+
				". Elle vous est gardée jusqu'au "+instantFR(e.OfferedUntil)+" : cliquez sur la case puis validez votre panier.")
		}
	}
	return out
}
