package admin

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/records"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// The children's records (app/records): the changes parents sent, which
// an agent validates or refuses, and the PAIs whose document expired.

type recordsListData struct {
	base
	Pending []records.PendingRow
	Expired []records.PendingRow
}

// showRecords lists the changes awaiting validation and the expired PAIs.
func (a *Admin) showRecords(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := recordsListData{base: baseOf(c, "familles")}
	var err error
	if d.Pending, err = records.PendingList(ctx, q); err != nil {
		return err
	}
	if d.Expired, err = records.ExpiredPAI(ctx, q, calendar.Today(a.now())); err != nil {
		return err
	}
	return web.Render(c, "admin/fiches", "Fiches des enfants", d)
}

type recordData struct {
	base
	records.State
	FamilyName string
}

// showChildRecord shows a child's record in force and the change
// awaiting validation, with the decision's buttons.
func (a *Admin) showChildRecord(c *fiber.Ctx) error {
	id, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	ctx, q := c.UserContext(), db(c).Reader()
	st, err := records.LoadForChild(ctx, q, id, calendar.Today(a.now()))
	if err != nil {
		return err
	}
	fam, err := families.Load(ctx, q, st.Child.FamilyID)
	if err != nil {
		return err
	}
	d := recordData{base: baseOf(c, "familles"), State: st, FamilyName: fam.Name}
	return web.Render(c, "admin/fiche", "Fiche de "+st.Child.FirstName+" "+st.Child.LastName, d)
}

// decideRecord validates (or refuses, with a reason) the pending change
// id, audited in the same transaction.
func (a *Admin) decideRecord(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	refuse := c.Params("decision") == "refuser"
	if !refuse && c.Params("decision") != "valider" {
		return web.ErrNotFound
	}
	reason := formValue(c, "reason")
	if refuse && (reason == "" || len(reason) > 500) {
		return errInvalid("Indiquez à la famille pourquoi la fiche est refusée (500 caractères au plus) : elle lira ce motif.")
	}
	who := currentStaff(c)
	var r records.Record
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		var err error
		action := "validate"
		if refuse {
			action = "refuse"
			r, err = records.Refuse(ctx, tx, id, reason, who.Actor(), now)
		} else {
			r, err = records.Validate(ctx, tx, id, who.Actor(), now)
		}
		if errors.Is(err, records.ErrDecided) {
			return errInvalid("Cette modification a déjà été traitée (validée, refusée ou remplacée par une plus récente). Rechargez la fiche.")
		}
		if err != nil {
			return err
		}
		t := tenants.From(c)
		m := records.DecisionMail{Commune: t.Commune, Platform: a.srv.Registry.Platform().Reader(),
			Link: a.srv.CommuneURL(t.Commune, "/famille/enfants/"+strconv.FormatInt(r.ChildID, 10)+"/fiche")}
		if err := records.QueueDecisionMail(ctx, tx, m, r, now); err != nil {
			return err
		}
		return audit(ctx, tx, who, action, "child_record", r.ChildID, nil,
			map[string]any{"pai": r.PAI, "pai_until": r.PAIUntil, "reason": reason}, now)
	})
	if err != nil {
		return err
	}
	a.notify(commune(c).Slug)
	if refuse {
		web.AddFlash(c, "success", "Modification refusée : la famille voit le motif sur la fiche, la fiche validée reste inchangée.")
	} else {
		web.AddFlash(c, "success", "Fiche validée : elle s'applique dès maintenant (pointage et cuisine compris).")
	}
	return web.RedirectTo(c, "/admin/enfants/"+strconv.FormatInt(r.ChildID, 10)+"/fiche")
}
